"""XLSX cells read as the sheet shows them and as a CSV export of it would be read: texts such
as "None" and "NA" kept for the study's vocabulary to map (not read as missing)."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pandas as pd

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


# ------------------------------------------------ formulas whose saved result is empty text
def _with_sheet_xml(content: bytes, edit) -> bytes:  # noqa: ANN001
    """The workbook ``content`` with its first sheet's XML changed by ``edit`` (text -> text)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = edit(data.decode()).encode()
            zout.writestr(item, data)
    return out.getvalue()


def _template(last_row: int) -> bytes:
    """Sessions in rows 2-4; the column "half" a formula filled down to ``last_row``, its
    result saved as Excel saves it: the number, or empty text below the records."""
    rows = [["id", "date", "dose", "half"]]
    rows += [["P1", f"2020-0{m}-10", 0.1, None] for m in (1, 4, 7)]
    content = _xlsx(rows + [[None] * 4] * (last_row - 4), "Sessions")

    def edit(xml: str) -> str:
        xml = re.sub(r'<c r="D\d+"[^>]*/>', "", xml)
        cells = []
        for r in range(2, last_row + 1):
            f = f'<f>IF(C{r}="","",C{r}/2)</f>'
            cells.append(
                (
                    r,
                    f'<c r="D{r}">{f}<v>0.05</v></c>'
                    if r <= 4
                    else f'<c r="D{r}" t="str">{f}<v></v></c>',
                )
            )
        for r, cell in cells:
            row = re.search(rf'<row r="{r}"[^>]*>.*?</row>', xml)
            if row is None:
                xml = xml.replace("</sheetData>", f'<row r="{r}">{cell}</row></sheetData>')
            else:
                filled = row[0].replace("</row>", cell + "</row>")
                xml = xml[: row.start()] + filled + xml[row.end() :]
        return xml

    return _with_sheet_xml(content, edit)


def test_a_formula_whose_saved_result_is_empty_text_is_a_blank_cell(tmp_path):
    """A template's formula filled down past the records shows blank cells: those rows are
    blank lines, not records (they were read as formulas "saved without their result", 59
    records of 40 in the probe)."""
    (tmp_path / "t.xlsx").write_bytes(_template(last_row=9))
    df = read_raw(tmp_path / "t.xlsx", fmt="xlsx")
    assert df.attrs["file_records"] == len(df) == 3
    assert df.index.tolist() == [2, 3, 4]
    assert df["half"].tolist() == [0.05] * 3


def test_a_formula_with_no_result_element_is_still_without_its_result(tmp_path):
    content = _xlsx([["id", "date"], ["P1", "2020-01-10"]], "Sessions")

    def edit(xml: str) -> str:
        return re.sub(r'<c r="B2"[^>]*>.*?</c>', '<c r="B2"><f>DATE(2020,1,10)</f></c>', xml)

    (tmp_path / "t.xlsx").write_bytes(_with_sheet_xml(content, edit))
    df = read_raw(tmp_path / "t.xlsx", fmt="xlsx")
    assert df["date"].tolist() == ["#FORMULA-WITHOUT-VALUE =DATE(2020,1,10)"]


# ---------------------------------------------------------------------------- merged cells
def _merged(rows: list[list[object]], *ranges: str) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "AEs"
    for row in rows:
        ws.append(row)
    for ref in ranges:
        ws.merge_cells(ref)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_an_id_merged_over_its_rows_is_read_in_each_with_an_audit_row(mini_study):
    """P1's id merged over its three AE rows (A2:A4): each row is P1's, as the sheet shows;
    rows 3 and 4 were excluded as "required value missing: `patient_id`"."""
    xlsx = _merged(
        [
            ["id", "onset", "term", "severity", "serious"],
            ["P1", "2020-01-11", "dolor", "leve", "no"],
            [None, "2020-04-11", "pain", "mild", "no"],
            [None, "2020-04-11", "edema", "moderate", "no"],
            ["P4", "2020-02-02", "pain", "mild", "no"],
        ],
        "A2:A4",
    )
    path = mini_study(
        files={"aes.xlsx": xlsx},
        yaml_edit=lambda y: y.replace("file: aes.csv", "file: aes.xlsx\n    sheet: AEs"),
    )
    result = clean_study(StudyConfig.load(path))
    aes = result.tables["adverse_events"]
    assert aes["patient_id"].astype(object).tolist() == ["P1", "P1", "P1", "P4"]
    assert result.exclusions.loc[result.exclusions["table"] == "adverse_events"].empty
    audit = result.audit.loc[result.audit["check"] == "merged_cell"]
    assert audit[["row", "patient_id", "column", "value", "action"]].values.tolist() == [
        [3, "P1", "patient_id", "P1", "filled"],
        [4, "P1", "patient_id", "P1", "filled"],
    ]
    assert audit["message"].iloc[0] == (
        "`patient_id` is in the merged cells A2:A4, whose value 'P1' is stored in A2 only: "
        "read as 'P1', as the sheet shows it"
    )
    assert result.accounting()["balanced"].all()


def test_a_range_merged_across_columns_fills_only_its_own_column(mini_study):
    """A probe merged P1's term over the term and severity columns (C2:D2) and P4's onset over
    the onset, term and severity of two rows (B5:D6): the reader copied 'pain' into severity
    and a date into term, one variable's value read as another's, with exit 0. The value now
    fills only its own column; the other cells stay blank, each with an audit row, and the run
    warns with the count."""
    xlsx = _merged(
        [
            ["id", "onset", "term", "severity", "serious"],
            ["P1", "2020-01-11", "pain", None, "no"],
            ["P1", "2020-04-11", "pain", "mild", "no"],
            ["P2", "2020-04-11", "edema", "moderate", "no"],
            ["P4", "2020-02-02", None, None, "no"],
            ["P4", None, None, None, "no"],
        ],
        "C2:D2",
        "B5:D6",
    )
    path = mini_study(
        files={"aes.xlsx": xlsx},
        yaml_edit=lambda y: y.replace("file: aes.csv", "file: aes.xlsx\n    sheet: AEs"),
    )
    result = clean_study(StudyConfig.load(path))
    audit = result.audit.loc[result.audit["check"] == "merged_cell"]
    got = audit[["row", "column", "value", "action"]].sort_values(["row", "column"])
    assert got.values.tolist() == [
        [2, "severity", "", "left blank"],
        [5, "ae_term", "", "left blank"],
        [5, "severity", "", "left blank"],
        [6, "ae_term", "", "left blank"],
        [6, "onset_date", "2020-02-02", "filled"],
        [6, "severity", "", "left blank"],
    ]
    left = audit.loc[(audit["row"] == 2) & (audit["column"] == "severity"), "message"].iloc[0]
    assert left.startswith(
        "`severity` is covered by the merged cells C2:D2, whose value 'pain' is stored in C2, "
        "in another column"
    )
    aes = result.tables["adverse_events"]
    assert "pain" not in aes["severity"].astype(str).tolist()
    assert not aes["ae_term"].astype(str).str.startswith("2020").any()
    warned = [w for w in result.warnings if "merged across columns" in w]
    assert len(warned) == 1 and warned[0].startswith("5 cell(s) of mapped columns")
    assert result.accounting()["balanced"].all()


def test_a_merged_header_or_a_blank_row_is_not_filled(tmp_path):
    """A header merged over two columns keeps naming the first; a row blank but for a merged
    range stays blank (no record made by a merge)."""
    xlsx = _merged(
        [["id", "dates", None], ["P1", "2020-01-10", "x"], [None, None, None], ["P2", "a", "b"]],
        "B1:C1",
        "A2:A3",
    )
    (tmp_path / "m.xlsx").write_bytes(xlsx)
    df = read_raw(tmp_path / "m.xlsx", fmt="xlsx")
    assert df.columns.tolist() == ["id", "dates", ""]
    assert df.index.tolist() == [2, 4] and df.attrs["file_records"] == 2
    assert "merged_cells" not in df.attrs


def test_a_true_cell_among_ages_of_a_workbook_changes_no_other_age(mini_study):
    """TRUE and FALSE cells in a numeric column: each audited as not a number, and every 1 and
    0 of the column read as written (pandas' parser made the ones True and the FALSE 0)."""
    xlsx = _xlsx(
        [
            ["id", "sex", "age", "grade", "last_visit", "discontinued", "disc_date", "disc_reason"],
            ["P1", "F", 1, "Ludwig I", "2021-01-10", "no", None, None],
            ["P2", "M", True, "HN III", "2021-03-01", "no", None, None],
            ["P3", "F", 55.0, "Ludwig II", "2020-06-01", "no", None, None],
            ["P4", "M", 0, "HN IV", "2021-02-01", "no", None, None],
            ["P5", "F", False, "Ludwig I", "2021-01-10", "no", None, None],
            ["P6", "M", 1.0, "HN III", "2021-03-01", "no", None, None],
        ],
        "Patients",
    )

    def edit(y: str) -> str:
        y = y.replace("file: patients.csv", "file: export.xlsx\n    sheet: Patients")
        return y.replace("column: age_years, min: 16", "column: age_years, min: 0")

    path = mini_study(files={"export.xlsx": xlsx}, yaml_edit=edit)
    res = clean_study(StudyConfig.load(path))
    ages = res.tables["patients"].set_index("patient_id")["age_years"]
    number = res.audit[res.audit["check"] == "number"]
    assert number[["row", "value", "message"]].values.tolist() == [
        [3, "True", "`age_years` value True is not a number"],
        [6, "False", "`age_years` value False is not a number"],
    ]
    assert ages.loc[["P1", "P4"]].tolist() == [1, 0]  # P3, P5 and P6 have no session
    assert pd.isna(ages.loc["P2"])
