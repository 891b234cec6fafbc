"""Claims-file mistakes that passed, or were said in pydantic's words: ``expected: no`` (YAML's
false) passed as 0; ``scale: 0`` passed any ratio of 0; an empty ``expected_level`` passed as
the N row; ``.nan`` could never be met; ``1,404`` (a 1 and a key 404) and ``'45.5%'`` were said
as ``expected.float`` / ``expected.dict[str,float]`` errors; an empty ``claims:`` was told to
be written ``[None]``; an empty file got study-file advice; a repeated id had no line. And the
hint for a comparison's stat asked without its ``reference`` listed the cell's own CIs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from analysis.ard import ard_frame
from analysis.errors import ConfigError
from analysis.report.claims import ValueClaim, load_claims, verify_claims
from analysis.report.html import _fmt_number
from tests.conftest import ard_rows

VALUE = """\
claims:
  - id: pain
    text: "pain: 246"
    source_ref: Results
    source: {{table: ae, variable: ae_term, level: pain, stat: n}}
    expected: {expected}
"""
RATIO = """\
claims:
  - id: share
    kind: ratio
    text: "86 (15.9%)"
    source_ref: Results
    numerator: {{table: r, variable: N, stat: N}}
    denominator: {{table: b, variable: N, stat: N}}
    scale: {scale}
    expected: 15.9
"""


def _load(tmp_path: Path, text: str) -> str:
    path = tmp_path / "x.claims.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_claims(path)
    return str(err.value)


@pytest.mark.parametrize(
    ("expected", "said"),
    [
        ("no", "`expected` is no (YAML reads yes/no/true/false as a truth value"),
        ("yes", "`expected` is yes"),
        (".nan", "`expected` is nan; write a finite number"),
        ("'45.5%'", "`expected` is the text '45.5%'; write the number alone"),
        ("{n: 1,404}", "`expected.n` reads `1,404` as 1 and a key `404` with no value: a decimal"),
        ("{n: 246, pct:}", "`expected.pct` has no value"),
        ("", "`expected` has no value"),
    ],
)
def test_a_stated_number_yaml_did_not_read_as_one_is_refused_in_words(tmp_path, expected, said):
    message = _load(tmp_path, VALUE.format(expected=expected))
    assert said in message
    assert "float" not in message and "dict[str" not in message
    assert "`claims[0].expected` (line 6)" in message  # where it is written


@pytest.mark.parametrize("scale", ["0", "-100", "no"])
def test_a_ratio_scale_must_be_above_zero(tmp_path, scale):
    assert "`scale`" in _load(tmp_path, RATIO.format(scale=scale))


def test_an_empty_expected_level_is_refused(tmp_path):
    text = """\
    claims:
      - id: mode
        kind: argmax
        text: every 3 months
        source_ref: Results
        source: {table: b, variable: schedule}
        expected_level: ""
    """
    assert "expected_level" in _load(tmp_path, text)


def test_an_empty_claims_list_and_an_empty_file_say_what_to_write(tmp_path):
    message = _load(tmp_path, "claims:\n")
    assert "`claims` lists no claim" in message and "[None]" not in message
    message = _load(tmp_path, "# nothing yet\n")
    assert "claims files shipped in studies/ (*.claims.yaml; docs/claims.md)" in message
    assert "study files" not in message


def test_a_repeated_id_names_both_lines(tmp_path):
    text = (
        VALUE.format(expected=246) + textwrap.dedent(VALUE.format(expected=247)).split("\n", 1)[1]
    )
    assert "'pain' at lines 2, 7 is repeated" in _load(tmp_path, text)


def test_a_comparisons_stat_asked_without_its_reference_says_to_add_it():
    ard = ard_frame(
        [
            *ard_rows("ae", "ae_term", "pain", "sex=male", n=10, N=20, ci_low=30.0, ci_high=70.0),
            {
                "table": "ae",
                "variable": "ae_term",
                "level": "pain",
                "group": "sex=male",
                "reference": "female",
                "stat": "estimate",
                "value": 5.0,
            },
        ]
    )
    claim = ValueClaim(
        id="rd",
        text="5 points more",
        source_ref="Results",
        source={"table": "ae", "variable": "ae_term", "level": "pain", "group": {"sex": "male"}},
        expected={"estimate": 5.0},
    )
    note = verify_claims(ard, [claim]).iloc[0]["note"]
    assert "stat 'estimate' is in this cell as a comparison against 'female'" in note
    assert "add `reference: female`" in note


def test_the_report_shows_an_argmax_level_as_written():
    assert _fmt_number("3.0") == "3.0" and _fmt_number("3") == "3"
    assert _fmt_number(3.0) == "3" and _fmt_number(45.4713) == "45.47"
