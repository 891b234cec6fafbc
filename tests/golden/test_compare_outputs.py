"""The before/after output comparison finds a moved number, a changed claim and a changed figure,
and reads both ARD layouts (packed ``group`` and explicit ``group1``/``group1_level``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from PIL import Image

from tests.golden.compare_outputs import ard_numbers, main

PACKED = pd.DataFrame(
    {
        "table": ["t", "t"],
        "variable": ["x", "x"],
        "level": ["a", "a"],
        "group": ["sex=female;arm=b", "sex=*"],
        "stat": ["n", "p_value"],
        "value": ["3", "0.25"],
        "method": ["", "fisher"],
    }
)
EXPLICIT = pd.DataFrame(
    {
        "table": ["t", "t"],
        "context": ["c", "c"],
        "group1": ["arm", "sex"],
        "group1_level": ["b", ""],
        "group2": ["sex", ""],
        "group2_level": ["female", ""],
        "variable": ["x", "x"],
        "level": ["a", "a"],
        "stat": ["n", "p_value"],
        "value": ["3", "0.25"],
        "method": ["", "fisher"],
    }
)


def _study(root: Path, ard: pd.DataFrame, *, claim: str = "541", colour: str = "white") -> Path:
    folder = root / "study"
    (folder / "figures").mkdir(parents=True)
    ard.to_csv(folder / "ard.csv", index=False)
    pd.DataFrame({"id": ["c1"], "computed": [claim], "passed": ["True"]}).to_csv(
        folder / "claims_check.csv", index=False
    )
    Image.new("RGB", (4, 4), colour).save(folder / "figures" / "f.png")
    return root


def test_both_layouts_key_the_same_numbers(tmp_path: Path) -> None:
    before = _study(tmp_path / "a", PACKED)
    after = _study(tmp_path / "b", EXPLICIT)
    assert ard_numbers(before / "study/ard.csv") == ard_numbers(after / "study/ard.csv")
    assert main([str(before), str(after)]) == 0


def test_a_moved_number_a_claim_or_a_figure_fails(tmp_path: Path) -> None:
    before = _study(tmp_path / "a", PACKED)
    moved = PACKED.assign(value=["4", "0.25"])
    assert main([str(before), str(_study(tmp_path / "b", moved))]) == 1
    assert main([str(before), str(_study(tmp_path / "c", PACKED, claim="540"))]) == 1
    assert main([str(before), str(_study(tmp_path / "d", PACKED, colour="black"))]) == 1


def test_reworded_methods_pass_only_when_allowed_and_never_hide_a_value(tmp_path: Path) -> None:
    before = _study(tmp_path / "a", EXPLICIT)
    words = EXPLICIT.assign(method=["", "Fisher's exact test"])
    after = _study(tmp_path / "b", words)
    assert main([str(before), str(after)]) == 1
    assert main([str(before), str(after), "--allow-reworded"]) == 0
    # a row moved to another key and reworded: both flags, and its value must still be equal
    moved = words.assign(level=["a", ""])
    assert main([str(before), str(_study(tmp_path / "c", moved)), "--allow-reworded"]) == 1
    both = [str(before), str(_study(tmp_path / "d", moved)), "--allow-relabel", "--allow-reworded"]
    assert main(both) == 0
    shifted = moved.assign(value=["3", "0.26"])
    wrong = [
        str(before),
        str(_study(tmp_path / "e", shifted)),
        "--allow-relabel",
        "--allow-reworded",
    ]
    assert main(wrong) == 1
