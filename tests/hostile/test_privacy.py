"""Hostile corpus, no identifier out: names, phone numbers, e-mails and national ids typed into
every kind of field of a small study stay in the processed data (kept as free text, or logged
with their raw value for the study team) and never reach a file under the reports folder; a
plan that would show free text, an identifier or an exact date is refused when the study file
is read; an error quoting a raw value is printed in the terminal, not written for sharing.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import analysis.tables.study_tables as tables_study
from analysis.clean.dictionary import column_profile
from analysis.clean.stage import clean_study
from analysis.errors import ConfigError, PipelineError
from analysis.privacy import WITHHELD, check_shown
from analysis.run.cli import app
from analysis.studyfile.config import StudyConfig
from analysis.studyfile.plan import FrequenciesTable
from tests.conftest import MINI_FILES, MINI_YAML
from tests.hostile.scan import CPF, EMAIL, NAME, NEEDLES, NIF, PHONE, SSN, find_planted

runner = CliRunner()
INJECTION = "<script>alert('x')</script><img src=x onerror=alert(1)>"
NOTE = f"{NAME} asked to stop; call {PHONE} or {EMAIL}; SSN {SSN}, CPF {CPF}, NIF {NIF}"
# the mini study's ids (P1...) are too short to look for; the planted id is the e-mail
ALL_NEEDLES = [*NEEDLES, "onerror=", "<script>alert"]


def _write_study(
    root: Path,
    files: dict[str, str] | None = None,
    edit: Callable[[dict], None] | None = None,
) -> Path:
    """The mini study of tests/conftest.py under ``root``, with ``files`` replacing some of its
    raw files and ``edit`` changing its study file (as a dict); the study file's path."""
    (root / "raw").mkdir(parents=True)
    for name, text in {**MINI_FILES, **(files or {})}.items():
        (root / "raw" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    data = yaml.safe_load(MINI_YAML)
    if edit is not None:
        edit(data)
    (root / "studies").mkdir()
    path = root / "studies" / "mini.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _source(data: dict, name: str) -> dict:
    return next(s for s in data["sources"] if s["name"] == name)


# ----------------------------------------------------------------- every field kind, one run
# One raw value per kind of field: free text declared in two tables (one an HTML injection),
# an optional and a required date, a number, a label no vocabulary maps, a patient id.
PLANTED_FILES = {
    "patients.csv": f"""\
        id,sex,age,grade,last_visit,discontinued,disc_date,disc_reason,note
        P1,F,55,Ludwig I,2021-01-10,no,call Maria 912345678,,"{NOTE}"
        P2,male,40,HN III,2021-03-01,yes,2020-12-01,cost,"{NOTE}"
        P3,Mujer,61,Ludwig II,2020-06-01,no,,,
        P4,M,{NAME} {SSN},HN IV,2021-02-01,no,,,"{NOTE}"
        {EMAIL},F,50,Ludwig I,2021-02-01,no,,,"{NOTE}"
        """,
    "sessions.csv": f"""\
        id,date,dose
        P1,2020-01-10,0.1
        P1,2020-04-10,0.1
        P1,2020-07-10,0.1
        P1,ligar {PHONE},0.1
        P2,2020-01-15,0.1
        P2,2020-04-15,0.1
        P3,2020-03-01,0.1
        P4,2020-02-01,0.1
        P4,2020-05-01,0.1
        P4,2020-08-01,0.1
        {EMAIL},2020-01-10,0.1
        """,
    "aes.csv": f"""\
        id,onset,term,severity,serious,note
        P1,2020-01-11,dolor,leve,no,"{INJECTION}"
        P1,2020-04-11,pain,mild,no,"{NOTE}"
        P1,2020-04-11,edema,moderate,no,
        P4,2020-02-02,pain,mild,no,"{INJECTION} {NAME}"
        """,
    "conc.csv": f"""\
        id,drug,start,stop
        P2,minoxidil oral,2019-06-01,
        P4,biotin,2020-01-01,
        P4,{NAME} {CPF},2020-01-01,
        """,
}


def _planted_edit(data: dict) -> None:
    _source(data, "patients")["columns"]["clinical_note"] = "note"
    _source(data, "aes")["columns"]["ae_note"] = "note"
    data["variables"] = {
        "patients": {"clinical_note": {"type": "text", "label": "Note"}},
        "adverse_events": {"ae_note": {"type": "text", "label": "Note on the event"}},
    }
    data["cleaning"] = {"on_unmapped": "exclude"}


@dataclass(frozen=True)
class Planted:
    config: StudyConfig
    output: str


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Planted:
    path = _write_study(tmp_path_factory.mktemp("planted"), PLANTED_FILES, _planted_edit)
    res = runner.invoke(app, ["run", str(path)])
    assert res.exit_code == 0, res.output
    return Planted(StudyConfig.load(path), res.output)


def _processed(planted: Planted, name: str) -> pd.DataFrame:
    return pd.read_parquet(planted.config.processed_dir / f"{name}.parquet")


def _kept_text(planted: Planted) -> None:
    patients = _processed(planted, "patients").set_index("patient_id")
    assert patients.loc["P1", "clinical_note"] == NOTE


def _kept_injection(planted: Planted) -> None:
    aes = _processed(planted, "adverse_events")
    assert set(aes["ae_note"].dropna()) >= {INJECTION, NOTE}


def _kept_id(planted: Planted) -> None:
    assert EMAIL in set(_processed(planted, "patients")["patient_id"])


def _audited(column: str, value: str, check: str) -> Callable[[Planted], None]:
    def assert_audited(planted: Planted) -> None:
        audit = _processed(planted, "audit")
        row = audit.loc[(audit["column"] == column) & (audit["value"].astype(str) == value)]
        assert row[["check", "action"]].values.tolist() == [[check, "set_missing"]], audit

    return assert_audited


def _excluded(table: str, step: str, reason: str) -> Callable[[Planted], None]:
    def assert_excluded(planted: Planted) -> None:
        ex = _processed(planted, "exclusions")
        row = ex.loc[(ex["table"] == table) & (ex["step"] == step)]
        assert row["reason"].tolist() == [reason], ex

    return assert_excluded


FIELDS = {
    "free text of a patient": _kept_text,
    "free text of an event, with HTML and script": _kept_injection,
    "a patient id that is an e-mail": _kept_id,
    "a phone number in an optional date": _audited(
        "discontinuation_date", "call Maria 912345678", "date"
    ),
    "a name and an SSN in a number": _audited("age_years", f"{NAME} {SSN}", "number"),
    "a phone number in a required date": _excluded(
        "exposures",
        "parse",
        f"`start_date` value 'ligar {PHONE}' is not a date (expected ISO YYYY-MM-DD or the "
        "source's date_order)",
    ),
    "a name and a CPF as an unmapped label": _excluded(
        "concomitant", "vocabulary", f"unmapped `drug` value '{NAME} {CPF}'"
    ),
}


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_a_planted_field_is_kept_or_logged_for_the_study_team(planted, field):
    FIELDS[field](planted)
    report = pd.read_csv(planted.config.processed_dir / "validation_report.csv")
    assert len(report) >= 4  # the row-level logs, with raw values, stay in data/processed


# Per kind of file: a word the scanner must find in one of them (an adverse-event term, the
# inclusion criterion of the flow diagram, a file the manifest lists, the PNG metadata),
# so that a kind the scanner cannot read fails here instead of passing.
SHOWN_WORD = {
    ".html": "edema",
    ".pdf": "edema",
    ".docx": "edema",
    ".xlsx": "edema",
    ".csv": "edema",
    ".parquet": "edema",
    ".svg": "follow-up",
    ".json": "tables.docx",
    ".png": "retro-analysis",
}


@pytest.mark.parametrize("suffix", sorted(SHOWN_WORD))
def test_no_planted_string_nor_id_in_any_report_file_of_this_kind(planted, suffix):
    reports = planted.config.reports_dir
    files = sorted(str(p.relative_to(reports)) for p in reports.rglob(f"*{suffix}"))
    assert files, f"the run wrote no {suffix} file under {reports}"
    shown = find_planted(reports, [SHOWN_WORD[suffix]])
    assert [f for f in shown if f.endswith(suffix)], f"the scanner reads no {suffix} file"
    found = find_planted(reports, ALL_NEEDLES, [EMAIL])
    assert {f: hits for f, hits in found.items() if f.endswith(suffix)} == {}
    assert not (reports / "retro-error.log").exists()


# ----------------------------------------------------------------- a plan that would show them
PLAN_CASES = {
    "free text in a frequencies table": (
        {"notes": {"kind": "frequencies", "variables": ["clinical_note"]}},
        [],
        "analysis.tables.notes.variables[0]: `variables.patients.clinical_note` is free text "
        "(type text): what is typed in it may identify a patient; it is never shown in a table.",
    ),
    "a patient id in a baseline table": (
        {"t1": {"kind": "baseline", "variables": ["age_years", "patient_id"]}},
        [],
        "analysis.tables.t1.variables[1]: `patient_id` is an identifier of a patient; it is "
        "never shown in a table.",
    ),
    "a visit date as the columns of a table": (
        {"t1": {"kind": "baseline", "by": "last_visit_date", "variables": ["age_years"]}},
        [],
        "analysis.tables.t1.by: `last_visit_date` is an exact date of a patient; it is never "
        "shown in a table.",
    ),
    "a derived date in a frequencies table": (
        {"t1": {"kind": "frequencies", "variables": ["sex", "day0_date"]}},
        [],
        "analysis.tables.t1.variables[1]: `day0_date` is an exact date of a patient; it is never "
        "shown in a table.",
    ),
    "free text as a covariate": (
        {
            "m": {
                "kind": "logistic",
                "outcome": "has_teae",
                "covariates": ["age_years", "clinical_note"],
            }
        },
        [],
        "analysis.tables.m.covariates[1]: `variables.patients.clinical_note` is free text",
    ),
    "free text as a Cox covariate": (
        {
            "km": {
                "kind": "time_to_event",
                "time": "time_to_discontinuation_months",
                "event": "is_discontinued",
                "by": "sex",
                "covariates": {"clinical_note": None},
            }
        },
        [],
        "analysis.tables.km.covariates.clinical_note: `variables.patients.clinical_note` is free "
        "text",
    ),
    "free text of an exposure splitting a per-exposure table": (
        {"ae": {"kind": "ae_incidence", "unit": "exposures", "by": ["site_note"]}},
        [],
        "analysis.tables.ae.by[0]: `variables.exposures.site_note` is free text (type text)",
    ),
    "free text of an event as the terms of an adverse-event table": (
        {"ae": {"kind": "ae_incidence", "term": "ae_note"}},
        [],
        "analysis.tables.ae.term: `variables.adverse_events.ae_note` is free text (type text)",
    ),
    "free text splitting a figure": (
        {"ae": {"kind": "ae_incidence"}},
        [{"kind": "ae_incidence", "table": "ae", "by": "clinical_note"}],
        "analysis.figures[0].by: `variables.patients.clinical_note` is free text (type text): "
        "what is typed in it may identify a patient; it is never shown in a figure.",
    ),
}


@pytest.mark.parametrize("case", sorted(PLAN_CASES))
def test_a_plan_showing_identifying_values_is_refused(tmp_path, case):
    tables, figures, message = PLAN_CASES[case]

    def edit(data: dict) -> None:
        _planted_edit(data)
        _source(data, "sessions")["columns"]["site_note"] = "dose"
        data["variables"]["exposures"] = {"site_note": {"type": "text"}}
        data["analysis"] = {"tables": tables, **({"figures": figures} if figures else {})}

    path = _write_study(tmp_path, PLANTED_FILES, edit)
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    text = " ".join(str(exc.value).split())
    assert text.startswith(f"{path}: 1 problem(s) in the study config:")
    assert message in text
    assert text.endswith(
        "Tables and figures show levels, counts and statistics: to tabulate it, read it as a "
        "`category` variable whose vocabulary maps every label to a level; otherwise remove it."
    )


# ----------------------------------------------------------------- errors quoting raw values
def test_an_unmapped_label_is_told_in_the_terminal_and_written_nowhere_shared(tmp_path):
    files = {
        **PLANTED_FILES,
        "patients.csv": PLANTED_FILES["patients.csv"].replace(",M,", f",{NAME} {PHONE},"),
    }
    path = _write_study(tmp_path, files, lambda d: (_planted_edit(d), d.pop("cleaning")))
    res = runner.invoke(app, ["run", str(path)])
    assert res.exit_code == 2, res.output
    assert f"`sex` has unmapped value '{NAME} {PHONE}' in 1 row" in res.output
    config = StudyConfig.load(path)
    assert find_planted(config.reports_dir, ALL_NEEDLES) == {}
    assert not (config.processed_dir / "retro-error.log").exists()  # a user error: no log


def test_an_unexpected_error_quoting_a_value_is_logged_beside_the_data_not_the_reports(
    tmp_path, monkeypatch
):
    def builders(config, result):  # noqa: ANN001, ANN202
        def fail():  # noqa: ANN202
            raise RuntimeError(f"cannot read {NAME} {PHONE}")

        return {"baseline": fail}

    monkeypatch.setattr(tables_study, "table_builders", builders)
    path = _write_study(tmp_path, PLANTED_FILES, _planted_edit)
    res = runner.invoke(app, ["run", str(path)])
    assert res.exit_code == 2, res.output
    config = StudyConfig.load(path)
    log = config.processed_dir / "retro-error.log"
    assert f"RuntimeError: cannot read {NAME} {PHONE}" in log.read_text(encoding="utf-8")
    assert f"in {log};" in " ".join(res.output.split())
    assert find_planted(config.reports_dir, ALL_NEEDLES) == {}


def test_a_failing_notebook_keeps_its_error_text_out_of_the_shared_copy(tmp_path):
    files = {
        **PLANTED_FILES,
        "patients.csv": PLANTED_FILES["patients.csv"].replace(",M,", f",{NAME} {PHONE},"),
    }
    path = _write_study(tmp_path / "study", files, lambda d: (_planted_edit(d), d.pop("cleaning")))
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('study_path = ""')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        params,
        nbformat.v4.new_code_cell(
            "from analysis.run.study import Study\nStudy.load(study_path).clean"
        ),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    (tmp_path / "nbs").mkdir()
    nbformat.write(nb, tmp_path / "nbs" / "01-clean.ipynb")
    res = runner.invoke(app, ["notebooks", str(path), "--folder", str(tmp_path / "nbs")])
    # the cleaning in `retro notebooks` stops it with the message; the notebook ran meanwhile
    assert res.exit_code == 2, res.output
    assert f"`sex` has unmapped value '{NAME} {PHONE}'" in res.output
    reports = StudyConfig.load(path).reports_dir
    # the copies of a failed run are kept apart (the shared folder keeps the last good ones)
    assert not (reports / "notebooks" / "01-clean.ipynb").exists()
    copy = nbformat.read(reports / "notebooks-failed" / "01-clean.ipynb", as_version=4)
    errors = [o for c in copy.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert [(o.ename, o.evalue) for o in errors] == [("UnmappedValuesError", WITHHELD)]
    assert find_planted(reports, ALL_NEEDLES) == {}


# ----------------------------------------------------------------- strings no vocabulary maps
def _mini_config(tmp_path: Path) -> StudyConfig:
    return StudyConfig.load(_write_study(tmp_path, PLANTED_FILES, _planted_edit))


def test_a_column_of_strings_no_vocabulary_maps_is_never_tabulated(tmp_path):
    """The safe default: a column the study did not declare as free text, holding strings no
    vocabulary mapped, is refused by the table that would show it."""
    config = _mini_config(tmp_path)
    result = clean_study(config)
    patients = result.patients.assign(centre=[NOTE] * len(result.patients))
    spec = FrequenciesTable(kind="frequencies", variables=["centre"])
    with pytest.raises(PipelineError) as exc:
        check_shown("centres", spec, {**result.tables, "patients": patients}, config)
    assert str(exc.value) == (
        "table 'centres' (kind frequencies) would show the values of `centre` "
        "(analysis.tables.centres.variables[0]): `centre` holds strings that no vocabulary maps, "
        "taken as free text: they may identify a patient, so it is never shown in a table. "
        "Tables and figures show levels, counts and statistics: to tabulate it, read it as a "
        "`category` variable whose vocabulary maps every label to a level; otherwise remove it."
    )


def test_a_column_of_strings_no_vocabulary_maps_is_only_counted_in_the_profile(tmp_path):
    """What 01-cleaning shows of such a column, of free text and of ids: how many values."""
    config = _mini_config(tmp_path)
    tables = clean_study(config).tables
    n = len(tables["patients"])
    patients = tables["patients"].assign(centre=[NOTE] * (n - 1) + [None])
    profile = column_profile({**tables, "patients": patients}, config)
    shown = profile.loc[profile["table"] == "patients"].set_index("column")
    for column, how, present in [
        ("centre", "count only (text)", n - 1),
        ("clinical_note", "count only (text)", patients["clinical_note"].notna().sum()),
        ("patient_id", "count only (identifier)", n),
    ]:
        rows = shown.loc[[column]]
        assert rows[["shown", "level", "stat", "value"]].values.tolist() == [
            [how, None, "n", float(present)],
            [how, None, "missing", float(n - present)],
        ]


def test_a_column_of_vocabulary_words_is_still_shown_by_level(tmp_path):
    """Not everything made of strings is free text: the scale of the baseline grade (the
    categories of its vocabulary, words of the study file) is tabulated by level."""
    from analysis.run.study import Study

    def edit(data: dict) -> None:
        _planted_edit(data)
        data["analysis"] = {
            "tables": {"scales": {"kind": "frequencies", "variables": ["grade_scale"]}}
        }

    study = Study.load(_write_study(tmp_path, PLANTED_FILES, edit))
    frame = study.tables["scales"].frame
    counts = frame.loc[frame["stat"] == "n"].set_index("level")["value"].to_dict()
    scales = study.clean.patients["grade_scale"].value_counts().to_dict()
    assert counts == {k: float(v) for k, v in scales.items()}
    assert set(counts) == {"Hamilton-Norwood", "Ludwig"}


# ------------------------------------------------------- a warning quoting ids, in the report
NEAR_FILES = {
    "patients.csv": MINI_FILES["patients.csv"]
    + "        ZQXPATIENT9,F,47,Ludwig I,2021-01-10,no,,\n"
    + "        zqxpatient9,M,52,HN III,2021-02-10,no,,\n",
    "sessions.csv": MINI_FILES["sessions.csv"]
    + "        ZQXPATIENT9,2020-02-10,0.1\n"
    + "        zqxpatient9,2020-03-10,0.1\n"
    + "        zqxPatient9,2020-04-10,0.1\n",
}


def test_a_warning_quoting_patient_ids_shows_only_its_counts_in_the_report(tmp_path):
    """A probe found the near-duplicate ids of a `near_duplicates: warn` study, and the rows
    they were on, in the banners of report.html and report.pdf: the cleaning's warnings were
    printed there as the terminal says them. The terminal still names them; the report counts."""

    def warn(data: dict) -> None:
        data["cleaning"] = {"ids": {"near_duplicates": "warn"}, "max_orphan_fraction": 0.1}

    path = _write_study(tmp_path, NEAR_FILES, warn)
    res = runner.invoke(app, ["run", str(path)])
    assert res.exit_code == 0, res.output
    terminal = " ".join(res.output.split())
    assert "'ZQXPATIENT9' (patients.csv, row 6), 'zqxpatient9' (patients.csv, row 7)" in terminal
    assert "'zqxPatient9' (row 13) -> patient id" in terminal
    reports = StudyConfig.load(path).reports_dir
    html = (reports / "report.html").read_text(encoding="utf-8")
    assert "Warning: 1 group(s) of patient ids differ only by white space" in html
    assert "(2 ids; the audit log lists them)" in html
    assert "match no patient id but do after folding (the audit log lists them)" in html
    assert find_planted(reports, ["zqxpatient9"], ["zqxpatient9"]) == {}


def test_a_warning_that_does_not_say_it_is_safe_is_withheld_from_shared_outputs():
    from analysis.clean.shared_text import WITHHELD as WITHHELD_WARNING
    from analysis.clean.shared_text import Quoting, Shareable, shared_forms

    said = [Shareable("3 patients excluded"), Quoting("id 'A1' twice", "1 id twice"), "id 'B2'"]
    assert shared_forms([*said, "id 'C3'"]) == (
        "3 patients excluded",
        "1 id twice",
        WITHHELD_WARNING,
    )
    import pickle

    assert [shared_forms([pickle.loads(pickle.dumps(w))]) for w in said] == [
        ("3 patients excluded",),
        ("1 id twice",),
        (WITHHELD_WARNING,),
    ]
