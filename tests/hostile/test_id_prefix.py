"""Two centres that each number their patients from 1. Their ids met as one patient with
conflicting values: every record of both was excluded (in a probe study, 26 of 60 patients
and a cohort of 8 for 52), with a flow row and a reason that said only "Correct the export".
A source's ``id_prefix`` keeps them apart; without it, the run warns and the reason names the
sources and the key."""

from __future__ import annotations

import re

import pandas as pd

from analysis.clean.identity import prefix_ids
from analysis.clean.stage import clean_study
from analysis.studyfile.config import StudyConfig

CENTRE_B = """\
  - name: patients_b
    table: patients
    file: patients_b.csv
    constants: {centre: "Centre A"}
    columns: {patient_id: id, sex: sex, age_years: age, baseline_grade: grade,
              last_visit_date: last_visit, is_discontinued: discontinued}
  - name: sessions_b
    table: exposures
    file: sessions_b.csv
    columns: {patient_id: id, start_date: date, dose_mg: dose}
"""
FILES = {
    "patients_b.csv": """\
        id,sex,age,grade,last_visit,discontinued
        P1,male,47,HN III,2021-02-10,no
        P9,female,52,Ludwig I,2021-02-10,no
        """,
    "sessions_b.csv": """\
        id,date,dose
        P1,2020-02-10,0.1
        P1,2020-05-10,0.1
        P9,2020-02-12,0.1
        """,
}


def _two_centres(mini_study, prefixed: bool):
    def edit(body: str) -> str:
        body = body.replace("vocabularies:\n", CENTRE_B + "vocabularies:\n", 1)
        if prefixed:
            body = re.sub(
                r"(  - name: (\w+)\n)",
                lambda m: m.group(1) + f"    id_prefix: {'B-' if m[2].endswith('_b') else 'A-'}\n",
                body,
            )
        return body

    return clean_study(StudyConfig.load(mini_study(files=FILES, yaml_edit=edit)))


def test_patients_of_two_centres_with_the_same_number_stay_two_with_id_prefix(mini_study):
    res = _two_centres(mini_study, prefixed=True)
    ids = set(res.tables["patients"]["patient_id"])
    assert {"A-P1", "B-P1", "B-P9"} <= ids
    assert not any(w for w in res.warnings if "id_prefix" in w)
    assert (res.exclusions["step"] != "conflict").all()
    sessions = res.tables["exposures"]
    assert sorted(sessions.loc[sessions["patient_id"] == "B-P1", "start_date"].astype(str)) == [
        "2020-02-10",
        "2020-05-10",
    ]
    ae = res.tables["adverse_events"]
    assert set(ae["patient_id"]) <= {i for i in ids if i.startswith("A-")}  # centre A's AEs


def test_without_id_prefix_the_conflict_names_the_sources_and_the_run_warns(mini_study):
    res = _two_centres(mini_study, prefixed=False)
    assert "P1" not in set(res.tables["patients"]["patient_id"])
    conflict = res.exclusions.loc[res.exclusions["step"] == "conflict", "reason"]
    assert len(conflict) == 2
    assert conflict.str.contains(
        r"different sources \(patients, patients_b\).*`id_prefix`", regex=True
    ).all()
    warned = [w for w in res.warnings if "id_prefix" in w]
    assert warned and warned[0].startswith("1 patient id(s) ('P1') appear in two or more")


def test_prefix_ids_writes_whole_numbers_without_their_point_and_keeps_missing_ids():
    data = pd.DataFrame(
        {
            "patient_id": [12.0, "7", None, "x", 3],
            "_source": ["a", "a", "a", "c", "b"],
        }
    )
    got = prefix_ids(data, {"a": "A-", "b": "B-"})
    assert got["patient_id"].tolist() == ["A-12", "A-7", None, "x", "B-3"]
    assert data["patient_id"].tolist()[0] == 12.0  # the frame given is not written
    assert prefix_ids(data, {}) is data


def test_audit_rows_made_before_the_ids_are_final_name_the_prefixed_patient(mini_study):
    # the unreadable cell of centre B's P9 (written with a zero-width space) was audited under
    # "P9" before its id was normalised and prefixed, and its id change under "P9": the audit
    # did not join patient "B-P9"
    files = dict(FILES)
    files["patients_b.csv"] = FILES["patients_b.csv"].replace(
        "P9,female,52,Ludwig I", "P\u200b9,female,#REF!,Ludwig I"
    )
    files["sessions_b.csv"] = FILES["sessions_b.csv"].replace("P9,", "P\u200b9,")

    def edit(body: str) -> str:
        body = body.replace("vocabularies:\n", CENTRE_B + "vocabularies:\n", 1)
        return re.sub(
            r"(  - name: (\w+)\n)",
            lambda m: m.group(1) + f"    id_prefix: {'B-' if m[2].endswith('_b') else 'A-'}\n",
            body,
        )

    res = clean_study(StudyConfig.load(mini_study(files=files, yaml_edit=edit)))
    assert "B-P9" in set(res.tables["patients"]["patient_id"])
    audit = res.audit.loc[res.audit["source"].isin(["patients_b.csv", "sessions_b.csv"])]
    assert set(audit["check"]) >= {"unreadable", "id_normalised"}
    assert set(audit["patient_id"]) == {"B-P9"}
    assert res.tables["patients"].set_index("patient_id").loc["B-P9", "age_years"] != 52
