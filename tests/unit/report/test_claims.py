"""Claims check: loading the claims YAML, verifying claims against an ARD, the verify command."""

from __future__ import annotations

import math
import re
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from rich.console import Console

from analysis.ard import ard_frame, concat_ard
from analysis.errors import ConfigError
from analysis.report.claims import (
    ArgmaxClaim,
    RatioClaim,
    ValueClaim,
    claims_path_for,
    load_claims,
    verify_claims,
    verify_command,
)
from tests.conftest import ard_rows


@pytest.fixture
def ard() -> pd.DataFrame:
    rows = [
        *ard_rows("baseline", "N", "", "overall", N=541),
        *ard_rows("baseline", "N", "", "overall", N=541),  # same overall column in a second table
        *ard_rows("baseline", "schedule", "1", "overall", n=43, N=530),
        *ard_rows("baseline", "schedule", "3", "overall", n=314, N=530),
        *ard_rows("baseline", "schedule", "4", "overall", n=76, N=530),
        *ard_rows("ae", "ae_term", "pain", "overall", n=246, N=541, pct=100 * 246 / 541),
        *ard_rows("ae", "ae_term", "edema", "overall", n=66, N=541, pct=100 * 66 / 541),
        *ard_rows("ae", "serious_ae", "any serious adverse event", "overall", n=0, N=541),
        *ard_rows(
            "response", "any_improvement", "any improvement", "therapy_group=mono", n=69, N=86
        ),
    ]
    return ard_frame(rows)


def value(id_="c", *, expected, tolerance=0.0, **source) -> ValueClaim:
    return ValueClaim(
        id=id_,
        text=f"text {id_}",
        source_ref="Results",
        source=source,
        expected=expected,
        tolerance=tolerance,
    )


def _one(result: pd.DataFrame, id_: str, check: str) -> pd.Series:
    rows = result.loc[(result["id"] == id_) & (result["check"] == check)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


# ----------------------------------------------------------------------------- value claims
def _pain_n_pct() -> ValueClaim:
    """The pain claim: its count and its percentage."""
    return value(
        "pain",
        table="ae",
        variable="ae_term",
        level="pain",
        expected={"n": 246, "pct": 45.5},
        tolerance={"pct": 0.05},
    )


def test_value_claim_with_several_stats_gives_one_check_per_stat(ard):
    c = _pain_n_pct()
    res = verify_claims(ard, [c])
    assert list(res.columns) == [
        "id",
        "check",
        "text",
        "expected",
        "computed",
        "tolerance",
        "passed",
        "fully_checked",
        "note",
        "source_ref",
    ]
    assert res["check"].tolist() == ["n", "pct"]
    assert res["passed"].tolist() == [True, True]
    assert _one(res, "pain", "n")["computed"] == 246
    assert _one(res, "pain", "pct")["computed"] == pytest.approx(45.4713, abs=1e-4)
    assert _one(res, "pain", "n")["tolerance"] == 0
    assert _one(res, "pain", "pct")["tolerance"] == 0.05


def test_tampered_count_fails_exactly_that_check(ard):
    tampered = ard.copy()
    mask = (tampered["level"] == "pain") & (tampered["stat"] == "n")
    tampered.loc[mask, "value"] = 245.0
    claims = [
        _pain_n_pct(),
        value(
            "serious",
            table="ae",
            variable="serious_ae",
            level="any serious adverse event",
            stat="n",
            expected=0,
        ),
    ]
    res = verify_claims(tampered, claims)
    failed = res.loc[~res["passed"]]
    assert failed[["id", "check"]].values.tolist() == [["pain", "n"]]
    assert failed.iloc[0]["computed"] == 245
    assert failed.iloc[0]["note"] == "differs by -1"


def test_missing_source_fails_with_not_found_and_a_hint(ard):
    c = value("x", table="ae", variable="ae_term", level="Pain", stat="n", expected=246)
    row = verify_claims(ard, [c]).iloc[0]
    assert not row["passed"]
    assert math.isnan(row["computed"])
    assert row["note"].startswith("not found in ARD: ae.ae_term[Pain] @ overall: n")
    assert "no level 'Pain' here; levels: 'edema', 'pain'" in row["note"]


def test_unknown_table_is_named(ard):
    c = value("x", table="ae_incidence", variable="ae_term", level="pain", stat="n", expected=1)
    note = verify_claims(ard, [c]).iloc[0]["note"]
    assert "no table 'ae_incidence' here; tables: 'ae', 'baseline', 'response'" in note


def test_several_rows_with_different_values_fail_as_ambiguous(ard):
    extra = ard_frame(ard_rows("ae", "ae_term", "pain", "overall", n=250))
    c = value("pain", table="ae", variable="ae_term", level="pain", stat="n", expected=246)
    row = verify_claims(pd.concat([ard, extra], ignore_index=True), [c]).iloc[0]
    assert not row["passed"]
    assert row["note"] == "ambiguous: 2 rows match ae.ae_term[pain] @ overall: n (values 246, 250)"


def test_identical_duplicate_rows_pass_with_a_note(ard):
    c = value("n", table="baseline", variable="N", stat="N", expected=541)
    row = verify_claims(ard, [c]).iloc[0]
    assert row["passed"]
    assert row["note"] == "2 identical rows match"


def test_zero_is_checked_exactly(ard):
    ok = value(
        "s",
        table="ae",
        variable="serious_ae",
        level="any serious adverse event",
        stat="n",
        expected=0,
    )
    bad = value(
        "t",
        table="ae",
        variable="serious_ae",
        level="any serious adverse event",
        stat="n",
        expected=1,
    )
    assert verify_claims(ard, [ok, bad])["passed"].tolist() == [True, False]


@pytest.mark.parametrize(
    ("computed", "passed"), [(45.45, True), (45.55, True), (45.4499, False), (45.5501, False)]
)
def test_tolerance_is_absolute_and_inclusive(computed, passed):
    frame = ard_frame(ard_rows("t", "v", "a", "overall", pct=computed))
    c = value("p", table="t", variable="v", level="a", stat="pct", expected=45.5, tolerance=0.05)
    assert bool(verify_claims(frame, [c]).iloc[0]["passed"]) is passed


def test_nan_value_fails():
    frame = ard_frame(ard_rows("t", "v", "a", "overall", pct=float("nan")))
    row = verify_claims(
        frame, [value("p", table="t", variable="v", level="a", stat="pct", expected=1)]
    ).iloc[0]
    assert not row["passed"]
    assert row["note"] == "computed value is NaN"


# ----------------------------------------------------------------------------- ratio claims
def _ratio(**kw) -> RatioClaim:
    base = {
        "id": "r",
        "kind": "ratio",
        "text": "86 (15.9%) of 541",
        "source_ref": "Results",
        "numerator": {
            "table": "response",
            "variable": "any_improvement",
            "level": "any improvement",
            "group": {"therapy_group": "mono"},
            "stat": "N",
        },
        "denominator": {"table": "baseline", "variable": "N", "stat": "N"},
        "expected": 15.9,
        "tolerance": 0.05,
    }
    return RatioClaim.model_validate({**base, **kw})


def test_ratio_claim_computes_scale_times_numerator_over_denominator(ard):
    row = verify_claims(ard, [_ratio()]).iloc[0]
    assert row["check"] == "ratio"
    assert row["passed"]
    assert row["computed"] == pytest.approx(100 * 86 / 541)
    assert "86 / 541 × 100" in row["note"]


def test_ratio_claim_fails_when_a_term_is_missing_or_zero(ard):
    missing = _ratio(denominator={"table": "baseline", "variable": "N", "stat": "n"})
    row = verify_claims(ard, [missing]).iloc[0]
    assert not row["passed"]
    assert row["note"].startswith("denominator not found in ARD: baseline.N @ overall: n")
    zero = _ratio(
        denominator={
            "table": "ae",
            "variable": "serious_ae",
            "level": "any serious adverse event",
            "stat": "n",
        }
    )
    row = verify_claims(ard, [zero]).iloc[0]
    assert not row["passed"]
    assert row["note"].startswith("denominator is 0")


# ----------------------------------------------------------------------------- argmax claims
def _argmax(level: str, **source) -> ArgmaxClaim:
    src = {"table": "baseline", "variable": "schedule", "stat": "n", **source}
    return ArgmaxClaim(
        id="mode",
        kind="argmax",
        text="most common: every 3 months",
        source_ref="Results",
        source=src,
        expected_level=level,
    )


def test_argmax_claim(ard):
    ok, wrong = verify_claims(ard, [_argmax("3"), _argmax("4")]).itertuples(index=False)
    assert ok.passed and ok.computed == "3" and ok.expected == "3"
    assert ok.note == "3: n = 314; next 4: n = 76"
    assert not wrong.passed and wrong.computed == "3"


def test_argmax_tie_fails(ard):
    frame = ard_frame(
        [
            *ard_rows("b", "s", "1", "overall", n=10),
            *ard_rows("b", "s", "3", "overall", n=10),
            *ard_rows("b", "s", "4", "overall", n=2),
        ]
    )
    row = verify_claims(frame, [_argmax("3", table="b", variable="s")]).iloc[0]
    assert not row["passed"]
    assert row["note"] == "tie: levels ['1', '3'] share the largest n (10) in b.s @ overall: n"


def test_argmax_leaves_a_not_applicable_level_out():
    frame = ard_frame(
        [
            *ard_rows("b", "s", "1", "overall", n=10),
            *ard_rows("b", "s", "3", "overall", n=12),
            *ard_rows("b", "s", "not applicable", "overall", n=40),
        ]
    )
    row = verify_claims(frame, [_argmax("3", table="b", variable="s")]).iloc[0]
    assert row["passed"] and row["computed"] == "3"
    assert row["note"] == "3: n = 12; next 1: n = 10"


def test_argmax_missing_source_fails(ard):
    row = verify_claims(ard, [_argmax("3", variable="schedule_months")]).iloc[0]
    assert not row["passed"]
    assert row["computed"] is None
    assert row["note"].startswith("not found in ARD: baseline.schedule_months @ overall: n")


def test_verify_claims_does_not_modify_the_ard(ard):
    before = ard.copy()
    verify_claims(
        ard,
        [
            _ratio(),
            _argmax("3"),
            value("n", table="baseline", variable="N", stat="N", expected=541),
        ],
    )
    pd.testing.assert_frame_equal(ard, before)


# ----------------------------------------------------------------------------- loading
def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "x.claims.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


GOOD = """\
    study: x
    claims:
      - id: pain
        text: "pain: 246 (45.5%)"
        source_ref: Results
        source: {table: ae, variable: ae_term, level: pain}
        expected: {n: 246, pct: 45.5}
        tolerance: {pct: 0.05}
      - id: share
        kind: ratio
        text: "86 (15.9%)"
        source_ref: Results
        numerator: {table: response, variable: any_improvement, level: any improvement,
                    group: {therapy_group: mono}, stat: N}
        denominator: {table: baseline, variable: N, stat: N}
        expected: 15.9
        tolerance: 0.05
      - id: mode
        kind: argmax
        text: every 3 months
        source_ref: Results
        source: {table: baseline, variable: schedule}
        expected_level: "3"
    """


def test_load_claims_reads_every_kind_with_defaults(tmp_path, ard):
    claims = load_claims(_write(tmp_path, GOOD))
    assert [type(c).__name__ for c in claims] == ["ValueClaim", "RatioClaim", "ArgmaxClaim"]
    pain = claims[0]
    assert isinstance(pain, ValueClaim)
    assert pain.source.group == {}
    assert pain.checks() == {"n": 246, "pct": 45.5}
    assert pain.tolerance_for("n") == 0 and pain.tolerance_for("pct") == 0.05
    assert isinstance(claims[2], ArgmaxClaim) and claims[2].source.stat == "n"
    assert verify_claims(ard, claims)["passed"].all()


def test_unquoted_number_levels_are_strings(tmp_path, ard):
    claims = load_claims(_write(tmp_path, GOOD.replace('expected_level: "3"', "expected_level: 3")))
    assert claims[2].expected_level == "3"  # type: ignore[union-attr]
    assert verify_claims(ard, claims)["passed"].all()


def test_unknown_key_is_an_error_naming_the_key_and_line(tmp_path):
    text = GOOD.replace("        tolerance: {pct: 0.05}\n", "        tolerence: {pct: 0.05}\n", 1)
    with pytest.raises(ConfigError) as err:
        load_claims(_write(tmp_path, text))
    msg = str(err.value)
    assert "1 problem(s) in the claims file" in msg
    assert (
        "unknown key `claims[0].tolerence` (line 8) (did you mean `tolerance`?); check its "
        "spelling or remove it"
    ) in msg


def test_unknown_key_in_a_selector_is_named(tmp_path):
    text = GOOD.replace("denominator: {table: baseline,", "denominator: {tabel: baseline,")
    with pytest.raises(ConfigError) as err:
        load_claims(_write(tmp_path, text))
    assert "unknown key `claims[1].denominator.tabel` (line 15)" in str(err.value)
    assert "missing required key `claims[1].denominator.table` (line 15)" in str(err.value)


def test_unknown_kind_is_named(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_claims(_write(tmp_path, GOOD.replace("kind: argmax", "kind: mode")))
    assert "`claims[2].kind` (line 18) is 'mode'; use one of value, ratio, argmax" in str(err.value)


def test_stat_given_twice_is_an_error(tmp_path):
    text = GOOD.replace("level: pain}", "level: pain, stat: n}")
    with pytest.raises(ConfigError) as err:
        load_claims(_write(tmp_path, text))
    assert "`source.stat` ('n') and a mapping `expected` (['n', 'pct']) both name stats" in str(
        err.value
    )


def test_stat_missing_is_an_error(tmp_path):
    text = GOOD.replace("expected: {n: 246, pct: 45.5}", "expected: 246").replace(
        "tolerance: {pct: 0.05}", "tolerance: 0"
    )
    with pytest.raises(ConfigError) as err:
        load_claims(_write(tmp_path, text))
    assert "`source.stat` is missing; name the stat" in str(err.value)


def test_tolerance_for_an_unchecked_stat_is_an_error(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_claims(_write(tmp_path, GOOD.replace("tolerance: {pct: 0.05}", "tolerance: {N: 1}")))
    assert "`tolerance` names stat(s) ['N'] that `expected` does not check" in str(err.value)


def test_negative_tolerance_is_an_error(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_claims(_write(tmp_path, GOOD.replace("tolerance: 0.05", "tolerance: -0.05")))
    assert (
        "`claims[1]` (line 9): claim 'share': tolerance must be a finite number >= 0, found "
        "[-0.05]" in str(err.value)
    )


def test_duplicate_ids_are_an_error(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_claims(_write(tmp_path, GOOD.replace("id: mode", "id: pain")))
    assert "'pain' at lines 3, 18 is repeated" in str(err.value)


def test_unsafe_yaml_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="unsafe or unknown YAML tag"):
        load_claims(_write(tmp_path, "claims: !!python/object/apply:os.system ['true']\n"))


def test_missing_claims_file(tmp_path):
    with pytest.raises(ConfigError, match="claims file not found: .*nope.claims.yaml"):
        load_claims(tmp_path / "nope.claims.yaml")


def test_claims_path_sits_next_to_the_study_file():
    assert claims_path_for("studies/abc.yaml") == Path("studies/abc.claims.yaml")


# ----------------------------------------------------------------------------- command
def _fake_study(ard: pd.DataFrame) -> SimpleNamespace:
    return SimpleNamespace(
        clean=None,
        ard=ard,
        config=SimpleNamespace(study=SimpleNamespace(name="x")),
        table_names=sorted(set(ard["table"])),
    )


@pytest.mark.parametrize(("pain_n", "status"), [(246, 0), (245, 1)])
def test_verify_command_prints_the_table_and_returns_the_status(
    tmp_path, ard, monkeypatch, pain_n, status
):
    study_path = tmp_path / "x.yaml"
    study_path.write_text("unused: true\n")
    _write(tmp_path, GOOD)
    data = ard.copy()
    data.loc[(data["level"] == "pain") & (data["stat"] == "n"), "value"] = pain_n
    from analysis.run import study as study_mod

    monkeypatch.setattr(study_mod.Study, "load", classmethod(lambda cls, p: _fake_study(data)))
    console = Console(record=True, width=200)
    assert verify_command(study_path, console=console) == status
    text = console.export_text()
    assert "Claims of x (x.claims.yaml)" in text
    if status == 0:
        assert "all 4 checks of 3 claims pass" in text
        assert "FAIL" not in text
    else:
        assert "1 of 4 checks fail (claims: pain)" in text
        assert "differs by -1" in text
        where = f"{tmp_path / 'x.claims.yaml'}, line 3: claim 'pain' (n): expected 246, "
        assert f"{where}computed 245: differs by -1" in text.replace("\n", "")


def test_a_group_written_as_text_is_an_error_saying_how_to_write_the_mapping(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_claims(
            _write(
                tmp_path, GOOD.replace("group: {therapy_group: mono}", "group: therapy_group=mono")
            )
        )
    text = str(err.value)
    assert (
        "`group` is a mapping of each group to its level, found the text 'therapy_group=mono'"
        in text
    )
    assert "write e.g. `group: {therapy_group: monotherapy}`" in text


def test_a_comparison_is_selected_by_its_reference(ard):
    extra = ard_frame(
        [
            {
                "table": "ae",
                "variable": "ae_term",
                "level": "pain",
                "group": "sex=male vs female",
                "stat": "estimate",
                "value": -3.5,
            }
        ]  # fmt: skip
    )
    c = value("rd", table="ae", variable="ae_term", level="pain", stat="estimate",
              group={"sex": "male"}, reference="female", expected=-3.5)  # fmt: skip
    assert verify_claims(concat_ard([ard, extra]), [c])["passed"].all()


def _edema_unchecked() -> ValueClaim:
    """A claim whose text states a percentage it does not check."""
    return ValueClaim(
        id="edema",
        text="edema in 66 patients (11%)",
        source_ref="Results",
        unchecked="the printed 11% fits no denominator (66/541 = 12.2%)",
        source={"table": "ae", "variable": "ae_term", "level": "edema", "stat": "n"},
        expected=66,
    )


def test_a_number_the_claim_does_not_check_is_said_in_its_note(ard):
    """A pass on the count must not read as covering a printed percentage that fits no
    denominator ("14 patients (0.5%)" with 14/2469 = 0.57%)."""
    checked = _edema_unchecked()
    plain = value("pain", table="ae", variable="ae_term", level="pain", stat="n", expected=246)
    res = verify_claims(ard, [checked, plain])
    assert res["passed"].tolist() == [True, True]
    assert res["fully_checked"].tolist() == [False, True]
    assert _one(res, "edema", "n")["note"] == (
        "not checked: the printed 11% fits no denominator (66/541 = 12.2%)"
    )
    assert _one(res, "pain", "n")["note"] == ""
    # a failing claim keeps its own note first
    tampered = ard.assign(
        value=ard["value"].where(~((ard["level"] == "edema") & (ard["stat"] == "n")), 65.0)
    )
    note = _one(verify_claims(tampered, [checked]), "edema", "n")["note"]
    assert note.startswith("differs by -1") and note.endswith("(66/541 = 12.2%)")


def test_the_report_says_a_claim_with_an_unchecked_number_passed_in_part_only(ard):
    """The claims section must not read "All claims reproduced." over a claim whose printed
    percentage was not checked; counts are of claims, not of their checks."""
    from analysis.report.html import _claims_table, claims_verdict

    partial = _edema_unchecked()
    both = _pain_n_pct()
    res = verify_claims(ard, [partial, both])
    html = _claims_table(res)
    assert "All claims reproduced." not in html
    assert "1 claim reproduced in full and 1 in part only" in html
    assert html.count(">pass, in part<") == 1 and html.count(">pass<") == 2
    # each row says which of its claim's numbers it checks: pain "246 (45.5%)" is n, then %
    cells = [
        re.sub(r"<[^>]+>", "", row).split("\x00")
        for row in re.findall(r"<tr>(.*?)</tr>", html.replace("</td><td", "</td>\x00<td"))
    ]
    pain = [c[1] for c in cells if c[0] == "text pain"]
    assert pain == ["n", "%"], cells
    assert '<th scope="col">Number</th>' in html

    full = verify_claims(ard, [both])
    assert "All claims reproduced." in _claims_table(full)

    # two failing checks of one claim are one claim not reproduced
    tampered = ard.assign(value=ard["value"].where(ard["level"] != "pain", 1.0))
    res = verify_claims(tampered, [partial, both])
    said = claims_verdict(res["id"], res["passed"], res["fully_checked"])
    assert said.startswith("1 of 2 claims NOT reproduced. 0 claims reproduced in full and 1")


def test_verify_command_prints_a_long_claim_id_whole_at_80_columns(tmp_path, ard, monkeypatch):
    study_path = tmp_path / "x.yaml"
    study_path.write_text("unused: true\n")
    long_id = "pain_in_the_first_year_among_all_patients_as_stated_in_the_abstract"
    _write(tmp_path, GOOD.replace("- id: pain", f"- id: {long_id}"))
    from analysis.run import study as study_mod

    monkeypatch.setattr(study_mod.Study, "load", classmethod(lambda cls, p: _fake_study(ard)))
    console = Console(record=True, width=80)
    assert verify_command(study_path, console=console) == 0
    text = console.export_text()
    assert "…" not in text
    folded = "".join(line.split("│")[1].strip() for line in text.splitlines() if "│" in line)
    assert long_id in folded


def test_verify_refuses_a_claim_naming_a_table_the_study_does_not_make(tmp_path, ard, monkeypatch):
    """A misspelt table was a failed check (exit status 1, as if the analysis were wrong); it
    is a mistake in the claims file: an error naming the claim, its line and the closest table,
    before the study is cleaned (exit status 2 on the command line)."""
    study_path = tmp_path / "x.yaml"
    study_path.write_text("unused: true\n")
    _write(tmp_path, GOOD.replace("{table: ae,", "{table: aes,"))
    from analysis.run import study as study_mod

    fake = _fake_study(ard)
    fake.table_names = ["baseline", "ae", "response"]
    monkeypatch.setattr(study_mod.Study, "load", classmethod(lambda cls, p: fake))
    with pytest.raises(ConfigError) as err:
        verify_command(study_path, console=Console(record=True, width=200))
    assert " ".join(str(err.value).split()) == (
        f"claims file {tmp_path / 'x.claims.yaml'}: 1 claim(s) name a table the study does not "
        "make: claim 'pain' (line 3): table 'aes' (did you mean 'ae'?). The study's "
        "tables are baseline, ae, response. Correct the `table` of each claim's source (format: "
        "docs/claims.md)."
    )
