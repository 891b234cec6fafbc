"""XLSX cells read as the sheet shows them and as a CSV export of it would be read: texts such
as "None" and "NA" kept for the study's vocabulary to map (not read as missing)."""

from __future__ import annotations

import io

import openpyxl

from analysis.clean.read import read_raw
from analysis.clean.stage import clean_study
from analysis.studyfile.config import StudyConfig

#: texts pandas reads as missing by default, each a value some export writes
NA_TEXTS = ["None", "NA", "N/A", "null", "nan", "NULL", "#N/A", "n/a"]


def _xlsx(rows: list[list[object]], title: str = "Sheet") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_reads_missing_value_texts_as_the_csv_reader_does(tmp_path):
    rows = [["id", "action"]] + [[f"P{i}", t] for i, t in enumerate(NA_TEXTS)] + [["P9", None]]
    (tmp_path / "a.xlsx").write_bytes(_xlsx(rows))
    csv_text = "\n".join(",".join("" if c is None else str(c) for c in r) for r in rows) + "\n"
    (tmp_path / "a.csv").write_text(csv_text)
    from_xlsx = read_raw(tmp_path / "a.xlsx", fmt="xlsx")
    from_csv = read_raw(tmp_path / "a.csv", fmt="csv")
    assert from_xlsx["action"].tolist()[:-1] == NA_TEXTS == from_csv["action"].tolist()[:-1]
    assert from_xlsx["action"].iloc[-1] is None  # the empty cell: missing
    assert from_csv["action"].iloc[-1] == ""  # (read as blank text, missing downstream)


def test_a_vocabulary_maps_na_texts_of_a_workbook(mini_study):
    """A discontinuation reason "NA" mapped to "not applicable" by the study: the patient keeps
    it (read from a workbook, it was silently missing)."""
    xlsx = _xlsx(
        [
            ["id", "sex", "age", "grade", "last_visit", "discontinued", "disc_date", "disc_reason"],
            ["P1", "F", 55, "Ludwig I", "2021-01-10", "no", None, "NA"],
            ["P2", "male", 40, "HN III", "2021-03-01", "yes", "2020-12-01", "cost"],
            ["P3", "Mujer", 61, "Ludwig II", "2020-06-01", "no", None, None],
            ["P4", "M", 33, "HN IV", "2021-02-01", "no", None, "None"],
        ],
        "Patients",
    )

    def edit(y: str) -> str:
        y = y.replace("file: patients.csv", "file: export.xlsx\n    sheet: Patients")
        return y.replace(
            "  discontinuation_reason:\n    levels: [cost, other]",
            "  discontinuation_reason:\n    levels: [cost, other, not applicable]\n"
            "    synonyms: {not applicable: [NA, None]}",
        )

    path = mini_study(files={"export.xlsx": xlsx}, yaml_edit=edit)
    patients = clean_study(StudyConfig.load(path)).tables["patients"].set_index("patient_id")
    reasons = patients["discontinuation_reason"].astype(object)
    assert reasons.loc[["P1", "P2", "P4"]].tolist() == ["not applicable", "cost", "not applicable"]
