"""Numbers of a claims file as they are written: a p-value is checked to the decimals it is
written with (a tolerance meant for the estimate let p = 0.06 pass for 0.106), and a number
YAML 1.1 reads otherwise than written (``4:06`` as 246) is refused with its line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from analysis.ard import ard_frame
from analysis.errors import ConfigError
from analysis.report.claims import load_claims, verify_claims
from tests.conftest import ard_rows

MODEL = ard_frame(
    ard_rows("m", "sex", "male", "overall", estimate=1.636, ci_low=0.9001, ci_high=2.974,
             p_value=0.106332)
)  # fmt: skip


def _load(tmp_path: Path, claim: str) -> list:
    path = tmp_path / "x.claims.yaml"
    head = "claims:\n  - id: c\n    text: t\n    source_ref: Results\n"
    path.write_text(head + textwrap.indent(textwrap.dedent(claim), "    "), encoding="utf-8")
    return load_claims(path)


def _checks(tmp_path: Path, claim: str) -> dict[str, tuple[bool, float]]:
    result = verify_claims(MODEL, _load(tmp_path, claim))
    return {r.check: (bool(r.passed), float(r.tolerance)) for r in result.itertuples()}


def test_a_scalar_tolerance_does_not_loosen_the_p_value(tmp_path):
    checks = _checks(
        tmp_path,
        """\
        source: {table: m, variable: sex, level: male}
        expected: {estimate: 1.6, ci_low: 0.9, ci_high: 3.0, p_value: 0.06}
        tolerance: 0.05
        """,
    )
    assert checks["estimate"] == (True, 0.05) and checks["ci_high"] == (True, 0.05)
    assert checks["p_value"] == (False, pytest.approx(0.005))


@pytest.mark.parametrize(
    ("written", "passed", "tolerance"),
    [("0.11", True, 0.005), ("0.1", True, 0.05), ("0.106", True, 0.0005), ("0.110", False, 5e-4),
     ("0.12", False, 0.005), ("1.06e-1", True, 0.0005)],
)  # fmt: skip
def test_a_p_value_is_checked_to_the_decimals_it_is_written_with(
    tmp_path, written, passed, tolerance
):
    checks = _checks(
        tmp_path,
        f"source: {{table: m, variable: sex, level: male, stat: p_value}}\nexpected: {written}\n",
    )
    assert checks["p_value"] == (passed, pytest.approx(tolerance))


def test_a_tolerance_on_a_p_value_is_refused(tmp_path):
    with pytest.raises(ConfigError) as err:
        _load(
            tmp_path,
            """\
            source: {table: m, variable: sex, level: male}
            expected: {estimate: 1.6, p_value: 0.06}
            tolerance: {estimate: 0.05, p_value: 0.05}
            """,
        )
    assert "`tolerance` gives `p_value` a tolerance (0.05); a p-value is checked to the " in (
        str(err.value)
    )
    with pytest.raises(ConfigError, match=r"`tolerance: 0.05` applies to no stat: a p-value"):
        _load(
            tmp_path,
            "source: {table: m, variable: sex, level: male, stat: p_value}\n"
            "expected: 0.06\ntolerance: 0.05\n",
        )


@pytest.mark.parametrize(
    ("written", "read", "why"),
    [("4:06", "246", "base 60"), ("017", "15", "octal"), ("1_404", "1404", "drops the `_`"),
     ("0x1F", "31", "hexadecimal")],
)  # fmt: skip
def test_a_number_not_written_in_decimal_is_refused_with_its_line(tmp_path, written, read, why):
    with pytest.raises(ConfigError) as err:
        _load(
            tmp_path,
            f"source: {{table: m, variable: sex, level: male, stat: estimate}}\n"
            f"expected: {written}\n",
        )
    said = str(err.value)
    assert f"`claims[0].expected` (line 6) is written `{written}`, which YAML reads as the " in said
    assert read in said and why in said
    assert "Write each number as the paper prints it, in decimal" in said


def test_a_level_written_as_base_60_is_refused_too(tmp_path):
    with pytest.raises(ConfigError, match=r"`claims\[0\].expected_level` \(line 7\) is written"):
        _load(
            tmp_path,
            "kind: argmax\nsource: {table: m, variable: sex}\nexpected_level: 4:06\n",
        )
