"""Cleaning steps: ``df -> Step(data, excluded, audit)``, each logging what it removed or changed.

Nothing here mutates its input. ``excluded`` holds one row per raw record not carried forward
(``LOG_COLUMNS``); ``audit`` holds one row per value corrected or flagged (``AUDIT_COLUMNS``).
The rules are documented for users in ``docs/derivations.md``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import difflib
import numbers
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.clean.columns import DUPLICATE_KEYS, TABLE_COLUMNS, Column
from analysis.clean.read import FORMULA_WITHOUT_VALUE
from analysis.errors import UnmappedValuesError
from analysis.studyfile.config import RangeCheck, StudyConfig
from analysis.studyfile.text import normalize_label

LOG_COLUMNS = ["table", "source", "sheet", "row", "patient_id", "step", "reason"]
AUDIT_COLUMNS = [
    "table",
    "source",
    "sheet",
    "row",
    "patient_id",
    "column",
    "check",
    "value",
    "action",
    "message",
]

_DATE_FORMATS = {
    "DMY": ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"],
    "MDY": ["%m/%d/%Y", "%m-%d-%Y", "%m.%d.%Y"],
    "YMD": ["%Y/%m/%d", "%Y.%m.%d"],
}
_ISO_FORMATS = ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


Columns = dict[str, Column]


@dataclass(frozen=True)
class Step:
    """Result of one cleaning step."""

    data: pd.DataFrame
    excluded: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LOG_COLUMNS))
    audit: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=AUDIT_COLUMNS))


def where(df: pd.DataFrame, i: int | object) -> str:
    """Human location of a record: ``file, sheet 'S', row N``."""
    rec = df.loc[i]
    sheet = f", sheet {rec['source_sheet']!r}" if rec.get("source_sheet") else ""
    return f"{rec['source_file']}{sheet}, row {rec['source_row']}"


def _located(df: pd.DataFrame, table: str, columns: list[str], **fields: object) -> pd.DataFrame:
    """Log rows for the records of ``df``: where each came from, plus ``fields``."""
    out = pd.DataFrame(
        {
            "table": table,
            "source": df["source_file"].astype(str),
            "sheet": df["source_sheet"].astype(str),
            "row": df["source_row"].astype("int64"),
            "patient_id": df["patient_id"].astype("string"),
            **fields,
        },
        index=df.index,
    )
    return out.reset_index(drop=True)[columns]


def log_rows(df: pd.DataFrame, table: str, step: str, reasons: pd.Series | str) -> pd.DataFrame:
    """Exclusion-log rows (``LOG_COLUMNS``) for the records of ``df``."""
    return _located(df, table, LOG_COLUMNS, step=step, reason=reasons)


def audit_rows(
    df: pd.DataFrame,
    table: str,
    column: str,
    check: str,
    values: pd.Series,
    action: str,
    messages: pd.Series | str,
) -> pd.DataFrame:
    """Audit-log rows (``AUDIT_COLUMNS``): a value of ``column`` corrected or flagged."""
    return _located(
        df,
        table,
        AUDIT_COLUMNS,
        column=column,
        check=check,
        value=values.astype(str),
        action=action,
        message=messages,
    )


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


# --------------------------------------------------------------------------- text
def strip_text(data: pd.DataFrame) -> pd.DataFrame:
    """Trim text cells; empty text becomes missing. Non-text cells are left as they are."""
    out = data.copy()
    for col in out.columns:
        if col.startswith("source_") or col == "_source":
            continue
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            is_str = s.map(lambda v: isinstance(v, str))
            if is_str.any():
                stripped = s[is_str].str.strip()
                s = s.where(~is_str, stripped)
                s = s.mask(is_str & (s == ""), None)
                out[col] = s
    if "patient_id" in out:
        out["patient_id"] = out["patient_id"].map(_id_text)
    return out


EXCEL_ERRORS = frozenset(
    {"#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}
)
# C0 controls but tab, line feed and carriage return (line breaks inside a cell are text), DEL
# and the C1 controls: none is ever part of a value, and pandas or str.strip may drop them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_NAMES = {0: "NUL", 0x7F: "DEL"}


def _unreadable(value: object) -> str | None:
    """Why a raw cell cannot be read as a value, or None."""
    if not isinstance(value, str):
        return None
    if value.strip() in EXCEL_ERRORS:
        return "Excel error cell"
    if value.startswith(FORMULA_WITHOUT_VALUE):
        formula = value[len(FORMULA_WITHOUT_VALUE) :].strip()
        return f"Excel formula {formula} saved without its result (open and save it in Excel)"
    m = _CONTROL.search(value)
    if m:
        code = ord(m.group())
        name = _CONTROL_NAMES.get(code, "control character")
        return f"control character U+{code:04X} ({name})"
    return None


def flag_unreadable_cells(data: pd.DataFrame, table: str, columns: Columns | None = None) -> Step:
    """Excel error cells (``#DIV/0!``, ``#N/A``...) and cells holding a control character (a NUL
    byte...) are set missing with an audit row each; a record with one in a required column is
    excluded with that reason. Runs before :func:`strip_text`, which would trim some controls."""
    spec_of = columns if columns is not None else TABLE_COLUMNS[table]
    out = data.copy()
    located = out.assign(patient_id=out["patient_id"].map(_id_text)) if "patient_id" in out else out
    audit: list[pd.DataFrame] = []
    reasons: dict[object, str] = {}
    for column in out.columns:
        if column.startswith("source_") or column == "_source":
            continue
        why = out[column].map(_unreadable)
        bad = why.notna()
        if not bad.any():
            continue
        values = out.loc[bad, column]
        msgs = [
            f"`{column}` value {v!r} is an {w}; set missing. Correct the cell in the file."
            if w == "Excel error cell"
            else f"`{column}` value {v!r} holds the {w}; the cell cannot be read safely and was "
            f"set missing. Correct the cell in the file."
            for v, w in zip(values, why[bad], strict=True)
        ]
        audit.append(
            audit_rows(
                located.loc[bad],
                table,
                column,
                "unreadable",
                values,
                "set_missing",
                pd.Series(msgs, index=values.index),
            )
        )
        out.loc[bad, column] = None
        spec = spec_of.get(column)
        if spec is not None and spec.required:
            for i, w in zip(values.index, why[bad], strict=True):
                reasons.setdefault(i, f"required `{column}` unreadable: {w}")
    excluded = pd.DataFrame(columns=LOG_COLUMNS)
    if reasons:
        idx = list(reasons)
        excluded = log_rows(
            located.loc[idx], table, "unreadable", pd.Series([reasons[i] for i in idx], index=idx)
        )
        out = out.drop(index=idx)
    return Step(out, excluded, _concat(audit, AUDIT_COLUMNS))


def _id_text(v: object) -> object:
    if is_blank(v):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip() or None


def require_values(data: pd.DataFrame, table: str, columns: Columns | None = None) -> Step:
    """Exclude records whose required columns are empty (pandera nullable check, lazy).

    ``columns``: the table's columns (``StudyConfig.columns_for``); default the canonical ones.
    """
    import pandera.pandas as pa

    spec_of = columns if columns is not None else TABLE_COLUMNS[table]
    required = [c for c, spec in spec_of.items() if spec.required and c in data]
    schema = pa.DataFrameSchema(
        {c: pa.Column(object, nullable=False, coerce=False) for c in required}, strict=False
    )
    try:
        schema.validate(data.astype({c: object for c in required}), lazy=True)
        return Step(data)
    except pa.errors.SchemaErrors as err:
        fc = err.failure_cases
        fc = fc[fc["check"].astype(str).str.contains("not_nullable")]
    bad_idx = sorted(set(fc["index"].dropna().astype(int)))
    if not bad_idx:
        return Step(data)
    bad = data.loc[bad_idx]
    reasons = bad.apply(
        lambda r: (
            "required value missing: " + ", ".join(f"`{c}`" for c in required if pd.isna(r[c]))
        ),
        axis=1,
    )
    return Step(data.drop(index=bad_idx), log_rows(bad, table, "missing", reasons))


# --------------------------------------------------------------------- vocabularies
def vocabulary_lookup(config: StudyConfig, vocab_name: str, source_name: str) -> dict[str, str]:
    """Normalised label -> level for one vocabulary as seen from one source."""
    vocab = config.vocabularies[vocab_name]
    lookup = {}
    for level in vocab.levels:
        for label in [level, *vocab.synonyms.get(level, [])]:
            lookup[normalize_label(label)] = level
    src = next((s for s in config.sources if s.name == source_name), None)
    if src is not None:
        for level, labels in src.synonyms.get(vocab_name, {}).items():
            for label in labels:
                lookup[normalize_label(label)] = level
    return lookup


def map_vocabularies(
    data: pd.DataFrame, table: str, config: StudyConfig
) -> tuple[Step, pd.DataFrame]:
    """Map raw labels to vocabulary levels.

    Returns the step and a table of unmapped values (``table, column, source, value, count,
    rows, suggestion``). Unmapped cells are left missing in ``data``; the caller decides whether
    they stop the run (``cleaning.on_unmapped: error``) or exclude their records.
    """
    out = data.copy()
    unmapped = []
    for column, spec in config.columns_for(table).items():
        if spec.kind not in ("category", "bool") or column not in out:
            continue
        found = config.vocabulary_for(column)
        if found is None:
            continue
        vocab_name, vocab = found
        mapped = pd.Series(pd.NA, index=out.index, dtype=object)
        for source_name, idx in out.groupby("_source", sort=False).groups.items():
            lookup = vocabulary_lookup(config, vocab_name, str(source_name))
            raw = out.loc[idx, column]
            present = raw.notna()
            keys = raw[present].map(normalize_label)
            levels = keys.map(lookup)
            mapped.loc[levels.index] = levels
            miss = levels.isna()
            if miss.any():
                miss_idx = levels.index[miss]
                for value, grp in out.loc[miss_idx].groupby(out.loc[miss_idx, column].astype(str)):
                    close = difflib.get_close_matches(normalize_label(value), list(lookup), n=1)
                    unmapped.append(
                        {
                            "table": table,
                            "column": column,
                            "vocabulary": vocab_name,
                            "source": where(grp, grp.index[0]).rsplit(", row", 1)[0],
                            "value": value,
                            "count": len(grp),
                            "rows": ", ".join(str(r) for r in grp["source_row"].head(10))
                            + (", ..." if len(grp) > 10 else ""),
                            "suggestion": lookup[close[0]] if close else "",
                            "record_index": list(grp.index),
                        }
                    )
        if spec.kind == "bool":
            out[column] = mapped.map({"yes": True, "no": False}).astype("boolean")
        else:
            out[column] = pd.Categorical(mapped, categories=vocab.levels, ordered=vocab.ordered)
    report = pd.DataFrame(unmapped)
    return Step(out), report


def unmapped_message(report: pd.DataFrame) -> str:
    """The error text for unmapped labels: every value, its count, rows, and the fix."""
    lines = [f"{len(report)} unmapped value(s); nothing was guessed or dropped:"]
    for r in report.itertuples():
        hint = f" (closest known label maps to {r.suggestion!r})" if r.suggestion else ""
        plural = "row" if r.count == 1 else "rows"
        lines.append(
            f"  - `{r.column}` has unmapped value {r.value!r} in {r.count} {plural} "
            f"({plural} {r.rows} of {r.source}){hint}; add it to "
            f"`vocabularies.{r.vocabulary}.synonyms` (or to `sources[].synonyms` for this source "
            f"only)."
        )
    return "\n".join(lines)


def handle_unmapped(step: Step, report: pd.DataFrame, table: str, on_unmapped: str) -> Step:
    """Raise on unmapped labels, or exclude their records when ``on_unmapped == 'exclude'``."""
    if report.empty:
        return step
    if on_unmapped == "error":
        raise UnmappedValuesError(unmapped_message(report), report.drop(columns="record_index"))
    idx = sorted({i for lst in report["record_index"] for i in lst})
    bad = step.data.loc[idx]
    reason_by_idx = {
        i: f"unmapped `{r.column}` value {r.value!r}"
        for r in report.itertuples()
        for i in r.record_index
    }
    reasons = pd.Series([reason_by_idx[i] for i in idx], index=idx)
    return Step(step.data.drop(index=idx), log_rows(bad, table, "vocabulary", reasons))


# ------------------------------------------------------------------- dates, numbers
def is_blank(value: object) -> bool:
    """True for a cell that holds nothing, in any of the forms readers give an empty cell.

    None, ``pd.NA``, ``NaT`` (pandas or NumPy), NaN (Python or NumPy float) and text that is empty
    or only white space. calamine and openpyxl give None for a blank XLSX cell, but pandas turns
    it into NaT in a column of dates; Parquet nulls arrive as None, NaN or NaT by column type;
    pyreadstat gives NaN or NaT.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    try:
        return bool(pd.isna(value))  # e.g. pd.NaT subclasses; arrays answer with an array
    except (TypeError, ValueError):
        return False


_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d")
_EXCEL_SERIALS = (20000, 80000)  # 1954-10-03 .. 2119-01-10: the serial days of plausible dates


_TWO_DIGIT_YEAR = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{2})")


def two_digit_year(text: object, order: str) -> bool:
    """True for a text date of the source's ``DMY`` / ``MDY`` order with a two-digit year."""
    return (
        order != "YMD" and isinstance(text, str) and bool(_TWO_DIGIT_YEAR.fullmatch(text.strip()))
    )


def parse_date_value(
    value: object, order: str, *, last_year: int | None = None
) -> pd.Timestamp | None:
    """One raw cell -> a date (midnight, no time zone), or None when it holds no readable date.

    Takes what any reader gives: text (ISO ``YYYY-MM-DD`` with or without a time, or the source's
    ``date_order``), ``datetime`` / ``date`` / ``pd.Timestamp`` (time-zone aware ones keep their
    local calendar day), ``np.datetime64``, ``pd.Period`` and an Excel serial day number (a number
    in 20000..80000). A blank cell (:func:`is_blank`) gives None, as does a date pandas cannot
    hold (before 1677 or after 2262).

    A two-digit year (``12/03/68``) is read as the latest of 19yy and 20yy that is not after
    ``last_year`` (the year of the study window's end, e.g. of ``study.export_date``): with 2026,
    ``26`` is 2026 and ``27`` is 1927. Without ``last_year`` the century is unknown: None.
    """
    if is_blank(value):
        return None
    if isinstance(value, bool | np.bool_):
        return None
    ts: pd.Timestamp | None = None
    if isinstance(value, pd.Period):
        ts = value.to_timestamp()
    elif isinstance(value, pd.Timestamp | dt.datetime | dt.date | np.datetime64):
        ts = _timestamp(value)
    elif isinstance(value, numbers.Real | decimal.Decimal):
        serial = float(value)
        if _EXCEL_SERIALS[0] <= serial <= _EXCEL_SERIALS[1]:
            ts = _EXCEL_EPOCH + pd.Timedelta(days=int(serial))
    else:
        ts = _parse_date_text(str(value).strip(), order, last_year)
    if ts is None or ts is pd.NaT:
        return None
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)  # the wall-clock day where it was recorded
    return ts.normalize()


def _timestamp(value: object) -> pd.Timestamp | None:
    try:
        ts = pd.Timestamp(value)  # type: ignore[arg-type]
    except (ValueError, OverflowError):  # OutOfBoundsDatetime is a ValueError
        return None
    if ts is pd.NaT or not pd.Timestamp.min <= ts.tz_localize(None) <= pd.Timestamp.max:
        return None
    return ts.as_unit("ns")


def _parse_date_text(text: str, order: str, last_year: int | None) -> pd.Timestamp | None:
    short = _TWO_DIGIT_YEAR.fullmatch(text) if order != "YMD" else None
    if short is not None:
        if last_year is None:
            return None
        first, _, second, yy = short.groups()
        year = 2000 + int(yy) if 2000 + int(yy) <= last_year else 1900 + int(yy)
        day, month = (first, second) if order == "DMY" else (second, first)
        try:
            return _timestamp(dt.datetime(year, int(month), int(day)))
        except ValueError:
            return None
    for fmt in [*_ISO_FORMATS, *_DATE_FORMATS[order]]:
        try:
            return _timestamp(dt.datetime.strptime(text, fmt))
        except ValueError:
            continue
    if _ISO_DATETIME.match(text):  # ISO with fractions of a second or a UTC offset
        try:
            return _timestamp(dt.datetime.fromisoformat(text))
        except ValueError:
            return None
    return None


def parse_dates(data: pd.DataFrame, table: str, config: StudyConfig) -> Step:
    """Parse date columns by each source's ``date_order``; keep them inside the study window.

    An unparseable required date excludes the record (step ``parse``); an unparseable
    optional date is set missing and audited. A date outside ``config.date_window`` (by default
    1901-01-01 to ``study.export_date``, or no end) is not plausible: a required one excludes
    the record (step ``check``), an optional one is set missing and audited.
    """
    out = data.copy()
    orders = {s.name: s.date_order for s in config.sources}
    start, end = config.date_window
    last_year = end.year if end is not None else None
    lo = pd.Timestamp(start)
    hi = pd.Timestamp(end) if end is not None else pd.Timestamp.max
    window = f"[{start:%Y-%m-%d}, {end:%Y-%m-%d}]" if end is not None else f"[{start:%Y-%m-%d}, -]"
    excluded, audit = [], []
    drop: set[object] = set()
    for column, spec in config.columns_for(table).items():
        if spec.kind != "date" or column not in out:
            continue
        raw = out[column]
        order = out["_source"].map(orders)
        parsed = pd.Series(
            [parse_date_value(v, o, last_year=last_year) for v, o in zip(raw, order, strict=True)],
            index=out.index,
        )
        failed = ~raw.map(is_blank).astype(bool) & parsed.isna()
        dates = pd.to_datetime(parsed).astype("datetime64[ns]")
        outside = dates.notna() & ((dates < lo) | (dates > hi))
        out[column] = dates.mask(outside)

        def reject(
            mask: pd.Series,
            step: str,
            check: str,
            msgs: list[str],
            spec: Column = spec,
            column: str = column,
            raw: pd.Series = raw,
        ) -> None:
            """A required date excludes its record (``step``); an optional one is cleared and
            audited (``check``)."""
            bad = out.loc[mask]
            reasons = pd.Series(msgs, index=bad.index)
            if spec.required:
                excluded.append(log_rows(bad, table, step, reasons))
                drop.update(bad.index)
            else:
                audit.append(
                    audit_rows(bad, table, column, check, raw[mask], "set_missing", reasons)
                )

        if failed.any():
            reject(
                failed,
                "parse",
                "date",
                [
                    _date_message(column, v, o, last_year)
                    for v, o in zip(raw[failed], order[failed], strict=True)
                ],
            )
        if outside.any():
            reject(
                outside,
                "check",
                "date_window",
                [
                    f"`{column}` value {v!r} ({d:%Y-%m-%d}) is outside the study window "
                    f"{window}; check the year (the window is `cleaning.date_window`, its end "
                    f"by default `study.export_date`)"
                    for v, d in zip(raw[outside], dates[outside], strict=True)
                ],
            )
    return Step(
        out.drop(index=list(drop)),
        _concat(excluded, LOG_COLUMNS),
        _concat(audit, AUDIT_COLUMNS),
    )


def _date_message(column: str, value: object, order: str, last_year: int | None) -> str:
    """The message of a date cell that could not be read."""
    if last_year is None and two_digit_year(value, order):
        return (
            f"`{column}` value {value!r} has a two-digit year and the study declares no "
            f"`study.export_date` to choose its century; write the year with four digits or set "
            f"`study.export_date`"
        )
    return (
        f"`{column}` value {value!r} is not a date (expected ISO YYYY-MM-DD "
        f"or the source's date_order)"
    )


_AMBIGUOUS_NUMBER = re.compile(r"[+-]?[1-9]\d{0,2}[.,]\d{3}")
_EXPONENT = r"(?:[eE][+-]?\d+)?"


def _number_pattern(decimal_mark: str) -> re.Pattern[str]:
    """A number written with ``decimal_mark``: the other mark only between groups of three."""
    d = re.escape(decimal_mark)
    t = re.escape("," if decimal_mark == "." else ".")
    return re.compile(rf"[+-]?(?:(?:\d+|\d{{1,3}}(?:{t}\d{{3}})+)(?:{d}\d*)?|{d}\d+){_EXPONENT}")


_NUMBER_PATTERNS = {mark: _number_pattern(mark) for mark in (".", ",")}


def _to_number(value: object, decimal_mark: str | None = None) -> float | None:
    """One cell -> a float, or None (blank, not a number, ambiguous, or not in the locale).

    ``decimal_mark`` is the source's declared ``sources[].decimal``; see :func:`read_number`.
    """
    return read_number(value, decimal_mark)[0]


def read_number(value: object, decimal_mark: str | None) -> tuple[float | None, str]:
    """``(number, problem)``: problem is '' (read or blank), 'ambiguous', 'locale' or 'text'.

    ``decimal_mark`` is the source's ``sources[].decimal``. Declared: the other mark is a
    thousands separator only between groups of three, else the text is 'locale'. Undeclared: a
    decimal comma or point is read, but one separator followed by exactly three digits
    (``1.234``, ``1,250``) is 'ambiguous', never guessed. :func:`number_message` words it.
    """
    if is_blank(value):
        return None, ""
    if isinstance(value, bool):
        return None, "text"
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value), ""
    text = str(value).strip().replace(" ", "")
    if decimal_mark is None:
        if _AMBIGUOUS_NUMBER.fullmatch(text):
            return None, "ambiguous"
        if "," in text and "." not in text:
            text = text.replace(",", ".")
    else:
        if not _NUMBER_PATTERNS[decimal_mark].fullmatch(text):
            return None, "locale" if re.fullmatch(r"[+-]?[\d.,]*\d[\d.,]*", text) else "text"
        thousands = "," if decimal_mark == "." else "."
        text = text.replace(thousands, "").replace(decimal_mark, ".")
    try:
        number = float(text)
    except ValueError:
        return None, "text"
    return (None, "text") if np.isnan(number) else (number, "")


def number_message(
    column: str, value: object, problem: str, what: str, source: str, mark: str | None
) -> str:
    """The audit message of a numeric cell that was cleared."""
    return f"`{column}` value {number_problem(value, problem, what, source, mark)}"


def number_problem(value: object, problem: str, what: str, source: str, mark: str | None) -> str:
    """Why ``value`` was not read as a number (``problem`` of :func:`read_number`), and the fix:
    "'1,250' is ambiguous: ...", for the messages of a cell or of a number inside a text."""
    if problem == "ambiguous":
        text = str(value).strip()
        mark = "." if "." in text else ","
        other = "," if mark == "." else "."
        as_decimal = float(text.replace(",", "."))
        as_thousands = float(text.replace(mark, ""))
        return (
            f"{value!r} is ambiguous: {mark!r} may be the decimal mark "
            f"({as_decimal:g}) or a thousands separator ({as_thousands:g}); declare "
            f"`sources[].decimal` ({mark!r} or {other!r}) for source '{source}'"
        )
    if problem == "locale":
        return (
            f"{value!r} does not fit the decimal mark {mark!r} declared for "
            f"source '{source}' (`sources[].decimal`): expected digits, {mark!r} before the "
            f"decimals and thousands in groups of three (e.g. {_LOCALE_EXAMPLE[mark or '.']!r}); "
            f"correct the value or the declaration"
        )
    return f"{value!r} is not {what}"


_LOCALE_EXAMPLE = {".": "1,234.5", ",": "1.234,5"}


def parse_numbers(
    data: pd.DataFrame,
    table: str,
    columns: Columns | None = None,
    *,
    decimals: dict[str, str | None] | None = None,
) -> Step:
    """Numeric columns to float (``integer`` columns to nullable integers); text that is not a
    number, and a fraction in an integer column, is set missing and audited. ``text`` columns
    are kept as strings.

    ``decimals`` maps a source name to its declared ``sources[].decimal``. With one, the other
    mark is a thousands separator only between groups of three, and text that does not fit is
    cleared; without one, a value with one separator followed by exactly three digits (``1.234``,
    ``1,250``) is ambiguous and cleared. Every cleared value has an audit row.
    """
    out = data.copy()
    audit = []
    spec_of = columns if columns is not None else TABLE_COLUMNS[table]
    by_source = decimals or {}
    sources = (
        out["_source"].astype(str)
        if "_source" in out
        else pd.Series("", index=out.index, dtype=object)
    )
    marks = sources.map(lambda s: by_source.get(s))
    for column, spec in spec_of.items():
        if column not in out:
            continue
        if spec.kind == "text":
            out[column] = out[column].map(lambda v: None if pd.isna(v) else str(v))
            out[column] = out[column].astype("string")
            continue
        if spec.kind not in ("number", "integer"):
            continue
        raw = out[column]
        read = [read_number(v, m) for v, m in zip(raw, marks, strict=True)]
        parsed = pd.Series([r[0] for r in read], index=out.index, dtype="float64")
        problems = pd.Series([r[1] for r in read], index=out.index, dtype=object)
        failed = ~raw.map(is_blank).astype(bool) & parsed.isna()
        what = "a number"
        if spec.kind == "integer":
            fraction = parsed.notna() & (parsed != parsed.round())
            failed |= fraction
            parsed = parsed.mask(fraction)
            what = "a whole number"
        out[column] = parsed.astype("Int64") if spec.kind == "integer" else parsed
        if failed.any():
            bad = out.loc[failed]
            msgs = pd.Series(
                [
                    number_message(column, v, p, what, s, m)
                    for v, p, s, m in zip(
                        raw[failed], problems[failed], sources[failed], marks[failed], strict=True
                    )
                ],
                index=bad.index,
            )
            audit.append(audit_rows(bad, table, column, "number", raw[failed], "set_missing", msgs))
    return Step(out, audit=_concat(audit, AUDIT_COLUMNS))


def apply_range_checks(data: pd.DataFrame, table: str, config: StudyConfig) -> Step:
    """Apply ``checks[]`` for this table with pandera (lazy: every failure is collected)."""
    import pandera.pandas as pa

    checks = [c for c in config.checks if c.table == table and c.column in data]
    checks += [
        RangeCheck(table=table, column=name, min=spec.min, max=spec.max)  # type: ignore[arg-type]
        for name, spec in config.columns_for(table).items()
        if (spec.min is not None or spec.max is not None) and name in data
    ]
    if not checks:
        return Step(data)
    out = data.copy()
    excluded, audit = [], []
    drop: set[object] = set()
    for chk in checks:
        lo = -np.inf if chk.min is None else chk.min
        hi = np.inf if chk.max is None else chk.max
        schema = pa.DataFrameSchema(
            {chk.column: pa.Column(float, pa.Check.in_range(lo, hi), nullable=True)}
        )
        try:
            schema.validate(out[[chk.column]], lazy=True)
            continue
        except pa.errors.SchemaErrors as err:
            idx = sorted(set(err.failure_cases["index"].dropna().astype(int)))
        bad = out.loc[idx]
        values = bad[chk.column]
        msgs = values.map(
            lambda v, c=chk, k="checks" if chk in config.checks else "variables": (
                f"`{c.column}` value {v:g} outside the plausible range "
                f"[{c.min}, {c.max}] ({k}: {c.table}.{c.column})"
            )
        )
        if chk.action == "exclude":
            excluded.append(log_rows(bad, table, "check", msgs))
            drop |= set(idx)
        else:
            audit.append(audit_rows(bad, table, chk.column, "range", values, "set_missing", msgs))
            out.loc[idx, chk.column] = np.nan
    return Step(
        out.drop(index=list(drop)), _concat(excluded, LOG_COLUMNS), _concat(audit, AUDIT_COLUMNS)
    )


def check_stop_after_start(data: pd.DataFrame, table: str = "concomitant") -> Step:
    """Exclude records (concomitant treatments, treatment periods) whose ``stop_date`` precedes
    their ``start_date``."""
    bad_mask = data["stop_date"].notna() & (data["stop_date"] < data["start_date"])
    if not bad_mask.any():
        return Step(data)
    bad = data.loc[bad_mask]
    msgs = bad.apply(
        lambda r: (
            f"stop_date {r['stop_date']:%Y-%m-%d} is before start_date {r['start_date']:%Y-%m-%d}"
        ),
        axis=1,
    )
    return Step(data.loc[~bad_mask], log_rows(bad, table, "check", msgs))


# ----------------------------------------------------------------- duplicates
_NOT_VALUES = {"patient_id", "source_file", "source_sheet", "source_row", "_source"}


def deduplicate_patients(data: pd.DataFrame) -> tuple[Step, pd.DataFrame]:
    """Merge agreeing duplicate patient rows; exclude every row of ids whose rows disagree.

    Returns the step and a table of conflicts (``patient_id, columns, rows``) for the report.
    """
    dup_mask = data["patient_id"].duplicated(keep=False)
    if not dup_mask.any():
        return Step(data), pd.DataFrame(columns=["patient_id", "columns", "rows"])
    keep_parts = [data.loc[~dup_mask]]
    excluded, conflicts = [], []
    for pid, grp in data.loc[dup_mask].groupby("patient_id", sort=False):
        cols = [c for c in grp.columns if c not in _NOT_VALUES]
        differing = [c for c in cols if grp[c].dropna().astype(str).nunique() > 1]
        places = "; ".join(where(grp, i) for i in grp.index)
        if differing:
            detail = ", ".join(
                f"{c}: " + " vs ".join(repr(v) for v in grp[c].astype(str)) for c in differing
            )
            msg = (
                f"patient_id {pid!r} appears in {len(grp)} rows with conflicting values ({detail}); "
                f"all rows excluded. Correct the export so one record remains."
            )
            excluded.append(log_rows(grp, "patients", "conflict", msg))
            conflicts.append({"patient_id": pid, "columns": ", ".join(differing), "rows": places})
            continue
        first = grp.index[0]
        merged = grp.iloc[[0]].copy()
        for c in cols:
            non_null = grp[c].dropna()
            if len(non_null) and pd.isna(merged.at[first, c]):
                merged.at[first, c] = non_null.iloc[0]
        keep_parts.append(merged)
        rest = grp.iloc[1:]
        excluded.append(
            log_rows(
                rest, "patients", "duplicate", f"duplicate of {where(grp, first)} (same values)"
            )
        )
    kept = pd.concat(keep_parts).sort_index()
    return Step(kept, _concat(excluded, LOG_COLUMNS)), pd.DataFrame(conflicts)


def drop_duplicate_records(data: pd.DataFrame, table: str) -> Step:
    """Keep the first record of each duplicate key (``schema.DUPLICATE_KEYS``); log the others."""
    keys = DUPLICATE_KEYS[table]
    dup = data.duplicated(keys, keep="first")
    if not dup.any():
        return Step(data)
    first_idx = data.loc[~data.duplicated(keys, keep="first")].set_index(keys).index
    firsts = pd.Series(data.loc[~dup].index, index=first_idx)
    bad = data.loc[dup]
    reasons = pd.Series(
        [
            f"duplicate of {where(data, firsts.loc[tuple(r)])} (same {', '.join(keys)})"
            for r in bad[keys].itertuples(index=False)
        ],
        index=bad.index,
    )
    return Step(data.loc[~dup], log_rows(bad, table, "duplicate", reasons))


def drop_orphans(
    data: pd.DataFrame,
    table: str,
    kept_ids: set[str],
    excluded_patients: dict[str, tuple[str, str]],
) -> Step:
    """Exclude child records whose patient is not kept.

    ``excluded_patients`` maps an excluded patient id to its ``(step, reason)``; their records
    are logged as ``patient_excluded`` with that reason, others as ``orphan``.
    """
    orphan = ~data["patient_id"].isin(kept_ids)
    if not orphan.any():
        return Step(data)
    bad = data.loc[orphan]
    steps = bad["patient_id"].map(
        lambda p: "patient_excluded" if p in excluded_patients else "orphan"
    )
    reasons = bad["patient_id"].map(
        lambda p: (
            f"patient excluded at step '{excluded_patients[p][0]}': {excluded_patients[p][1]}"
            if p in excluded_patients
            else f"patient_id {p!r} is not in the patient table"
        )
    )
    logs = [
        log_rows(bad.loc[steps == s], table, s, reasons[steps == s]) for s in sorted(set(steps))
    ]
    return Step(data.loc[~orphan], _concat(logs, LOG_COLUMNS))


def flag_close_exposures(data: pd.DataFrame, min_days: int, noun: str = "exposure") -> Step:
    """Flag exposures fewer than ``min_days`` after the patient's previous one (kept, audited)."""
    out = data.sort_values(["patient_id", "start_date", "source_row"], kind="stable").copy()
    gap = out.groupby("patient_id")["start_date"].diff().dt.days
    out["is_possible_double_entry"] = (gap < min_days).fillna(False).astype(bool)
    flagged = out.loc[out["is_possible_double_entry"]]
    msgs = gap[flagged.index].map(
        lambda d: (
            f"{noun} {int(d)} day(s) after the previous one (< {min_days}); possible "
            f"double entry, kept"
        )
    )
    audit = audit_rows(
        flagged,
        "exposures",
        "start_date",
        "min_interval",
        flagged["start_date"].dt.strftime("%Y-%m-%d"),
        "flagged",
        msgs,
    )
    return Step(out, audit=audit)
