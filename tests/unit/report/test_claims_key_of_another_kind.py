"""An unknown key's "did you mean" comes from the keys of the claim's own kind: `expected` on an
argmax claim was answered "did you mean `expected`?" (a key of a value claim)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.errors import ConfigError
from analysis.report.claims import load_claims


def _error(tmp_path: Path, claim: str) -> str:
    path = tmp_path / "x.claims.yaml"
    path.write_text("claims:\n  - id: a\n    text: x\n    source_ref: x\n" + claim, "utf-8")
    with pytest.raises(ConfigError) as err:
        load_claims(path)
    return str(err.value)


def test_expected_on_an_argmax_claim_suggests_expected_level(tmp_path):
    said = _error(
        tmp_path,
        "    kind: argmax\n    source: {table: ae, variable: ae_term}\n    expected: pain\n",
    )
    assert "unknown key `claims[0].expected` (line 7) (did you mean `expected_level`?)" in said
    assert "did you mean `expected`?" not in said


def test_expected_level_on_a_value_claim_suggests_expected(tmp_path):
    said = _error(
        tmp_path,
        "    source: {table: ae, variable: ae_term, stat: n}\n    expected_level: pain\n",
    )
    assert "unknown key `claims[0].expected_level` (line 6) (did you mean `expected`?)" in said
