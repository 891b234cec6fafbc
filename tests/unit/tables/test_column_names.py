"""A study's column may be named as a table builder's own columns (``n``, ``N``, ``level``,
``variable``, a helper's ``_level``...): the table then has the same numbers as with an
ordinary name, under the study's name."""

from __future__ import annotations

import functools

import ibis
import numpy as np
import pandas as pd
import pytest

from analysis.stats.survival import survival_ard
from analysis.tables.adverse_events import ae_incidence
from analysis.tables.ae_detail import ae_by_exposure, ae_duration
from analysis.tables.ae_severity import ae_severity
from analysis.tables.baseline import baseline_table
from analysis.tables.response import response_table

#: names the builders, the engine's counts and the ARD use for columns of their own
#: (one of each kind: ``n_missing`` and ``rank_sum`` take the paths of ``mean`` and ``t``)
CLASHING = [
    "n", "N", "level", "variable", "mean", "t", "_midrank", "_level", "_c0", "a column",
]  # fmt: skip

RNG = np.random.default_rng(11)
SIZE = 40
GRADES = ["worse", "stable", "mild improvement", "marked improvement"]
PATIENTS = pd.DataFrame(
    {
        "patient_id": [f"p{i}" for i in range(SIZE)],
        "sex": pd.Categorical(RNG.choice(["female", "male"], SIZE), categories=["female", "male"]),
        "centre": pd.Categorical(RNG.choice(["A", "B", "C"], SIZE), categories=["A", "B", "C"]),
        "age_years": np.where(RNG.random(SIZE) < 0.1, np.nan, RNG.normal(45, 12, SIZE).round()),
        "has_x": RNG.random(SIZE) < 0.3,
        "grade": pd.Categorical(RNG.choice(GRADES, SIZE), categories=GRADES, ordered=True),
    }
)


def _baseline(data: pd.DataFrame, name: dict[str, str], **options: str) -> pd.DataFrame:
    def r(c: str) -> str:
        return name.get(c, c)

    variables = [r("age_years"), r("centre"), r("has_x")]
    return baseline_table(data, by=r("sex"), variables=variables, **options).frame


def _response(data: pd.DataFrame, name: dict[str, str]) -> pd.DataFrame:
    def r(c: str) -> str:
        return name.get(c, c)

    return response_table(data, by=r("sex"), within=r("centre"), outcome=r("grade")).frame


BUILDERS = {
    "baseline": (_baseline, ["sex", "age_years", "centre", "has_x"]),
    "baseline_kruskal": (
        lambda d, n: _baseline(d, n, continuous_test="kruskal"),
        ["sex", "age_years"],
    ),
    "response": (_response, ["sex", "centre", "grade"]),
}


def _named_back(frame: pd.DataFrame, new: str, old: str) -> pd.DataFrame:
    """``frame`` with ``new`` written as ``old`` wherever it names the column (the variable,
    the group keys and columns, the table's name), the group sizes' rows left as they are."""

    def key(text: str) -> str:
        parts = [f"{old}{p[len(new) :]}" if p.startswith(f"{new}=") else p for p in text.split(";")]
        return ";".join(parts)

    out = frame.copy()
    sizes = out["context"] == "group_size"
    out.loc[~sizes & (out["variable"] == new), "variable"] = old
    out["group"] = out["group"].map(key)
    for col in [c for c in out.columns if c.startswith("group") and not c.endswith("_level")]:
        out[col] = out[col].replace({new: old})
    out["table"] = out["table"].str.replace(f"_{new}", f"_{old}", regex=False)
    return out.drop(columns="method")  # a method may name the column in words


@functools.cache
def _expected(builder: str) -> pd.DataFrame:
    """The table with ordinary names (built once per builder: every case compares with it)."""
    build, _ = BUILDERS[builder]
    return build(PATIENTS, {}).drop(columns="method")


@pytest.mark.parametrize("builder", list(BUILDERS))
@pytest.mark.parametrize("name", CLASHING)
def test_a_column_named_as_the_builders_own_gives_the_same_numbers(builder: str, name: str):
    build, roles = BUILDERS[builder]
    expected = _expected(builder)
    for role in roles:
        renamed = PATIENTS.rename(columns={role: name})
        got = _named_back(build(renamed, {role: name}), name, role)
        pd.testing.assert_frame_equal(got, expected, check_exact=True, obj=f"{role} as {name}")


def test_a_variable_named_N_is_laid_out_beside_the_group_sizes():
    data = PATIENTS.rename(columns={"centre": "N"})
    result = baseline_table(data, by="sex", variables=["N", "age_years"])
    heads = [c for c in result.layout(result.frame).columns if "(N=" in c]
    sizes = PATIENTS["sex"].value_counts()
    assert heads == [
        f"female (N={sizes['female']})",
        f"male (N={sizes['male']})",
        f"Overall (N={SIZE})",
    ]


# --- adverse-event tables: a subject-level and an event-level table -------------------------

EVENTS = pd.DataFrame(
    {
        "patient_id": RNG.choice(PATIENTS["patient_id"], 3 * SIZE),
        "ae_term": RNG.choice(["rash", "nausea", "headache"], 3 * SIZE),
        "soc": "general",
        "is_teae": RNG.random(3 * SIZE) < 0.9,
        "is_serious": RNG.random(3 * SIZE) < 0.3,
        "severity": RNG.choice(["mild", "moderate", "severe"], 3 * SIZE),
        "exposure_number": RNG.integers(1, 4, 3 * SIZE),
        "duration_days": RNG.integers(1, 15, 3 * SIZE),
    }
)
EXPOSURES = pd.DataFrame(
    {
        "patient_id": np.repeat(PATIENTS["patient_id"], 3),
        "exposure_number": np.tile([1, 2, 3], SIZE),
    }
)
AE_COLUMNS = dict(subject_id="patient_id", term="ae_term", teae_flag="is_teae")


def _r(name: dict[str, str]):  # noqa: ANN202
    return lambda c: name.get(c, c)


def _incidence(name: dict[str, str], as_ibis: bool = False) -> pd.DataFrame:
    r = _r(name)
    subjects, events = PATIENTS.rename(columns=name), EVENTS.rename(columns=name)
    if as_ibis:
        subjects, events = ibis.memtable(subjects), ibis.memtable(events)
    cols = {k: r(v) for k, v in AE_COLUMNS.items()}
    return ae_incidence(
        subjects, events, by=[r("sex"), r("centre")], category=r("soc"),
        serious_flag=r("is_serious"), **cols,
    ).frame  # fmt: skip


def _severity(name: dict[str, str]) -> pd.DataFrame:
    r = _r(name)
    return ae_severity(
        PATIENTS.rename(columns=name), EVENTS.rename(columns=name), by=[r("sex")],
        severity=r("severity"), subject_id=r("patient_id"), teae_flag=r("is_teae"),
    ).frame  # fmt: skip


def _by_exposure(name: dict[str, str]) -> pd.DataFrame:
    r = _r(name)
    return ae_by_exposure(
        EVENTS.rename(columns=name), EXPOSURES.rename(columns=name),
        number=r("exposure_number"), **{k: r(v) for k, v in AE_COLUMNS.items()},
    ).frame  # fmt: skip


def _duration(name: dict[str, str]) -> pd.DataFrame:
    r = _r(name)
    return ae_duration(
        EVENTS.rename(columns=name), term=r("ae_term"), duration=r("duration_days"),
        teae_flag=r("is_teae"),
    ).frame  # fmt: skip


#: (table, column, name): a name each that the table's own code uses (a count, a key of its
#: long frame, a helper column of its query)
AE_CASES = [
    ("incidence", "sex", "n"),
    ("incidence", "centre", "N"),
    ("incidence", "centre", "events"),
    ("incidence", "sex", "level"),
    ("incidence", "sex", "variable"),
    ("incidence", "sex", "_g"),
    ("incidence", "patient_id", "_n"),
    ("incidence", "ae_term", "_serious"),
    ("incidence", "sex", "_c0"),
    ("severity", "sex", "n"),
    ("severity", "sex", "N"),
    ("severity", "severity", "n"),
    ("severity", "sex", "_rank"),
    ("severity", "patient_id", "_rank"),
    ("by_exposure", "ae_term", "n"),
    ("by_exposure", "patient_id", "_k"),
    ("duration", "ae_term", "n"),
]
AE_BUILDERS = {
    "incidence": _incidence,
    "severity": _severity,
    "by_exposure": _by_exposure,
    "duration": _duration,
}


@functools.cache
def _ae_expected(table: str) -> pd.DataFrame:
    return AE_BUILDERS[table]({}).drop(columns="method")


@pytest.mark.parametrize(("table", "role", "name"), AE_CASES)
def test_an_ae_table_with_a_column_named_as_its_own_gives_the_same_numbers(table, role, name):
    build = AE_BUILDERS[table]
    expected = _ae_expected(table)
    got = _named_back(build({role: name}), name, role)
    pd.testing.assert_frame_equal(got, expected, check_exact=True, obj=f"{role} as {name}")


def test_ae_incidence_of_ibis_tables_with_a_group_named_n_gives_the_same_numbers():
    expected = _ae_expected("incidence")
    got = _named_back(_incidence({"sex": "n"}, as_ibis=True), "n", "sex")
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_ae_incidence_names_a_group_column_named_n_in_its_footnotes_and_errors():
    data = PATIENTS.rename(columns={"sex": "n"})
    result = ae_incidence(data, EVENTS, by=["n"], **AE_COLUMNS)
    assert any("compare the `n` levels" in note for note in result.footnotes)
    assert any(c.startswith("p-value, overall (n)") for c in result.display().columns)
    data.loc[3, "n"] = None
    with pytest.raises(ValueError, match=r"have a missing `n`; a table by `n`"):
        ae_incidence(data, EVENTS, by=["n"], **AE_COLUMNS)
    twice = pd.concat([PATIENTS.iloc[:1], PATIENTS]).rename(columns={"patient_id": "_n"})
    with pytest.raises(ValueError, match=r"1 duplicate or missing `_n` value"):
        ae_incidence(
            twice, EVENTS.rename(columns={"patient_id": "_n"}), **AE_COLUMNS | {"subject_id": "_n"}
        )


# --- Kaplan–Meier: the step tables carry n, events, time, surv, lower... beside the groups ---

SURVIVAL = PATIENTS.assign(
    months=RNG.exponential(10, SIZE).round(1), dead=RNG.integers(0, 2, SIZE)
)[["sex", "months", "dead"]]


def _km(name: dict[str, str]) -> pd.DataFrame:
    r = _r(name)
    return survival_ard(
        SURVIVAL.rename(columns=name), time=r("months"), event=r("dead"), by=r("sex"), times=[6]
    )


@pytest.mark.parametrize("name", ["n", "events", "surv", "lower"])
def test_kaplan_meier_by_a_group_named_as_a_step_table_column_gives_the_same_numbers(name):
    expected = _km({}).drop(columns="method")
    got = _named_back(_km({"sex": name}), name, "sex")
    pd.testing.assert_frame_equal(got, expected, check_exact=True, obj=f"sex as {name}")


def test_a_column_the_data_lacks_is_named_with_a_close_one():
    """`baseline_table(..., variables=["age"])` on data with `age_years` raised pandas' bare
    `KeyError: 'age'` from deep inside the table."""
    import pandas as pd

    from analysis.tables.baseline import baseline_table

    data = pd.DataFrame({"patient_id": ["a", "b"], "sex": ["f", "m"], "age_years": [30, 40]})
    with pytest.raises(ValueError) as err:
        baseline_table(data, by="sex", variables=["age"])
    assert str(err.value) == (
        "baseline_table: variables='age': the data has no column 'age' (did you mean "
        "'age_years'?). Its 3 column(s), closest first: 'age_years', 'sex', 'patient_id'. Pass "
        "the name of an existing column (as it is spelled there), or add the column to the data."
    )
