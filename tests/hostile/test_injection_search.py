"""``neutralise_frame`` finds the cells it may escape with Arrow's regular expressions
(``safe_cells.map_text_cells(may_change=...)``): the same frame, and the same CSV text, as
calling ``neutralise_cell`` on every cell (the reference below, the code before)."""

from __future__ import annotations

import io
import random

import numpy as np
import pandas as pd
import pytest

from analysis.write.safe_cells import (
    DANGEROUS_PREFIXES,
    map_text_cells,
    neutralise_cell,
    neutralise_frame,
)


def _every_cell(data: pd.DataFrame) -> pd.DataFrame:
    """``neutralise_frame`` as it was: ``neutralise_cell`` mapped over every text cell."""
    return map_text_cells(data, neutralise_cell)


def _csv(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue()


PIECES = [*DANGEROUS_PREFIXES, " ", "  ", "a", "1", ".", "e", "%", "(", ")", " to ", "–", "x=1"]
MISSING = [None, np.nan, pd.NA]


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 4)))


def _column(rng: random.Random, n: int, kind: str) -> pd.Series:
    if kind == "text":
        return pd.Series([_text(rng) for _ in range(n)], dtype=object)
    if kind == "text and missing":
        cells = [rng.choice(MISSING) if rng.random() < 0.2 else _text(rng) for _ in range(n)]
        return pd.Series(cells, dtype=object)
    if kind == "string dtype":
        return pd.Series(
            [None if rng.random() < 0.2 else _text(rng) for _ in range(n)], dtype="string"
        )
    if kind == "mixed":  # numbers and dates among the text: Arrow cannot take it as text
        pool = [-2.5, 3, pd.Timestamp("2020-01-01"), True]
        cells = [rng.choice(pool) if rng.random() < 0.2 else _text(rng) for _ in range(n)]
        return pd.Series(cells, dtype=object)
    if kind == "unencodable":  # a lone surrogate: Arrow refuses the column
        return pd.Series([_text(rng) for _ in range(n - 1)] + ["=\ud800"], dtype=object)
    if kind == "bytes":
        return pd.Series([[b"=x", b"y", "=z", None][i % 4] for i in range(n)], dtype=object)
    if kind == "safe text":
        return pd.Series([f"row {i}" for i in range(n)], dtype=object)
    if kind == "missing only":
        return pd.Series([None] * n, dtype=object)
    return pd.Series([rng.randint(-50, 50) for _ in range(n)], dtype="int64")


KINDS = [
    "text",
    "text and missing",
    "string dtype",
    "mixed",
    "unencodable",
    "bytes",
    "safe text",
    "missing only",
    "numbers",
]


@pytest.mark.parametrize("seed", range(25))
def test_the_search_gives_what_every_cell_gives(seed):
    rng = random.Random(seed)
    n = rng.choice([4, 30, 200])
    kinds = rng.sample(KINDS, k=rng.randint(1, len(KINDS)))
    data = pd.DataFrame({f"{kind} {i}": _column(rng, n, kind) for i, kind in enumerate(kinds)})
    got, want = neutralise_frame(data), _every_cell(data)
    assert _csv(got) == _csv(want)
    for name in data.columns:
        for a, b in zip(got[name].tolist(), want[name].tolist(), strict=True):
            assert (_missing(a) and _missing(b)) or (type(a) is type(b) and a == b), (name, a, b)
    assert (got is data) == (_csv(data) == _csv(want))  # unchanged: the frame itself


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def test_a_frame_with_nothing_to_escape_is_returned_itself():
    data = pd.DataFrame(
        {"a": ["x", None, "y - z"], "b": pd.Series(["1", None, "q"], dtype="string")}
    )
    assert neutralise_frame(data) is data


def test_only_the_cells_found_are_escaped_and_the_rest_are_the_same_objects():
    cells = ["=1+1", "safe", None, "  -A1", "-2.5", "@x", np.nan]
    data = pd.DataFrame({"text": pd.Series(cells, dtype=object)})
    got = neutralise_frame(data)["text"].tolist()
    assert got[0] == "'=1+1" and got[3] == "'  -A1" and got[5] == "'@x"
    assert got[1] is cells[1] and got[2] is None and got[4] == "-2.5" and got[6] is cells[6]
