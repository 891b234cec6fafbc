"""A patient none of whose records could be used (a required value missing or unreadable) is
among the patients in the export and leaves the flow at a step of its own: the flow's first
count was the ids that survived reading, one short of the ids in the file, and the patient
appeared only in the exclusion log."""

from __future__ import annotations

from analysis.clean.stage import clean_study
from analysis.figures.flow import flow_counts
from analysis.studyfile.config import StudyConfig
from tests.conftest import MINI_FILES, _dedent

#: P3's one record has no sex; P5's two records have none; P2 has a second record without one
#: beside a usable one, the same in every value both give (merged into it)
PATIENTS = (
    _dedent(MINI_FILES["patients.csv"]).replace("P3,Mujer,", "P3,,")
    + "P2,,40,HN III,2021-03-01,yes,2020-12-01,cost\n"
    + "P5,,44,HN III,2021-03-01,no,,\n" * 2
)


def test_a_patient_without_a_usable_record_has_a_flow_step(mini_study):
    result = clean_study(StudyConfig.load(mini_study(files={"patients.csv": PATIENTS})))
    flow = result.flow.set_index("step")
    assert flow.loc["screened", "n_remaining"] == 5  # P1..P5, every id in the export
    assert flow.loc["unreadable", ["label", "n_excluded", "n_remaining"]].tolist() == [
        "Patient records unusable (a required value missing or unreadable)",
        2,
        3,
    ]
    logged = result.exclusions.loc[result.exclusions["table"] == "patients"]
    assert sorted(logged["patient_id"]) == ["P2", "P3", "P5", "P5"]
    assert "P2" in set(result.patients["patient_id"])  # its usable record, merged
    # the diagram: 7 records; P2's second merged (it lacks the sex), P5's second removed; 5
    # patients, 2 of them (P3, P5) unusable
    counts = flow_counts(result, split=None).set_index("key")
    assert counts.loc["records", "n"] == 7
    assert counts.loc["screened", "n"] == 5
    reasons = counts.loc[counts["kind"] == "reason", ["label", "n"]].values.tolist()
    assert ["duplicate rows merged (values missing, none differing)", 1] in reasons
    assert ["rows with a required value missing or unreadable", 1] in reasons
    assert ["no usable record (a required value missing or unreadable)", 2] in reasons
    assert counts.loc["included", "n"] == len(result.patients)


def test_patients_without_a_usable_record_for_an_unmapped_label_are_said_so(mini_study):
    # under `on_unmapped: exclude`, P3's only record (a discontinued flag no vocabulary maps) and
    # P4's were counted under "a required value missing or unreadable"
    patients = _dedent(MINI_FILES["patients.csv"]).replace(
        "P4,M,33,HN IV,2021-02-01,no", "P4,M,33,HN IV,2021-02-01,quizás"
    )
    patients = patients.replace("P3,Mujer,", "P3,,")

    def edit(y: str) -> str:
        return y + "cleaning: {on_unmapped: exclude}\n"

    result = clean_study(
        StudyConfig.load(mini_study(files={"patients.csv": patients}, yaml_edit=edit))
    )
    flow = result.flow.set_index("step")
    assert flow.loc["unreadable", "label"] == (
        "Patient records unusable (a required value missing or unreadable, or a label no "
        "vocabulary maps)"
    )
    assert flow.loc["unreadable", "n_excluded"] == 2
    counts = flow_counts(result, split=None).set_index("key")
    reasons = counts.loc[counts["kind"] == "reason", "label"].tolist()
    assert (
        "no usable record (a required value missing or unreadable, or a label no vocabulary "
        "maps)" in reasons
    )
