"""A number written with a comma (a decimal comma, 45,5, or a thousands separator, 1,404) is
refused with words for what it most likely is: in a mapping on one line YAML reads
``pct: 45,5`` as 45 and a key ``5``, and the message spoke only of a thousands separator."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.errors import ConfigError
from analysis.report.claims import load_claims

HEAD = """\
claims:
  - id: comma_pct
    text: "dolor: 246 (45,5 %)"
    source_ref: Results
    source: {table: ae_incidence, variable: ae_term, level: pain}
"""


def _error(tmp_path: Path, tail: str) -> str:
    path = tmp_path / "x.claims.yaml"
    path.write_text(HEAD + tail, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_claims(path)
    return str(err.value)


def test_a_decimal_comma_in_a_one_line_mapping_is_named(tmp_path):
    said = _error(tmp_path, "    expected: {n: 246, pct: 45,5}\n    tolerance: 0.05\n")
    assert (
        "`claims[0].expected` (line 6): `expected.pct` reads `45,5` as 45 and a key `5` with no "
        "value: a decimal comma? write 45.5 (YAML numbers take a decimal point)"
    ) in said
    assert "thousands" not in said


def test_three_digits_after_the_comma_may_be_either(tmp_path):
    said = _error(tmp_path, "    expected: {n: 1,404, pct: 45.5}\n    tolerance: 0.05\n")
    assert "`expected.n` reads `1,404` as 1 and a key `404` with no value" in said
    assert "a decimal comma? write 1.404" in said and "a thousands separator? write 1404" in said


def test_a_number_with_a_comma_on_its_own_line_is_named_too(tmp_path):
    said = _error(tmp_path, "    expected: 45,5\n")
    assert "`expected` is the text '45,5': a decimal comma? write 45.5" in said
