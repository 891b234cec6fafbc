"""Adverse events kept as a yes/no column per term (one row per visit): each term a source of
the file whose records are the rows holding "yes" (``records_when``). Without it a study file
could not say so: a source took every row as an event, and the only way out excluded every
"no" cell as an unmapped label (1,120 of them in a 150-patient export)."""

from __future__ import annotations

import pytest

from analysis.clean.stage import clean_study
from analysis.errors import ConfigError, SourceError
from analysis.studyfile.config import StudyConfig

VISITS = """\
id,onset,pain,edema,severity
P1,2020-01-11,yes,no,leve
P1,2020-04-11,No,Sí,mild
P4,2020-02-02,yes,,mild
P4,2020-03-02,no,no,mild
"""


def _two_terms(body: str, *, also: str = "") -> str:
    sources = "".join(
        f"  - name: ae_{term}\n"
        "    table: adverse_events\n"
        "    file: visits.csv\n"
        f"    records_when: {{column: {term}, values: ['yes', sí], otherwise: ['no'{also}]}}\n"
        f"    constants: {{ae_term: {term}, is_serious: 'no'}}\n"
        "    columns: {patient_id: id, onset_date: onset, severity: severity}\n"
        for term in ("pain", "edema")
    )
    start = body.index("  - name: aes\n")
    end = body.index("  - name: conc\n")
    return body[:start] + sources + body[end:]


def test_the_rows_holding_yes_are_the_events_and_the_others_no_record(mini_study):
    path = mini_study(files={"visits.csv": VISITS, "aes.csv": None}, yaml_edit=_two_terms)
    done = clean_study(StudyConfig.load(path))
    events = done.tables["adverse_events"]
    got = sorted(
        zip(events["patient_id"], events["ae_term"].astype(str), events["source_row"], strict=True)
    )
    assert got == [("P1", "edema", 3), ("P1", "pain", 2), ("P4", "pain", 4)]
    counted = done.accounting()
    read = counted.loc[counted["source_file"] == "visits.csv"]
    assert read["rows_read"].tolist() == [3]  # the records of the two sources: 2 + 1
    assert bool(read["balanced"].all())


def test_a_value_neither_listed_nor_blank_stops_the_run_naming_it(mini_study):
    odd = VISITS.replace("P4,2020-03-02,no,no", "P4,2020-03-02,maybe,no")
    path = mini_study(files={"visits.csv": odd, "aes.csv": None}, yaml_edit=_two_terms)
    with pytest.raises(SourceError) as exc:
        clean_study(StudyConfig.load(path))
    said = str(exc.value)
    assert "column 'pain' holds value(s) `records_when` does not list: 'maybe' in row(s) 5." in said
    assert (
        "Add each to `values` (the row is a record of source 'ae_pain') or to `otherwise`" in said
    )
    assert "sources[" in said and "records_when" in said


def test_a_column_records_when_names_must_be_in_the_file(mini_study):
    gone = VISITS.replace("edema", "oedema")
    path = mini_study(files={"visits.csv": gone, "aes.csv": None}, yaml_edit=_two_terms)
    with pytest.raises(SourceError, match=r"column\(s\) not found: records_when <- 'edema'"):
        clean_study(StudyConfig.load(path))
    with pytest.raises(SourceError) as exc:
        clean_study(StudyConfig.load(path))
    # the key to fix, with its line (it named `sources[ae_edema].columns`, without a line)
    assert "Fix `sources[3].records_when.column`, line 32: name the header" in str(exc.value)


REPEATED = """\
id,onset 1,pain 1,onset 2,pain 2
P1,2020-01-11,yes,2020-04-11,no
P4,2020-02-02,yes,,yes
"""


def _repeated(body: str) -> str:
    start = body.index("  - name: aes\n")
    end = body.index("  - name: conc\n")
    source = (
        "  - name: ae_pain\n"
        "    table: adverse_events\n"
        "    file: visits.csv\n"
        "    repeat: [1, 2]\n"
        "    records_when: {column: 'pain {i}', values: ['yes'], otherwise: ['no']}\n"
        "    constants: {ae_term: pain, is_serious: 'no'}\n"
        "    columns: {patient_id: id, onset_date: 'onset {i}'}\n"
    )
    return body[:start] + source + body[end:]


def test_a_repeated_group_marked_yes_without_its_date_is_logged_not_lost(mini_study):
    path = mini_study(files={"visits.csv": REPEATED, "aes.csv": None}, yaml_edit=_repeated)
    done = clean_study(StudyConfig.load(path))
    events = done.tables["adverse_events"]
    assert sorted(zip(events["patient_id"], events["source_row"], strict=True)) == [
        ("P1", 2),
        ("P4", 3),
    ]
    # P4's second group says yes and has no date: a record lacking its date, logged as such
    # (the empty-group rule dropped it before anything counted it)
    logged = done.exclusions.loc[done.exclusions["table"] == "adverse_events"]
    assert logged[["patient_id", "row"]].values.tolist() == [["P4", 3]]
    assert "required value missing: `onset_date`" in logged["reason"].iat[0]
    counted = done.accounting()
    assert counted.loc[counted["source_file"] == "visits.csv", "rows_read"].tolist() == [3]
    assert bool(counted["balanced"].all())


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (
            lambda b: b.replace("otherwise: ['no']", "otherwise: ['no', 'YES ']"),
            "'yes' and 'YES ' in both `values` and `otherwise`",
        ),
        (lambda b: b.replace("values: ['yes']", "values: ['yes', ' ']"), "`values` lists a blank"),
        (
            lambda b: b.replace("    repeat: [1, 2]\n", ""),
            "`records_when.column` 'pain {i}' holds '{i}' but the source has no `repeat`",
        ),
    ],
)
def test_records_when_that_cannot_be_meant_is_refused(mini_study, edit, said):
    path = mini_study(
        files={"visits.csv": REPEATED, "aes.csv": None}, yaml_edit=lambda b: edit(_repeated(b))
    )
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    assert said in str(exc.value)
    assert "(line " in str(exc.value)


def test_records_when_is_refused_on_the_patient_table(mini_study):
    def edit(body: str) -> str:
        return body.replace(
            '    constants: {centre: "Centre A"}\n',
            '    constants: {centre: "Centre A"}\n'
            "    records_when: {column: discontinued, values: ['no'], otherwise: ['yes']}\n",
            1,
        )

    with pytest.raises(ConfigError, match="`records_when` applies to the records of a patient"):
        StudyConfig.load(mini_study(yaml_edit=edit))
