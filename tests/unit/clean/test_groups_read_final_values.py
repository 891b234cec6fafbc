"""A group that reads patient columns sees their final values (``derive.add_groups``).

A probe found three ways a group went wrong while the run went on:

- a group on an integer column (``from_column`` with ``map: {"0": none, "1": some}``) matched
  nobody: the column's 0 was looked up as "0.0";
- a group on ``is_discontinued`` saw the flag blank for a patient whose flag is read from the
  discontinuation date (derived later): no level, while the patient's own flag said yes;
- a group by conditions on ``has_teae`` (derived later) stopped the run with a bare KeyError.
"""

from __future__ import annotations

import pandas as pd

from analysis.clean.stage import clean_study
from analysis.studyfile.config import StudyConfig
from tests.conftest import MINI_FILES, _dedent

PATIENTS = _dedent(MINI_FILES["patients.csv"])


def _clean(mini_study, groups: str, files=None, variables: str = ""):
    def edit(y: str) -> str:
        y = y.replace("inclusion:\n", groups + "inclusion:\n", 1)
        return y + variables

    return clean_study(StudyConfig.load(mini_study(files=files or {}, yaml_edit=edit)))


def _levels(result, column: str) -> dict[str, object]:
    p = result.patients.set_index("patient_id")[column]
    return {k: (None if pd.isna(v) else v) for k, v in p.items()}


def test_a_group_on_the_discontinuation_flag_reads_it_as_the_patient_has_it(mini_study):
    # P2's flag blank beside a date (discontinued), P4's blank without one (not)
    patients = PATIENTS.replace(
        "P2,male,40,HN III,2021-03-01,yes,", "P2,male,40,HN III,2021-03-01,,"
    )
    patients = patients.replace("P4,M,33,HN IV,2021-02-01,no,", "P4,M,33,HN IV,2021-02-01,,")
    groups = (
        "  stopping:\n    levels: [stopped, going]\n"
        "    from_column: {column: is_discontinued, map: {'yes': stopped, 'no': going}}\n"
        "  stopping_by_rule:\n    levels: [stopped, going]\n"
        "    conditions: [{level: stopped, where: [{column: is_discontinued, op: '==', value: true}]}]\n"
        "    otherwise: going\n"
    )
    result = _clean(mini_study, groups, files={"patients.csv": patients})
    flags = _levels(result, "is_discontinued")
    assert flags["P2"] is True and flags["P4"] is False
    for name in ("stopping", "stopping_by_rule"):
        got = _levels(result, name)
        assert got["P2"] == "stopped" and got["P4"] == "going", name


def test_a_group_on_a_column_derived_later_is_derived(mini_study):
    groups = (
        "  with_ae:\n    levels: [ae, none]\n"
        "    conditions: [{level: ae, where: [{column: has_teae, op: '==', value: true}]}]\n"
        "    otherwise: none\n"
    )
    result = _clean(mini_study, groups)
    has = _levels(result, "has_teae")
    got = _levels(result, "with_ae")
    assert got == {p: ("ae" if v else "none") for p, v in has.items()}
    assert set(got.values()) == {"ae", "none"}


def test_a_group_on_an_integer_column_matches_its_map(mini_study):
    patients = "\n".join(
        line + ("," + kids if i else ",kids")
        for i, (line, kids) in enumerate(zip(PATIENTS.splitlines(), ["", "0", "1", "", "2"], strict=True))
    ) + "\n"  # fmt: skip
    groups = (
        "  children:\n    levels: [none, some]\n"
        "    from_column: {column: n_kids, map: {'0': none, '1': some, '2.0': some}}\n"
    )
    variables = "variables:\n  patients:\n    n_kids: {type: integer, label: Children}\n"

    def edit_source(y: str) -> str:
        return y.replace(
            "discontinuation_reason: disc_reason}",
            "discontinuation_reason: disc_reason, n_kids: kids}",
        )

    result = clean_study(
        StudyConfig.load(
            mini_study(
                files={"patients.csv": patients},
                yaml_edit=lambda y: (
                    edit_source(y).replace("inclusion:\n", groups + "inclusion:\n", 1) + variables
                ),
            )
        )
    )
    got = _levels(result, "children")
    # P4's 2 by the map's "2.0"
    assert {p: got[p] for p in ("P1", "P2", "P4")} == {"P1": "none", "P2": "some", "P4": "some"}
