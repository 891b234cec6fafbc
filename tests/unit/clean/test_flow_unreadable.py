"""A patient none of whose records could be used (a required value missing or unreadable) is
among the patients in the export and leaves the flow at a step of its own: the flow's first
count was the ids that survived reading, one short of the ids in the file, and the patient
appeared only in the exclusion log."""

from __future__ import annotations

from analysis.clean.flow import UNREADABLE_LABEL
from analysis.clean.stage import clean_study
from analysis.figures.flow import flow_counts
from analysis.studyfile.config import StudyConfig
from tests.conftest import MINI_FILES, _dedent

#: P3's one record has no sex; P2 has a second record without one beside a usable one
PATIENTS = (
    _dedent(MINI_FILES["patients.csv"]).replace("P3,Mujer,", "P3,,")
    + "P2,,40,HN III,2021-03-01,yes,2020-12-01,cost\n"
)


def test_a_patient_without_a_usable_record_has_a_flow_step(mini_study):
    result = clean_study(StudyConfig.load(mini_study(files={"patients.csv": PATIENTS})))
    flow = result.flow.set_index("step")
    assert flow.loc["screened", "n_remaining"] == 4  # P1..P4, every id in the export
    assert flow.loc["unreadable", ["label", "n_excluded", "n_remaining"]].tolist() == [
        UNREADABLE_LABEL,
        1,
        3,
    ]
    logged = result.exclusions.loc[result.exclusions["table"] == "patients"]
    assert sorted(logged["patient_id"]) == ["P2", "P3"]
    # the diagram: 5 records, 2 removed while reading (one of them P3, the unusable patient),
    # 4 patients, 1 of them unusable
    counts = flow_counts(result, split=None).set_index("key")
    assert counts.loc["records", "n"] == 5
    assert counts.loc["screened", "n"] == 4
    reasons = counts.loc[counts["kind"] == "reason", ["label", "n"]].values.tolist()
    assert ["rows with a required value missing or unreadable", 1] in reasons
    assert ["no usable record (a required value missing or unreadable)", 1] in reasons
    assert counts.loc["included", "n"] == len(result.patients)
