"""Study configuration: pydantic models of one ``studies/<name>.yaml``.

Every model forbids unknown keys so that a typo in a YAML file is an error naming the key and
its line, never a silently ignored setting. YAML is read with ``yaml.SafeLoader`` only: tags
such as ``!!python/object`` are refused.

Over 400 lines as one job: the models of the study file's top level, which validate against one
another when the file is loaded.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from analysis.clean.identity_rules import IdRules
from analysis.errors import ConfigError
from analysis.studyfile.design import Condition, Exposure, Group, Variable
from analysis.studyfile.engine import EngineSettings
from analysis.studyfile.model import StudyModel, study_file_keys
from analysis.studyfile.names import Names
from analysis.studyfile.plan import AnalysisPlan
from analysis.studyfile.text import normalize_label
from analysis.studyfile.yaml_lines import (
    Lines,
    format_validation_errors,
    read_yaml_text,
    safe_load_with_lines,
)

TABLES = ("patients", "exposures", "adverse_events", "concomitant", "assessments")
TableName = Literal["patients", "exposures", "adverse_events", "concomitant", "assessments"]


class _Model(StudyModel):
    pass


class StudyInfo(_Model):
    """Who and what the study is: shown in the report title and methods."""

    name: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    description: str = ""
    reference: str = ""
    seed: int = Field(ge=0, description="Root of every random seed used for this study.")
    synthetic: bool = False
    export_date: dt.date | None = Field(
        default=None,
        description="the day the raw data were exported: no date may be later (the default end "
        "of `cleaning.date_window`; without it, the day each file was last modified) and it sets "
        "the century of two-digit years",
    )


class Paths(_Model):
    """Folders, relative to the repository root (the folder that holds ``studies/``)."""

    raw: str
    processed: str
    reports: str


class RecordsWhen(_Model):
    """Which rows of a file are records of a source: those whose ``column`` holds one of
    ``values``. A row whose cell is blank or one of ``otherwise`` is no record of it; any other
    value stops the run, naming it (nothing is left out unsaid). Compared as labels are: case,
    accents and spaces aside."""

    column: str = Field(description="the raw header of the column that says it ('{i}' allowed)")
    values: list[str] = Field(min_length=1, description="the cells that make a row a record")
    otherwise: list[str] = Field(
        default_factory=list, description="the cells that make it none (a blank cell is none)"
    )

    @model_validator(mode="after")
    def _lists_apart(self) -> RecordsWhen:
        for key in ("values", "otherwise"):
            if any(not normalize_label(v) for v in getattr(self, key)):
                raise ValueError(
                    f"`{key}` lists a blank cell; a blank cell is never a record (as in "
                    "`otherwise`): remove it"
                )
        yes = {normalize_label(v): v for v in self.values}
        both = [(yes[normalize_label(v)], v) for v in self.otherwise if normalize_label(v) in yes]
        if both:
            said = ", ".join(f"{a!r}" if a == b else f"{a!r} and {b!r}" for a, b in both)
            raise ValueError(
                f"{said} in both `values` and `otherwise` (labels are compared with case, "
                "accents and spaces aside): a cell is either a record or none; keep each in "
                "one list"
            )
        return self


class Source(_Model):
    """One raw file (or one sheet of a workbook) holding one canonical table."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    table: TableName
    file: str
    format: Literal["csv", "xlsx", "parquet", "sas", "spss"] | None = None
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    date_order: Literal["DMY", "MDY", "YMD"] = "DMY"
    decimal: Literal[".", ","] | None = Field(
        default=None,
        description="the decimal mark of numbers written as text; the other mark is then a "
        "thousands separator in groups of three. Undeclared: a value such as '1.234' or "
        "'1,250' is ambiguous and cleared (audited)",
    )
    timezone: str | None = Field(
        default=None,
        description="the time zone (IANA name, e.g. 'Europe/Madrid', or 'UTC') whose calendar "
        "days the study counts, for date-times that carry a zone or UTC offset (Parquet "
        "timestamps in UTC, ISO text ending in '+01:00'): each is converted to it before its "
        "day is taken. Undeclared, such a date-time with a time of day other than midnight "
        "stops the run, since its day depends on the zone",
    )
    date_numbers: Literal["excel", "excel_1904", "sas", "sas_datetime", "spss", "unix"] | None = (
        Field(
            default=None,
            description="how numbers in a date column count days: excel (serial days from "
            "1899-12-30, or from 1904-01-01 in an xlsx workbook of the 1904 date system; the "
            "default of an xlsx source), excel_1904 (serial days from 1904-01-01: a CSV saved "
            "from such a workbook), sas (days from 1960-01-01), sas_datetime "
            "(seconds from 1960-01-01), spss (seconds from 1582-10-14), unix (days from "
            "1970-01-01). Needed only where a column lost its date format; undeclared, a number "
            "in a date column of any other source is unreadable",
        )
    )
    columns: dict[str, str] = Field(description="canonical column -> raw header")
    id_prefix: str | None = Field(
        default=None,
        min_length=1,
        description="text put before every patient id of this source (after `cleaning.ids`), "
        "for centres that each number their patients on their own (1, 2, 3 in each): give "
        "every source of one centre the same prefix, e.g. 'A-', so that patient 1 of centre "
        "A and patient 1 of centre B stay two patients",
    )
    constants: dict[str, str] = Field(default_factory=dict)
    synonyms: dict[str, dict[str, list[str]]] = Field(
        default_factory=dict,
        description="vocabulary -> level -> raw labels valid in this source only",
    )
    repeat: list[int | str] | None = Field(
        default=None,
        description="wide repeated column groups: each value fills '{i}' in the headers, one "
        "record per filled group (e.g. 'Adverse event {i}' for i in 1, 2, 3)",
    )
    records_when: RecordsWhen | None = Field(
        default=None,
        description="the rows of the file that are records of this source, by one column: "
        "e.g. an adverse event kept as a yes/no column per term, each term a source whose "
        "records are the rows with 'yes'",
    )
    per_patient: dict[str, Literal["earliest", "latest", "lowest", "highest"]] = Field(
        default_factory=dict,
        description="patients sources only: how a column is taken over the rows of one patient "
        "of this source, for an export of one row per visit (e.g. {last_visit_date: latest, "
        "first_visit_date: earliest}): earliest or latest (dates), lowest or highest "
        "(numbers); each changed value has an audit row, and the rows, then agreeing, are "
        "merged as duplicates",
    )
    multiline_cells: bool = Field(
        default=False,
        description="CSV only: quoted cells may hold line breaks (a record may span several "
        "lines; its source_row is its first line). Undeclared, such a record stops the run "
        "naming its lines, since a stray quote is the usual cause",
    )
    short_rows: Literal["refuse", "blank"] = Field(
        default="refuse",
        description="CSV only: a record with fewer fields than the header stops the run naming "
        "its lines ('refuse', the default: a field missing in the middle shifts every later "
        "value under the wrong header), or, 'blank', is read with its last cells empty, "
        "flagged in the audit, for an export that leaves out trailing empty cells",
    )
    header_row: int = Field(
        default=1,
        ge=1,
        description="CSV and XLSX: the row of the column headers as a text editor (line) or "
        "Excel (row) numbers it, 1 by default; the rows above it (an export's title, blank "
        "rows) are neither read nor counted, and every record keeps its row in the file",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            import zoneinfo

            try:
                zoneinfo.ZoneInfo(value)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise ValueError(
                    f"unknown time zone {value!r}: give an IANA name such as 'Europe/Madrid', "
                    "'America/Sao_Paulo' or 'UTC'"
                ) from None
        return value

    @model_validator(mode="after")
    def _keys_fit(self) -> Source:
        if not self.inferred_format:
            suffix = Path(self.file).suffix.lower()
            book = suffix in (".xls", ".xlsb", ".ods")
            raise ValueError(
                f"the format of {self.file!r} is not given and its extension "
                f"({suffix or 'none'}) does not say it; set `format:` to one of csv, xlsx, "
                "parquet, sas, spss"
                + (" (`xlsx` also reads .xls, .xlsb and .ods workbooks)" if book else "")
            )
        if "header_row" in self.model_fields_set and self.inferred_format not in ("csv", "xlsx"):
            raise ValueError(
                "`header_row` applies to CSV and XLSX sources only (this source is "
                f"{self.inferred_format or 'of unknown format'}; its columns are named in the "
                "file): remove the key"
            )
        if self.multiline_cells and self.inferred_format != "csv":
            raise ValueError(
                "`multiline_cells` applies to CSV sources only (this source is "
                f"{self.inferred_format or 'of unknown format'}; its cells are read as stored): "
                "remove the key"
            )
        if "short_rows" in self.model_fields_set and self.inferred_format != "csv":
            raise ValueError(
                "`short_rows` applies to CSV sources only (this source is "
                f"{self.inferred_format or 'of unknown format'}; its cells are read by column): "
                "remove the key"
            )
        if self.per_patient:
            _check_per_patient(self)
        if self.records_when is not None:
            if self.table == "patients":
                raise ValueError(
                    "`records_when` applies to the records of a patient's visits (adverse "
                    "events, sessions, treatments, assessments), not to the patient table: "
                    "every patient of the file belongs to the study, and one left out would "
                    "leave no trace. Select patients with `inclusion` criteria, which log "
                    "each patient excluded; remove the key"
                )
            if "{i}" in self.records_when.column and self.repeat is None:
                raise ValueError(
                    f"`records_when.column` {self.records_when.column!r} holds '{{i}}' but the "
                    "source has no `repeat`; give the indexes, e.g. `repeat: [1, 2, 3]`, or "
                    "name one column"
                )
        if self.repeat is not None:
            if not self.repeat:
                raise ValueError("`repeat` lists no index; give e.g. [1, 2, 3] or remove it")
            if not any("{i}" in h for h in self.columns.values()):
                raise ValueError(
                    "`repeat` is set but no header under `columns` contains '{i}'; write the "
                    "repeated headers as e.g. 'Adverse event {i}'"
                )
        return self

    def headers(self, index: int | str | None = None) -> dict[str, str]:
        """``columns`` with ``{i}`` replaced by ``index`` (the headers of one repeated group)."""
        if index is None:
            return dict(self.columns)
        return {c: h.replace("{i}", str(index)) for c, h in self.columns.items()}

    @property
    def inferred_format(self) -> str:
        if self.format:
            return self.format
        suffix = Path(self.file).suffix.lower()
        return {
            ".csv": "csv",
            ".txt": "csv",
            ".tsv": "csv",
            ".xlsx": "xlsx",
            ".xlsm": "xlsx",
            ".parquet": "parquet",
            ".sas7bdat": "sas",
            ".xpt": "sas",
            ".sav": "spss",
            ".zsav": "spss",
        }.get(suffix, "")

    @property
    def label(self) -> str:
        return f"{self.file} (sheet {self.sheet!r})" if self.sheet else self.file


#: a column's kind in words, for a message
_KIND_WORDS = {
    "date": "dates",
    "number": "numbers",
    "integer": "integers",
    "category": "levels",
    "bool": "yes/no values",
    "text": "free text",
}


def _check_per_patient(source: Source) -> None:
    """``per_patient`` applies to a patients source's own columns (not its id or constants)."""
    if source.table != "patients":
        raise ValueError(
            f"`per_patient`: applies to sources of the patients table only (this source is of "
            f"{source.table!r}, whose records are each kept as they are): remove the key"
        )
    for column in source.per_patient:
        if column == "patient_id" or column not in source.columns:
            what = "the id that groups the rows" if column == "patient_id" else (
                "a constant, the same on every row" if column in source.constants
                else "not a column this source reads"
            )  # fmt: skip
            own = [c for c in source.columns if c != "patient_id"]
            close = difflib.get_close_matches(column, own, n=1)
            raise ValueError(
                f"`per_patient`: {column!r} is {what}"
                + (f" (did you mean {close[0]!r}?)" if close else "")
                + f"; name columns of this source's `columns` ({', '.join(own)})"
            )


class Vocabulary(_Model):
    """A controlled vocabulary: canonical levels and the raw labels that mean each of them."""

    levels: Names = Field(min_length=1)
    ordered: bool = False
    applies_to: Names | None = None
    synonyms: dict[str, list[str]] = Field(default_factory=dict)
    categories: dict[str, str] = Field(
        default_factory=dict, description="level -> category (e.g. system organ class)"
    )
    sex_specific: dict[str, str] = Field(
        default_factory=dict,
        description="level -> the level of `sex` it applies to (an adverse event of one sex): "
        "counted among that sex only, the other sex's cells not applicable",
    )

    @model_validator(mode="after")
    def _levels_known(self) -> Vocabulary:
        named = [*self.synonyms, *self.categories, *self.sex_specific]
        unknown = [k for k in named if k not in self.levels]
        if unknown:
            raise ValueError(
                f"synonyms/categories/sex_specific name levels {unknown} that are not in levels "
                f"{self.levels}"
            )
        return self


def vocabulary_targets(name: str, vocab: Vocabulary) -> list[str]:
    """The columns a vocabulary maps unless a variable names another: its ``applies_to``, else
    the column of its own name."""
    return list(vocab.applies_to) if vocab.applies_to is not None else [name]


class RangeCheck(_Model):
    """A plausibility check on a numeric column."""

    table: TableName
    column: str
    min: float | None = None
    max: float | None = None
    action: Literal["set_missing", "exclude"] = "set_missing"

    @model_validator(mode="after")
    def _limits(self) -> RangeCheck:
        if self.min is None and self.max is None:
            raise ValueError("give `min`, `max` or both: a check without limits checks nothing")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(
                f"`min` ({self.min:g}) is greater than `max` ({self.max:g}): no value could "
                "pass; swap them"
            )
        return self


class Criterion(_Model):
    """One inclusion criterion: patients meeting every condition stay."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str
    where: list[Condition] = Field(min_length=1)


class Subgroup(_Model):
    """A named analysis population (``population:`` of a table)."""

    label: str
    where: list[Condition] = Field(min_length=1)
    in_flow: bool = Field(
        default=True,
        description="shown in the flow (a subgroup that is not a branch of the cohort, e.g. the "
        "patients who stopped, can stay out of it)",
    )


class Derivation(_Model):
    """Parameters of the derived analysis variables (see the data dictionary)."""

    days_per_month: float = 30.4375
    response_target_month: float = 12
    response_window_months: tuple[float, float] = (10, 14)
    improvement_levels: Names = Field(
        default_factory=list,
        description="the response grades that count as improvement (the 'any improvement' row "
        "of a response table); needed by a response table",
    )
    marked_level: str | None = Field(
        default=None,
        description="the response grade shown again as a row of its own with its CI (default: "
        "the last, best level of vocabulary response_grade)",
    )
    schedule_months: list[int] | None = Field(
        default=None,
        description="discrete exposures: derive the usual first-year interval, snapped to these "
        "months (omit for no schedule)",
    )
    grade_severity: dict[str, str] = Field(
        default_factory=dict, description="baseline_grade level -> mild / moderate / severe"
    )

    @property
    def response_column(self) -> str:
        """``response_12m`` for a 12-month target."""
        return f"response_{self.response_target_month:g}m"

    @property
    def response_date_column(self) -> str:
        return f"response_date_{self.response_target_month:g}m"

    @field_validator("response_window_months")
    @classmethod
    def _window_ordered(cls, v: tuple[float, float]) -> tuple[float, float]:
        if v[0] >= v[1]:
            raise ValueError(f"window start {v[0]} must be before window end {v[1]}")
        return v


class DateWindow(_Model):
    """The plausible dates of a study: a date outside is a typing error (usually the year)."""

    start: dt.date = dt.date(1901, 1, 1)
    end: dt.date | None = Field(
        default=None,
        description="latest plausible date; null: `study.export_date` when given, else no date "
        "may be later than the day its file was last modified (never the date of the run, which "
        "would make the cleaning depend on the day)",
    )

    @model_validator(mode="after")
    def _ordered(self) -> DateWindow:
        if self.end is not None and self.end < self.start:
            raise ValueError(
                f"date_window.end {self.end} is before date_window.start {self.start}; give an "
                f"end on or after the start"
            )
        return self


class Cleaning(_Model):
    on_unmapped: Literal["error", "exclude"] = "error"
    date_window: DateWindow = Field(default_factory=DateWindow)
    ids: IdRules = Field(default_factory=IdRules)
    max_orphan_fraction: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="a source with more than this fraction of records whose patient_id is not "
        "in the patient table stops the run",
    )
    conflicting_records: Literal["error", "keep_first"] = Field(
        default="error",
        description="child records with the same key (patient, date, term) whose other values "
        "differ: stop the run (error) or keep the first and log the others with their values",
    )
    discontinued_no_with_date: Literal["error", "flag", "date"] = Field(
        default="error",
        description="a patient whose is_discontinued is 'no' while a discontinuation_date is "
        "given: stop the run (error), keep 'no' and set the date missing (flag), or read the "
        "patient as discontinued at that date (date); each change with an audit row",
    )
    max_unreadable_fraction: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description="a source column with more than this fraction of its non-blank dates or "
        "numbers unreadable as declared (and at least 10 of them) stops the run: its "
        "date_order or decimal is likely wrong",
    )


def _check_source_labels(key: str, synonyms: dict[str, list[str]], levels: list[str]) -> None:
    """A source's synonyms give each label one level, and never the name of another level
    (labels compared as the cleaning compares them: case, accents and spaces aside). Either
    slip recoded every patient so written, with exit 0: ``{male: ["M"], female: ["m"]}`` made
    both female; ``{male: ["M", "female"]}`` made every woman a man."""
    own = {normalize_label(level): level for level in levels}
    seen: dict[str, str] = {}
    for level, labels in synonyms.items():
        for label in labels:
            folded = normalize_label(label)
            if folded in seen and seen[folded] != level:
                raise ValueError(
                    f"{key}: label {label!r} maps to both '{seen[folded]}' and '{level}' (labels "
                    f"are compared ignoring case, accents and spaces); keep it under one level only"
                )
            if own.get(folded, level) != level:
                raise ValueError(
                    f"{key}: label {label!r} under '{level}' is the name of the level "
                    f"'{own[folded]}': a source's synonyms may recode other labels, not the name "
                    f"of a level; remove it"
                )
            seen[folded] = level


def study_location(path: str | Path) -> Path:
    """Where a study file is: its folder with every link and ``..`` resolved, as the system
    resolves them, and its own name. A study file that is itself a link (into a folder of
    templates) is where the link is: the project it was linked into, whose data it reads (the
    link was followed: the data and outputs of the folder it points into)."""
    path = Path(path)
    return path.absolute().parent.resolve() / path.name


class StudyConfig(_Model):
    """A whole study: ``StudyConfig.load("studies/x.yaml")``."""

    study: StudyInfo
    paths: Paths
    sources: list[Source] = Field(min_length=1)
    vocabularies: dict[str, Vocabulary] = Field(default_factory=dict)
    checks: list[RangeCheck] = Field(default_factory=list)
    cleaning: Cleaning = Field(default_factory=Cleaning)
    exposure: Exposure = Field(default_factory=Exposure)
    variables: dict[TableName, dict[str, Variable]] = Field(
        default_factory=dict, description="the study's own columns, per canonical table"
    )
    derive: Derivation = Field(default_factory=lambda: Derivation())
    groups: dict[str, Group] = Field(
        default_factory=dict, description="derived groupings of the patients, by rule"
    )
    inclusion: list[Criterion] = Field(default_factory=list)
    subgroups: dict[str, Subgroup] = Field(default_factory=dict)
    analysis: AnalysisPlan = Field(
        default_factory=AnalysisPlan,
        description="the analysis plan: options, labels, tables, figures and report sections",
    )
    engine: EngineSettings = Field(
        default_factory=EngineSettings,
        description="where the counts run: duckdb (in-process, default) or spark",
    )

    # Not a model field: set by ``load`` so relative paths resolve against the repository.
    _root: Path = Path(".")
    _path: Path | None = None
    _lines: dict[tuple[Any, ...], int] | None = None

    @model_validator(mode="after")
    def _cross_checks(self) -> StudyConfig:
        from analysis.studyfile.config_checks import check_design
        from analysis.studyfile.plan_checks import check_plan

        names = [s.name for s in self.sources]
        for i, name in enumerate(names):
            if name in names[:i]:  # named with its key, so the message gives its line
                raise ValueError(
                    f"sources[{i}].name: {name!r} is already the name of sources"
                    f"[{names.index(name)}]; source names must be unique"
                )
        check_design(self)
        for i, src in enumerate(self.sources):
            known = self.columns_for(src.table)
            bad = [c for c in [*src.columns, *src.constants] if c not in known]
            if bad:
                raise ValueError(
                    f"sources[{i}] ({src.name}): unknown canonical column(s) {bad} for table "
                    f"'{src.table}'; known columns are {sorted(known)}. To read a column of "
                    f"your own, declare it under `variables.{src.table}` (type, label, unit)"
                )
            for column, rule in src.per_patient.items():
                kind = known[column].kind
                fits = ("earliest", "latest") if kind == "date" else (
                    ("lowest", "highest") if kind in ("number", "integer") else ()
                )  # fmt: skip
                if rule not in fits:
                    raise ValueError(
                        f"sources[{i}].per_patient.{column}: {rule!r} does not apply to a "
                        f"column of {_KIND_WORDS.get(kind, kind)}; "
                        + (f"give {' or '.join(fits)}" if fits else
                           "only dates (earliest, latest) and numbers (lowest, highest) are "
                           "taken over a patient's rows; a column of other values must agree "
                           "on every row of the patient")
                    )  # fmt: skip
            for vocab_name, levels in src.synonyms.items():
                if vocab_name not in self.vocabularies:
                    raise ValueError(
                        f"sources[{i}].synonyms names unknown vocabulary '{vocab_name}'"
                    )
                level_names = self.vocabularies[vocab_name].levels
                bad_levels = [lv for lv in levels if lv not in level_names]
                if bad_levels:
                    raise ValueError(
                        f"sources[{i}].synonyms.{vocab_name} names unknown level(s) {bad_levels}"
                    )
                _check_source_labels(f"sources[{i}].synonyms.{vocab_name}", levels, level_names)
        for name, vocab in self.vocabularies.items():
            seen: dict[str, str] = {}
            for level in vocab.levels:
                for label in [level, *vocab.synonyms.get(level, [])]:
                    key = normalize_label(label)
                    if key in seen and seen[key] != level:
                        raise ValueError(
                            f"vocabularies.{name}: label {label!r} maps to both "
                            f"'{seen[key]}' and '{level}'; keep it under one level only"
                        )
                    seen[key] = level
        for i, chk in enumerate(self.checks):
            if chk.column not in self.columns_for(chk.table):
                raise ValueError(f"checks[{i}]: unknown column '{chk.column}' in '{chk.table}'")
        check_plan(self)
        return self

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, path: str | Path, *, root: str | Path | None = None) -> StudyConfig:
        """Read and validate a study YAML file.

        Parameters
        ----------
        path : path of the YAML file.
        root : folder that relative ``paths`` and ``sources[].file`` resolve against; by default
            the parent of the folder holding the YAML (the repository root for ``studies/x.yaml``).
        """
        if not isinstance(path, str | Path):
            raise ConfigError(
                f"the study file: expected the path of a YAML file such as "
                f"'studies/my_study.yaml' (text or a pathlib.Path); got {type(path).__name__} "
                f"{path!r}"
            )
        path = Path(path)
        if not path.exists():
            try:
                looked = path.resolve()
            except (RuntimeError, OSError):  # a link that leads back to itself
                raise ConfigError(
                    f"study config {path}: a symbolic link that leads back to itself (a loop); "
                    "point it at the study's YAML file, or pass that file's path."
                ) from None
            raise ConfigError(
                f"study config not found: {path} (looked for {looked}, from the "
                f"current folder {Path.cwd()}). Pass the path of a YAML file such as "
                f"studies/my_study.yaml, relative to the current folder or absolute (in a "
                f"notebook under notebooks/: '../studies/my_study.yaml')."
            )
        text = read_yaml_text(path)
        data, lines = safe_load_with_lines(text, path, top_keys=set(cls.model_fields))
        try:
            cfg = cls.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(
                format_validation_errors(
                    exc,
                    path,
                    lines,
                    what="study config",
                    clean_loc=_without_kind_tags,
                    known_keys=study_file_keys() | set(EngineSettings.model_fields),
                    model=cls,
                )
            ) from None
        where = study_location(path)
        cfg._root = Path(root) if root is not None else where.parent.parent
        cfg._path = where
        cfg._lines = lines
        cfg._check_outputs_outside_raw(lines)
        return cfg

    def _check_outputs_outside_raw(self, lines: Lines) -> None:
        """The raw exports are never written to: the output folders must lie outside them."""
        raw = self.raw_dir.resolve()
        for key in ("processed", "reports"):
            out = getattr(self, f"{key}_dir").resolve()
            if out == raw:
                relation = "is the same folder as"
            elif out.is_relative_to(raw):
                relation = "is inside"
            elif raw.is_relative_to(out):
                relation = "contains"
            else:
                continue
            raise ConfigError(
                f"{self._path}: `paths.{key}` (line {lines.get(('paths', key), '?')}, {out}) "
                f"{relation} `paths.raw` (line {lines.get(('paths', 'raw'), '?')}, {raw}); the "
                f"run would write among the raw exports, which must stay untouched. Give "
                f"`paths.{key}` a folder that neither is nor holds nor lies inside `paths.raw` "
                f"(e.g. {'data/processed' if key == 'processed' else 'reports'}/<study>)."
            )

    def key_at(self, *key: str | int) -> str:
        """A key of the study file and its line, for a message of a later stage:
        ``key_at("sources", 2, "file")`` is "`sources[2].file`, line 40" (the key alone when
        the study was not read from a file, or the file does not write the key)."""
        dotted = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in key).lstrip(".")
        line = (self._lines or {}).get(tuple(key))
        return f"`{dotted}`, line {line}" if line else f"`{dotted}`"

    @property
    def root(self) -> Path:
        return self._root

    @property
    def path(self) -> Path | None:
        return self._path

    def resolve(self, relative: str) -> Path:
        p = Path(relative)
        return p if p.is_absolute() else self._root / p

    @property
    def raw_dir(self) -> Path:
        return self.resolve(self.paths.raw)

    @property
    def processed_dir(self) -> Path:
        return self.resolve(self.paths.processed)

    @property
    def reports_dir(self) -> Path:
        return self.resolve(self.paths.reports)

    def source_path(self, source: Source) -> Path:
        p = Path(source.file)
        return p if p.is_absolute() else self.raw_dir / p

    def columns_for(self, table: str) -> dict[str, Any]:
        """Canonical plus declared columns of ``table`` (``schema.Column`` by name)."""
        from analysis.clean.columns import table_columns

        return table_columns(self, table)

    @property
    def date_window(self) -> tuple[dt.date, dt.date | None]:
        """The plausible dates ``(start, end)``: ``cleaning.date_window``, its end defaulting to
        ``study.export_date`` (None: no end for the whole study; each file's modification day
        then bounds its own dates, see :mod:`analysis.clean.plausibility`)."""
        window = self.cleaning.date_window
        return window.start, window.end if window.end is not None else self.study.export_date

    def sources_for(self, table: str) -> list[Source]:
        return [s for s in self.sources if s.table == table]

    def vocabulary_for(self, column: str) -> tuple[str, Vocabulary] | None:
        """The vocabulary that controls ``column``: the one a declared variable names
        (``variables.<table>.<column>.vocabulary``), else the one named as the column or
        listing it in ``applies_to`` (the checks refuse a column two of these claim)."""
        for table_vars in self.variables.values():
            var = table_vars.get(column)
            if var is not None and var.vocabulary in self.vocabularies:
                return var.vocabulary, self.vocabularies[var.vocabulary]
        for name, vocab in self.vocabularies.items():
            if column in vocabulary_targets(name, vocab):
                return name, vocab
        return None

    def seed_for(self, purpose: str) -> int:
        """A seed derived from the study seed and a purpose label, stable across runs."""
        digest = hashlib.sha256(f"{self.study.seed}:{purpose}".encode()).hexdigest()
        return int(digest[:8], 16)

    def sha256(self) -> str:
        if self._path is None:
            return ""
        return hashlib.sha256(self._path.read_bytes()).hexdigest()


def _without_kind_tags(loc: list[object]) -> list[object]:
    """A validation error's location without the ``kind`` pydantic adds after a table's name
    or a figure's index (``analysis.tables.t.ae_incidence.byy`` is ``analysis.tables.t.byy``
    in the file)."""
    if len(loc) > 3 and loc[:2] in (["analysis", "tables"], ["analysis", "figures"]):
        from analysis.studyfile.plan import kinds_of_plan

        if loc[3] in kinds_of_plan():
            return [*loc[:3], *loc[4:]]
    return loc
