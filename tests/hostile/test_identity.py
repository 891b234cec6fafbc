"""Hostile patient ids: one person under two spellings of an id, ids that lost their leading
zeros in one export, look-alike characters — each normalised as declared (with an audit row),
reported as a near-duplicate, or stopped with a located message. Never a patient counted twice
or a centre's records silently orphaned."""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest

from analysis.clean.outputs import validation_report
from analysis.clean.stage import clean_study
from analysis.errors import ConfigError, SourceError
from analysis.studyfile.config import StudyConfig
from tests.conftest import MINI_FILES, REPO
from tests.hostile.test_files import TO_XLSX, _workbook

PATIENTS = textwrap.dedent(MINI_FILES["patients.csv"])  # P1..P4, rows 2-5
SESSIONS = textwrap.dedent(MINI_FILES["sessions.csv"])  # 9 records, rows 2-10
FILLER = [f"HB-{i:04d}" for i in range(2, 22)]  # 20 more patients: 49 sessions in all


def _patients(ids) -> str:
    return PATIENTS + "".join(f"{p},F,50,Ludwig I,2021-06-10,no,,\n" for p in ids)


def _sessions(ids) -> str:
    return SESSIONS + "".join(f"{p},2020-01-10,0.1\n{p},2020-04-10,0.1\n" for p in ids)


def make(mini_study, patients=(), sessions=(), cleaning="", files=None):
    """The mini study plus ``patients`` (rows 6, 7, …) and two sessions per id of ``sessions``
    (rows 11-12, 13-14, …), with ``cleaning`` (YAML flow mapping) as its `cleaning:` block."""
    content = {"patients.csv": _patients(patients), "sessions.csv": _sessions(sessions)}
    content.update(files or {})
    edit = (lambda y: y + f"cleaning: {cleaning}\n") if cleaning else None
    return mini_study(files=content, yaml_edit=edit)


def run(mini_study, *args, **kwargs):
    return clean_study(StudyConfig.load(make(mini_study, *args, **kwargs)))


def audit(res, check):
    a = res.audit.loc[res.audit["check"] == check]
    return a[["table", "row", "patient_id", "value", "action", "message"]].values.tolist()


def logged(res, step):
    e = res.exclusions.loc[res.exclusions["step"] == step]
    return e[["table", "row", "patient_id", "reason"]].values.tolist()


# ------------------------------------------------------------ 1. declared normalisation
# (patient id in the patient table, id as a session file writes it, `cleaning.ids`, reason)
DECLARED = [
    ("HB-0001", "hb-0001", "{case: upper}", "case: upper"),
    ("hb-0001", "HB-0001", "{case: lower}", "case: lower"),
    ("HA-0001", "H\u0410-0001", "{unicode: nfkc}", "look-alike characters made ASCII"),
    ("HB-0001", "\u0397B-0001", "{unicode: nfkc}", "look-alike characters made ASCII"),
    ("HB-0001", "\uff28\uff22\uff0d\uff10\uff10\uff10\uff11", "{unicode: nfkc}", "look-alike"),
    ("HB-0001", "HB\u20130001", "{unicode: nfkc}", "look-alike characters made ASCII"),
    ("HB-0001", "HB\u20110001", "{unicode: nfkc}", "look-alike characters made ASCII"),
    ("HB-0001", "HB-\u0660\u0660\u0660\u0661", "{unicode: nfkc}", "look-alike characters"),
    ("HB-0001", "HB-1", "{leading_zeros: pad, digits: 4}", "number padded to 4 digits"),
    ("00123", "123.0", "{leading_zeros: pad, digits: 5}", "number padded to 5 digits"),
    ("HB-0001", "\u04bbb\u20131", "{case: upper, unicode: nfkc, leading_zeros: pad, digits: 4}",
     "look-alike characters made ASCII (unicode: nfkc); case: upper; number padded to 4 digits"),
]  # fmt: skip
IDS = ["case-upper", "case-lower", "cyrillic-A", "greek-Eta", "full-width", "en-dash",
       "non-breaking-hyphen", "arabic-indic-digits", "lost-zeros", "excel-float", "all-at-once"]  # fmt: skip


@pytest.mark.parametrize(("patient", "written", "rules", "reason"), DECLARED, ids=IDS)
def test_declared_normalisation_links_the_records_with_an_audit_row(
    mini_study, patient, written, rules, reason
):
    res = run(mini_study, [patient], [written], cleaning=f"{{ids: {rules}}}")
    sessions = res.tables["exposures"]
    assert sessions.loc[sessions["patient_id"] == patient, "source_row"].tolist() == [11, 12]
    # (the mini study's own ids P1..P4 may change too: pad, lower case)
    rows = [r for r in audit(res, "id_normalised") if r[3] == written]
    assert [r[:5] for r in rows] == [
        ["exposures", r, patient, written, "corrected"] for r in (11, 12)
    ]
    assert rows[0][5].startswith(f"patient_id {written!r} -> {patient!r} (")
    assert reason in rows[0][5] and rows[0][5].endswith("), by `cleaning.ids`")
    assert logged(res, "orphan") == [] and res.warnings == ()
    assert patient in set(res.patients["patient_id"])


WHITESPACE = [
    ("HB -0001", "inner-space"),
    ("HB-\u00a00001", "no-break-space"),
    ("HB-\u200b0001", "zero-width-space"),
    ("HB-0001\ufeff", "byte-order-mark"),
    ("HB-\u00ad0001", "soft-hyphen"),
    ("H B - 0 0 0 1", "spaced-out"),
]


@pytest.mark.parametrize("written", [w for w, _ in WHITESPACE], ids=[i for _, i in WHITESPACE])
def test_white_space_and_invisible_characters_are_removed_by_default(mini_study, written):
    res = run(mini_study, ["HB-0001", *FILLER], [written, *FILLER])
    assert audit(res, "id_normalised") == [
        [
            "exposures",
            r,
            "HB-0001",
            written,
            "corrected",
            f"patient_id {written!r} -> 'HB-0001' (white space / invisible characters removed), "
            "by `cleaning.ids`",
        ]
        for r in (11, 12)
    ]
    assert logged(res, "orphan") == [] and res.warnings == ()


def test_strip_leading_zeros_changes_the_patient_table_too(mini_study):
    res = run(mini_study, ["00123"], ["123"], cleaning="{ids: {leading_zeros: strip}}")
    assert audit(res, "id_normalised") == [
        [
            "patients",
            6,
            "123",
            "00123",
            "corrected",
            "patient_id '00123' -> '123' (leading zeros stripped), by `cleaning.ids`",
        ]
    ]
    assert res.tables["exposures"]["patient_id"].tolist().count("123") == 2


def test_numeric_excel_cell_is_padded_back_to_the_declared_width(mini_study):
    xlsx = _workbook(
        {"Sessions": [["id", "date", "dose"], ["P1", "2020-01-10", 0.1], [123, "2020-01-10", 0.1]]}
    )
    path = make(mini_study, ["00123"], files={"export.xlsx": xlsx})
    path.write_text(
        path.read_text().replace(*TO_XLSX) + "cleaning: {ids: {leading_zeros: pad, digits: 5}}\n"
    )
    res = clean_study(StudyConfig.load(path))
    assert [r for r in audit(res, "id_normalised") if r[3] == "123"] == [
        [
            "exposures",
            3,
            "00123",
            "123",
            "corrected",
            "patient_id '123' -> '00123' (number padded to 5 digits), by `cleaning.ids`",
        ]
    ]
    assert "00123" in set(res.tables["exposures"]["patient_id"])


def test_an_id_of_invisible_characters_only_has_no_id(mini_study):
    res = run(mini_study, [], ["\u200b\u200b", *FILLER], cleaning="{max_orphan_fraction: 1}")
    assert audit(res, "id_normalised")[0][5] == (
        "patient_id '\\u200b\\u200b' is empty once white space and invisible characters are "
        "removed (`cleaning.ids.strip_whitespace`); the record has no id"
    )
    missing = logged(res, "missing")[0]
    assert missing[:2] == ["exposures", 11] and pd.isna(missing[2])
    assert missing[3] == "required value missing: `patient_id`"


# ------------------------------------------------------------ 2. near-duplicates reported
NEAR_IN_PATIENTS = [
    (["HB-0001", "hb-0001"], "ignoring case", "{case: upper}"),
    (["HA-0001", "H\u0410-0001"], "replacing look-alike letters, full-width characters and dashes",
     "{unicode: nfkc}"),
    (["HB-0001", "HB-1"], "ignoring leading zeros", "{leading_zeros: pad, digits: 4}"),
    (["HB-0001", "hb\u20131"], "replacing look-alike letters, full-width characters and dashes "
     "and ignoring case and ignoring leading zeros",
     "{unicode: nfkc, case: upper, leading_zeros: pad, digits: 4}"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("ids", "words", "fix"), NEAR_IN_PATIENTS, ids=["case", "cyrillic", "zeros", "all"]
)
def test_near_duplicate_patient_ids_stop_the_run(mini_study, ids, words, fix):
    with pytest.raises(SourceError) as exc:
        run(mini_study, ids, ids)
    a, b = ids
    assert str(exc.value) == (
        "the patient table has 1 group(s) of ids that differ only by white space, look-alike "
        f"characters, case or leading zeros (2 ids): {a!r} (patients.csv, row 6), {b!r} "
        f"(patients.csv, row 7): equal after {words}. Each would be counted as a different "
        f"patient. If they are the same patients, declare `cleaning.ids: {fix}` (their records "
        "are then merged, or excluded as a conflict when they disagree); if they are different "
        "patients, set `cleaning.ids.near_duplicates: warn`."
    )


def test_near_duplicate_patient_ids_merge_once_declared(mini_study):
    res = run(mini_study, ["HB-0001", "hb-0001"], ["HB-0001"], cleaning="{ids: {case: upper}}")
    assert logged(res, "duplicate") == [
        ["patients", 7, "HB-0001", "duplicate of patients.csv, row 6 (same values)"]
    ]
    assert list(res.patients["patient_id"]).count("HB-0001") == 1


def test_near_duplicate_patient_ids_can_be_kept_apart_with_a_warning(mini_study):
    res = run(
        mini_study,
        ["HB-0001", "hb-0001"],
        ["HB-0001", "hb-0001"],
        cleaning="{ids: {near_duplicates: warn}}",
    )
    assert res.warnings == (
        "1 group(s) of patient ids differ only by white space, look-alike characters, case or "
        "leading zeros and are counted as different patients (`cleaning.ids.near_duplicates: "
        "warn`): 'HB-0001' (patients.csv, row 6), 'hb-0001' (patients.csv, row 7): equal after "
        "ignoring case. If they are the same patients, declare `cleaning.ids: {case: upper}`.",
    )
    assert [r[:5] for r in audit(res, "near_duplicate_id")] == [
        ["patients", 6, "HB-0001", "HB-0001", "flagged"],
        ["patients", 7, "hb-0001", "hb-0001", "flagged"],
    ]
    assert {"HB-0001", "hb-0001"} <= set(res.patients["patient_id"])


NEAR_IN_CHILD = [
    ("hb-0001", "ignoring case", "{case: upper}"),
    ("H\u0412-0001", "replacing look-alike letters, full-width characters and dashes",
     "{unicode: nfkc}"),
    ("HB- 0001", "removing white space and invisible characters", "{strip_whitespace: true}"),
]  # fmt: skip


@pytest.mark.parametrize(("written", "words", "fix"), NEAR_IN_CHILD, ids=["case", "B", "space"])
def test_a_child_id_matching_a_patient_only_after_folding_is_a_warning(
    mini_study, written, words, fix
):
    cleaning = "{ids: {strip_whitespace: false}}" if " " in written else ""
    res = run(mini_study, ["HB-0001", *FILLER], [written, *FILLER], cleaning=cleaning)
    assert res.warnings == (
        f"sessions.csv: 2 record(s) of table 'exposures' (1 id(s)) match no patient id but do "
        f"after folding: {written!r} (rows 11, 12) -> patient id 'HB-0001' (equal after "
        f"{words}). They are excluded as orphans. If they are the same patients, declare "
        f"`cleaning.ids: {fix}` in the study file.",
        # HB-0001 is left without sessions, so without follow-up: the criterion cannot hold
        "inclusion.followup (At least 6 months of follow-up): 1 patient excluded because a "
        "value it compares is missing (`followup_months`); a comparison with a missing value is "
        "not met. To keep them, complete the value (or what it is derived from) in the export, "
        "or add a criterion that says how (e.g. `op: is_missing`).",
    )
    assert logged(res, "orphan") == [
        ["exposures", r, written, f"patient_id {written!r} is not in the patient table"]
        for r in (11, 12)
    ]
    report = validation_report(res)
    flagged = report.loc[report["check"] == "near_duplicate_id"]
    assert flagged[["row", "action"]].values.tolist() == [[11, "flagged"], [12, "flagged"]]
    assert flagged["message"].iloc[0] == (
        f"patient_id {written!r} is in no patient record but equals patient 'HB-0001' after "
        f"{words}; the record is excluded as an orphan. If they are the same patient, declare "
        f"`cleaning.ids: {fix}`"
    )


def test_a_near_duplicate_is_shown_in_the_terminal_and_the_report(mini_study):
    from typer.testing import CliRunner

    from analysis.report.html import render_report_html, report_inputs
    from analysis.run.cli import app
    from analysis.run.study import Study

    path = make(mini_study, ["HB-0001", *FILLER], ["hb-0001", *FILLER])
    res = CliRunner().invoke(app, ["clean", str(path)])
    assert res.exit_code == 0, res.output
    assert "warning: sessions.csv: 2 record(s) of table 'exposures' (1 id(s)) match no patient" in (
        " ".join(res.output.split())
    )
    study = Study.load(path)
    html = render_report_html(report_inputs(study, figures={}, claims=None, provenance={}))
    # the report is shared: the warning counts, the ids are in the terminal and the audit log
    assert (
        '<p class="banner warning">Warning: sessions.csv: 2 record(s) of table &#x27;exposures'
        "&#x27; (1 id(s)) match no patient id but do after folding (the audit log lists them). "
        "They are excluded as orphans."
    ) in html
    assert "hb-0001" not in html.casefold()


# ------------------------------------------------------------ 3. pattern
def test_ids_not_matching_the_pattern_are_excluded_with_the_reason(mini_study):
    res = run(
        mini_study,
        ["HB-0001", "HB-01", *FILLER],
        ["HB-0001", "HB-01", *FILLER],
        cleaning="{ids: {pattern: '(P[0-9]|HB-[0-9]{4})'}}",
    )
    why = "does not match `cleaning.ids.pattern` '(P[0-9]|HB-[0-9]{4})'"
    assert logged(res, "id_pattern") == [
        ["patients", 7, "HB-01", f"patient_id 'HB-01' {why}"],
        ["exposures", 13, "HB-01", f"patient_id 'HB-01' {why}"],
        ["exposures", 14, "HB-01", f"patient_id 'HB-01' {why}"],
    ]
    assert res.accounting()["balanced"].all()


def test_a_pattern_most_of_a_source_fails_stops_the_run(mini_study):
    with pytest.raises(SourceError) as exc:
        run(mini_study, FILLER, FILLER, cleaning="{ids: {pattern: 'P[0-9]+'}}")
    assert str(exc.value) == (
        "patients.csv: 20 of 24 records (83%) of table 'patients' have a patient_id that does not "
        "match `cleaning.ids.pattern` 'P[0-9]+', e.g. 'HB-0002' (row 6), 'HB-0003' (row 7), "
        "'HB-0004' (row 8), 'HB-0005' (row 9), 'HB-0006' (row 10). When most ids of an export "
        "fail, the pattern or the column mapping is wrong, not the records: correct "
        "`cleaning.ids.pattern` (the whole id must match, after the declared normalisation, in "
        "every export) or map `patient_id` of this source to the column that holds the patient "
        "id."
    )


CONFIG_ERRORS = [
    ("{ids: {pattern: 'HB-[0-9'}}", "`cleaning.ids.pattern` (line 78): is not a valid regular "
     "expression (unterminated character set at position 3); write e.g. '[A-Z]{2}-[0-9]{4}'; "
     "found 'HB-[0-9'"),
    ("{ids: {leading_zeros: pad}}", "`leading_zeros: pad` needs `digits`"),
    ("{ids: {digits: 4}}", "`digits` is set but `leading_zeros` is 'keep'"),
    ("{ids: {case: title}}", "`cleaning.ids.case` (line 78): Input should be 'upper', 'lower' or "
     "'keep'"),
    ("{max_orphan_fraction: 1.5}", "`cleaning.max_orphan_fraction` (line 78): Input should be "
     "less than or equal to 1"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("cleaning", "expected"), CONFIG_ERRORS, ids=["regex", "pad", "digits", "case", "fraction"]
)
def test_a_wrong_ids_declaration_names_the_key(mini_study, cleaning, expected):
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(make(mini_study, cleaning=cleaning))
    assert expected in str(exc.value)


# ------------------------------------------------------------ 4. orphaned sources
def test_a_centre_whose_ids_lost_their_zeros_stops_the_run(mini_study):
    lost = [f"HB-{int(p[3:])}" for p in FILLER]  # HB-2 … HB-21
    with pytest.raises(SourceError) as exc:
        run(mini_study, FILLER, lost)
    assert str(exc.value) == (
        "patient ids do not link: sessions.csv: 40 of 49 records (81.6%) of table 'exposures' "
        "have a patient_id that is not in the patient table, more than "
        "`cleaning.max_orphan_fraction` (0.05): 'HB-2' (rows 11, 12) -> patient id 'HB-0002' "
        "(equal after ignoring leading zeros); 'HB-3' (rows 13, 14) -> patient id 'HB-0003' "
        "(equal after ignoring leading zeros); 'HB-4' (rows 15, 16) -> patient id 'HB-0004' "
        "(equal after ignoring leading zeros); 'HB-5' (rows 17, 18) -> patient id 'HB-0005' "
        "(equal after ignoring leading zeros); 'HB-6' (rows 19, 20) -> patient id 'HB-0006' "
        "(equal after ignoring leading zeros); and 15 more id(s). 40 of them match a patient id "
        "after folding: declare `cleaning.ids: {leading_zeros: pad, digits: 4}`.\n"
        "Declare how the exports write their ids (`cleaning.ids`), correct the ids in the "
        "export, or, if these records really belong to no patient of the study, raise "
        "`cleaning.max_orphan_fraction` (now 0.05). Records of patients excluded later "
        "(missing values, conflicts, inclusion) never count here."
    )


def test_unknown_ids_above_the_threshold_name_the_most_similar_patient(mini_study):
    with pytest.raises(SourceError) as exc:
        run(mini_study, FILLER, ["HB-0099", "XX-77"] + FILLER[2:])
    assert (
        "sessions.csv: 4 of 49 records (8.2%) of table 'exposures' have a patient_id that is "
        "not in the patient table, more than `cleaning.max_orphan_fraction` (0.05): 'HB-0099' "
        "(rows 11, 12) -> most similar patient id 'HB-0019'; 'XX-77' (rows 13, 14) -> no "
        "similar patient id.\n"
    ) in str(exc.value)


def test_a_few_orphans_below_the_threshold_are_logged(mini_study):
    res = run(mini_study, FILLER, ["HB-0099", *FILLER[1:]])
    assert logged(res, "orphan") == [
        ["exposures", r, "HB-0099", "patient_id 'HB-0099' is not in the patient table"]
        for r in (11, 12)
    ]
    # the patient whose sessions were orphaned has no follow-up: said at the follow-up criterion
    assert [w[:50] for w in res.warnings] == ["inclusion.followup (At least 6 months of follow-up"]


def test_a_raised_threshold_lets_the_run_through(mini_study):
    lost = [f"HB-{int(p[3:])}" for p in FILLER]
    res = run(mini_study, FILLER, lost, cleaning="{max_orphan_fraction: 0.9}")
    assert len(logged(res, "orphan")) == 40
    assert res.warnings[0].startswith(
        "sessions.csv: 40 record(s) of table 'exposures' (20 id(s)) match no patient id but do "
        "after folding: 'HB-2' (rows 11, 12) -> patient id 'HB-0002'"
    )


def test_records_of_patients_excluded_for_another_reason_are_not_orphans(mini_study):
    # 20 patients without a sex are excluded; their 40 sessions follow them with that reason
    no_sex = PATIENTS + "".join(f"{p},,50,Ludwig I,2021-06-10,no,,\n" for p in FILLER)
    res = run(mini_study, (), FILLER, files={"patients.csv": no_sex})
    assert len(logged(res, "missing")) == 20 and logged(res, "orphan") == []
    follow = [r for r in logged(res, "patient_excluded") if r[2] != "P3"]
    assert len(follow) == 40
    assert follow[0] == [
        "exposures",
        11,
        "HB-0002",
        "patient excluded at step 'missing': required value missing: `sex`",
    ]


# ------------------------------------------------------------ 5. the shipped studies
SHIPPED = [
    ("dutasteride_mesotherapy", "'H[AB]-[0-9]{4}'", 541),
    ("low_dose_oral_minoxidil", "'LD-[0-9]{5}'", 1404),
]


@pytest.mark.parametrize(("name", "pattern", "n"), SHIPPED, ids=[s[0] for s in SHIPPED])
def test_shipped_studies_give_the_same_cohort_with_or_without_declared_ids(
    tmp_path, name, pattern, n
):
    path = REPO / "studies" / f"{name}.yaml"
    plain = clean_study(StudyConfig.load(path))
    text = path.read_text(encoding="utf-8").replace(
        "cleaning:\n  on_unmapped: error\n",
        f"cleaning:\n  on_unmapped: error\n  ids: {{case: upper, unicode: nfkc, pattern: {pattern}}}\n",
    )
    declared_yaml = tmp_path / f"{name}.yaml"
    declared_yaml.write_text(text, encoding="utf-8")
    declared = clean_study(StudyConfig.load(declared_yaml, root=REPO))
    assert len(plain.patients) == n and plain.warnings == ()
    assert not plain.audit["check"].isin(["id_normalised", "near_duplicate_id"]).any()
    for table, df in plain.tables.items():
        pd.testing.assert_frame_equal(df, declared.tables[table])
    pd.testing.assert_frame_equal(plain.exclusions, declared.exclusions)
