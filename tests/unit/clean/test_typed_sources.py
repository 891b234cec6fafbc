"""A typed source (Parquet, SAS, SPSS: numbers, dates and booleans of NumPy types) cleans as the
same cells made Python objects one by one: the readers run once per distinct value without
boxing the column (``distinct``), and columns of those types are known to hold no text (no
unreadable cell to look for). The whole clean stage is compared, and the two readers' steps."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

import analysis.clean.read as read
from analysis.clean import cells
from analysis.clean.stage import clean_study
from analysis.studyfile.config import StudyConfig
from tests.conftest import MINI_FILES, _dedent
from tests.unit.clean.test_two_process import _assert_same

DATES = {"last_visit", "disc_date", "date", "onset", "start", "stop"}
NUMBERS = {"age", "dose"}


def _typed_parquet(text: str) -> bytes:
    frame = pd.read_csv(io.StringIO(_dedent(text)), dtype=str, keep_default_na=False)
    for column in frame.columns:
        if column in DATES:
            frame[column] = pd.to_datetime(frame[column], errors="coerce")
        elif column in NUMBERS:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    if "dose" in frame:  # a negative zero, a missing dose and a dose of many digits
        frame.loc[0, "dose"], frame.loc[1, "dose"], frame.loc[2, "dose"] = -0.0, np.nan, 0.1 + 2e-17
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


def test_a_typed_study_cleans_as_its_cells_made_objects(mini_study, monkeypatch):
    files: dict[str, str | bytes | None] = {}
    for name, text in MINI_FILES.items():
        files[name] = None
        files[name.replace(".csv", ".parquet")] = _typed_parquet(text)

    def edit(body: str) -> str:
        for name in MINI_FILES:
            body = body.replace(f"file: {name}", f"file: {name.replace('.csv', '.parquet')}")
        return body

    config = StudyConfig.load(mini_study(files=files, yaml_edit=edit))
    typed = clean_study(config)
    original = read.read_parquet_file

    def boxed(path):
        frame = original(path)
        out = frame.astype(object)  # every cell a Python object, as the readers once saw them
        out.attrs = frame.attrs
        return out

    monkeypatch.setattr(read, "read_parquet_file", boxed)
    _assert_same(clean_study(config), typed)
    assert len(typed.tables["exposures"]) > 0


def test_unreadable_and_required_checks_of_typed_columns_equal_the_boxed_ones():
    frame = pd.DataFrame(
        {
            "patient_id": ["P1", "P2", "P3"],
            "start_date": pd.to_datetime(["2020-01-01", None, "2020-01-03"]),
            "dose_mg": [0.1, np.nan, -0.0],
            "is_serious": [True, False, True],
            "source_file": "s.parquet",
            "source_sheet": "",
            "source_row": [2, 3, 4],
        }
    )
    boxed = frame.astype(object)
    for data in (frame, boxed):
        step, reasons = cells.unreadable_cells(data, "exposures")
        assert step.audit.empty and step.excluded.empty and len(step.data) == 3 and not reasons
    a, b = cells.require_values(frame, "exposures"), cells.require_values(boxed, "exposures")
    pd.testing.assert_frame_equal(a.excluded, b.excluded)
    assert a.data.index.tolist() == b.data.index.tolist() == [0, 2]
