"""Read raw exports (CSV, XLSX, Parquet, SAS, SPSS) into canonical tables; hash files.

Over 400 lines as one job: a source from its file to its canonical columns, every format's
reader returning the same frame (the readers' details are csv_records, xlsx_sheet, xlsx_marks,
spss_missing).

Every record read keeps its provenance: ``source_file`` (relative to the raw folder),
``source_sheet`` and ``source_row`` (the line a text editor shows where a CSV record starts, or
the row Excel shows: header = 1, or the source's ``header_row`` below title rows). Each reader
also counts its file's records apart from parsing them (``attrs["file_records"]``);
``read_source`` stops when the two differ.
Raw files are opened read-only and never written.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import math
from collections.abc import Callable, Collection
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from python_calamine import CalamineError

from analysis.clean.csv_delimiter import detect_delimiter
from analysis.clean.csv_records import first_line, read_csv_text
from analysis.clean.decode import decode_text
from analysis.clean.excel_text import EXCEL_TEXT, unwrap_excel_text
from analysis.clean.header_hint import header_hint, header_row_hint
from analysis.clean.header_row import check_unique_headers, header_at, text_from_line
from analysis.clean.parquet_file import read_parquet_file
from analysis.clean.records_when import records_when, when_header
from analysis.clean.repeated_header import REPEATED_HEADER, header_rows
from analysis.clean.sas_missing import (
    SPECIAL_MISSING,
    sas7bdat_special_missing,
    xport_special_missing,
)
from analysis.clean.short_rows import SHORT_ROWS, short_column
from analysis.clean.spss_missing import USER_MISSING, read_sav_with_missing, user_missing_column
from analysis.clean.stacking import stack_sources
from analysis.clean.text_cells import is_blank, may_hold_unreadable
from analysis.clean.trim_at_read import columns_trimmed
from analysis.clean.unreadable_workbook import unreadable_workbook
from analysis.clean.xlsx_hidden import HIDDEN_ROWS, hidden_column
from analysis.clean.xlsx_marks import xlsx_sheet_marks
from analysis.clean.xlsx_merged import MERGED_CELLS, fill_merged, merged_column
from analysis.clean.xlsx_sheet import read_sheet
from analysis.clean.xport_whole import refuse_cut_xport
from analysis.errors import SourceError
from analysis.studyfile.config import Source, StudyConfig
from analysis.write.parquet import write_parquet  # noqa: F401 - imported from here too (notebooks)


def sha256_file(path: str | Path) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_raw(
    path: str | Path,
    *,
    fmt: str,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    multiline_cells: bool = False,
    header_row: int = 1,
    codes_of: Collection[str] = (),
    short_rows: str = "refuse",
    headers: Collection[str] = (),
) -> pd.DataFrame:
    """Read one raw file as it is (raw headers, cells as text where the format allows).

    Parameters
    ----------
    path : the file.
    fmt : ``csv``, ``xlsx``, ``parquet``, ``sas`` (``.sas7bdat`` / ``.xpt``) or ``spss`` (``.sav``).
    sheet : worksheet name, for ``xlsx``.
    encoding, delimiter : for ``csv``; detected when not given (encoding: UTF-8, then
        Windows-1252, then Latin-1; delimiter: ``,`` ``;`` tab or ``|``, the one under which
        ``headers`` are all columns: ``analysis.clean.csv_delimiter``).
    headers : for ``csv``, the headers the source maps (to find an undeclared delimiter).
    multiline_cells : for ``csv``, whether a quoted cell may hold a line break (otherwise a
        record spanning several lines is an error naming them: see ``analysis.clean.csv_records``).
    short_rows : for ``csv``, ``"refuse"`` a record with fewer fields than the header (an
        error naming it) or ``"blank"``: read with its last cells empty, its line in
        ``attrs["short_rows"]`` (``analysis.clean.short_rows``).
    header_row : for ``csv`` and ``xlsx``, the line or row of the headers; those above are titles
        (not read, not records: ``analysis.clean.header_row``).
    codes_of : for ``spss``, the headers whose values are kept without their value labels
        (those the study reads as numbers or dates: ``analysis.clean.spss_missing``).

    The frame's ``attrs["file_records"]`` is the number of records counted in the file itself
    (CSV: non-blank lines after the header; XLSX: non-empty rows after the header).
    """
    path = Path(path)
    if path.is_dir():
        raise SourceError(
            f"{path} is a folder, not a file (a Parquet dataset written in parts, as Spark "
            "writes one?). A source reads one file: combine the parts into one file, or give "
            "each part a source of its own (sources of one table are stacked). Check "
            "`sources[].file` in the study config."
        )
    if not path.is_file():
        raise SourceError(
            f"raw file not found: {path}. Check `sources[].file` in the study config (paths are "
            f"relative to `paths.raw`)."
        )
    if path.stat().st_size == 0:
        raise SourceError(f"{path} is empty (0 bytes). Re-export the file from the clinic system.")
    if fmt == "csv":
        with open(path, "rb") as fh:
            head = fh.read(4)
        if head == b"PK\x03\x04":
            raise SourceError(
                f"{path}: is an Excel workbook with a .csv name (it starts with the zip signature "
                f"PK); set `format: xlsx` (and `sheet:`) for this source, or export it as CSV."
            )
        refuse_other_format(path)
        return _read_csv(
            path, encoding, delimiter, multiline_cells, header_row, short_rows, headers
        )
    if fmt == "xlsx":
        return _read_xlsx(path, sheet, header_row)
    if fmt == "parquet":
        return read_parquet_file(path)
    if fmt in ("sas", "spss"):
        return _read_stat(path, fmt, encoding, codes_of)
    raise SourceError(
        f"{path}: unknown format {fmt!r}"
        + (f" (its extension {path.suffix!r} is not one the toolkit knows)" if not fmt else "")
        + "; set `format` of its source to one of csv, xlsx, parquet, sas, spss"
        + (
            " (`format: xlsx` also reads an Excel 97-2003 .xls, .xlsb or OpenDocument .ods "
            "workbook; or save it as .xlsx)."
            if path.suffix.lower() in (".xls", ".xlsb", ".ods")
            else "."
        )
    )


#: the first bytes of the data files a CSV source may be given by mistake: (bytes, what, format)
_SIGNATURES = (
    (b"$FL2", "an SPSS data file (it starts with $FL2)", "spss", ".sav"),
    (b"$FL3", "a compressed SPSS data file (it starts with $FL3)", "spss", ".zsav"),
    (
        b"HEADER RECORD*******LIB",
        "a SAS transport file (it starts with HEADER RECORD)",
        "sas",
        ".xpt",
    ),
    (b"PAR1", "a Parquet file (it starts with PAR1)", "parquet", ".parquet"),
    (
        bytes.fromhex("000000000000000000000000c2ea8160b31411cfbd92080009c7318c181f1011"),
        "a SAS data set (it starts with the SAS7BDAT signature)",
        "sas",
        ".sas7bdat",
    ),
)


def refuse_other_format(path: Path) -> None:
    """A file with a .csv name that is an SPSS, SAS or Parquet file is said as such: an SPSS
    file was said to be "UTF-16 text without a byte-order mark", which sent the user to its
    encoding."""
    with open(path, "rb") as fh:
        head = fh.read(32)
    for signature, what, fmt, suffix in _SIGNATURES:
        if head.startswith(signature):
            raise SourceError(
                f"{path}: is {what}, with a {path.suffix or 'CSV'} name; set `format: {fmt}` "
                f"for this source, or rename the file {path.stem}{suffix} (and its source's "
                "`file`)."
            )


def _read_csv(
    path: Path,
    encoding: str | None,
    delimiter: str | None,
    multiline: bool,
    header_row: int,
    short_rows: str = "refuse",
    headers: Collection[str] = (),
) -> pd.DataFrame:
    """Cells as text; the index is the line where each record starts (header = ``header_row``)."""
    text, _ = decode_text(path, encoding)
    text = text.removeprefix("\ufeff")  # a UTF-8 byte-order mark read with `encoding: utf-8`
    if not text.strip():
        raise SourceError(f"{path} holds no data (only white space). Re-export the file.")
    text = text_from_line(text, header_row, str(path))
    header = first_line(text)
    if delimiter is None:  # the one that finds the mapped headers (csv_delimiter)
        delimiter = detect_delimiter(text[:65536].splitlines()[:21], headers)
    first = next(csv.reader([header], delimiter=delimiter), [])
    check_unique_headers([h.strip() for h in first], str(path))
    # every cell is a piece of the text: none is unreadable if the text holds no '#' or control
    plain = not may_hold_unreadable(text)
    # and then trimming a cell first changes nothing the search for unreadable cells sees
    df = read_csv_text(
        text,
        delimiter,
        where=str(path),
        multiline_cells=multiline,
        trim=plain,
        header_line=header_row,
        short_rows=short_rows,
    )
    df.attrs["plain_text"] = plain
    df.attrs["excel_text"] = '="' in text  # a cell may be Excel's text formula (excel_text)
    return df


def _read_xlsx(path: Path, sheet: str | None, header_row: int = 1) -> pd.DataFrame:
    """One worksheet, cells as pandas reads them with calamine, faster (``xlsx_sheet``)."""
    try:
        book = pd.ExcelFile(path, engine="calamine")
    except Exception as exc:  # calamine raises its own error types for unreadable files
        raise SourceError(unreadable_workbook(path, exc)) from None
    with book:
        names = [str(n) for n in book.sheet_names]
        if not names:
            raise SourceError(
                f"{path}: the workbook holds charts but no worksheet; save the records in one."
            )
        if sheet is not None and sheet not in names:
            near = [
                n
                for n in names
                if " ".join(n.split()).casefold() == " ".join(sheet.split()).casefold()
            ]
            said = (
                f" Sheet {near[0]!r} is the same name but for case or white space: write it so."
                if near
                else ""
            )
            raise SourceError(
                f"{path}: sheet {sheet!r} not found; the workbook has sheets {names}.{said} "
                f"Fix `sheet` for this source."
            )
        meta = book.book.sheets_metadata
        hidden_sheets = {str(m.name) for m in meta if not str(m.visible).endswith(".Visible")}
        if sheet is None and (len(names) > 1 or hidden_sheets):
            listed = ", ".join(
                f"{n!r}" + (" (hidden)" if n in hidden_sheets else "") for n in names
            )
            raise SourceError(
                f"{path}: no `sheet` is set and the workbook has {len(names)} sheet(s): "
                f"{listed}. Set `sheet:` for this source to the sheet that holds the records."
            )
        try:
            raw = read_sheet(book.book.get_sheet_by_name(sheet or names[0]))
        except CalamineError as exc:  # a part of the archive corrupt: a damaged workbook
            raise SourceError(unreadable_workbook(path, exc, sheet or names[0])) from None
    marks = xlsx_sheet_marks(path, sheet or names[0])
    errors, ranges, percent = marks.errors, marks.ranges, marks.percent
    for (r, c), err in errors.items():
        if r - 1 < raw.shape[0] and c - 1 < raw.shape[1]:
            raw.iat[r - 1, c - 1] = err  # calamine reads an error cell as empty; keep its text
    for r, c in percent:  # as the sheet shows it: 0.0005 in a 0.00% cell is 0.05
        if r - 1 < raw.shape[0] and c - 1 < raw.shape[1]:
            raw.iat[r - 1, c - 1] = shown_percent(raw.iat[r - 1, c - 1])
    merged = fill_merged(raw, ranges, header_row) if ranges else {}  # as the sheet shows them
    # the rows of the sheet holding a non-blank cell (white space is blank): the records are
    # counted from these cells, and a record keeps the row number Excel shows
    filled = [not all(map(is_blank, row)) for row in raw.to_numpy(dtype=object)]
    if True not in filled:
        raise SourceError(f"{path}, sheet {sheet!r}: the sheet is empty (no header row).")
    header_at(filled, header_row, f"{path}, sheet {sheet!r}")  # the rows above: titles
    header = [str(h).strip() if pd.notna(h) else "" for h in raw.iloc[header_row - 1]]
    check_unique_headers(header, f"{path}, sheet {sheet!r}")
    df = raw.iloc[header_row:].copy()
    df.columns = header
    df = df.astype(object).where(df.notna(), None)
    df.index = pd.RangeIndex(header_row + 1, header_row + 1 + len(df))
    out = df.loc[filled[header_row:]]
    out.attrs["file_records"] = sum(filled[header_row:])
    whole = (sheet or names[0]) in hidden_sheets
    on_hidden = set(out.index) if whole else marks.hidden & set(out.index)
    if on_hidden:  # records on rows hidden in the sheet (or the sheet hidden), flagged
        out.attrs["hidden_rows"] = (sheet or names[0], on_hidden, whole)
    if merged:  # the cells filled from a merged range, by row, each with its header
        out.attrs["merged_cells"] = {
            r: [(header[c - 1], *rest) for c, *rest in cells if header[c - 1]]
            for r, cells in merged.items()
        }
    return out


def shown_percent(value: Any) -> Any:
    """A number cell formatted as a percentage, as the sheet shows it: times 100, in decimal
    (0.0005 is 0.05, not 0.05000000000000001; 0.07 is 7); any other cell as it is. Until
    2026-12-07 the stored fraction was read: a probe's concentration column held 0.0005 beside
    0.05 typed as text, 100 times apart, with exit status 0."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return value
    scaled = Decimal(repr(value)).scaleb(2)
    return int(scaled) if scaled == scaled.to_integral_value() else float(scaled)


def stat_reader(path: Path, fmt: str) -> Callable[..., Any]:
    """The pyreadstat function that reads ``path``: SPSS, SAS transport (.xpt) or SAS7BDAT."""
    import pyreadstat

    if fmt == "spss":
        return pyreadstat.read_sav
    if path.suffix.lower() == ".xpt":
        return pyreadstat.read_xport
    return pyreadstat.read_sas7bdat


def _read_xport() -> Callable[..., Any]:
    import pyreadstat

    return pyreadstat.read_xport


#: encodings the SAS/SPSS reader (iconv) names otherwise than Python's canonical name
_ICONV_NAMES = {"mac-roman": "MACINTOSH"}


def stat_encoding(encoding: str | None) -> str | None:
    """The study file's ``encoding`` as the SAS/SPSS reader takes it: any spelling Python knows
    (``latin-1``, ``windows-1252``, ``ISO-8859-1``) by its canonical name; the reader refused
    "latin-1", the spelling the docs and the CSV messages give, as "an unsupported character
    set". An unknown name is passed as it is (the reader's error names it)."""
    if encoding is None:
        return None
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return encoding
    return _ICONV_NAMES.get(name, name)


def _read_stat(
    path: Path, fmt: str, encoding: str | None, codes_of: Collection[str] = ()
) -> pd.DataFrame:
    named = stat_encoding(encoding)
    special: dict[int, list[tuple[str, object, str]]] = {}
    if fmt == "sas":  # a transport file cut short is read as fewer records, without a word
        refuse_cut_xport(path)
    try:
        if fmt == "spss":  # its user-missing codes found, set missing, kept for the audit
            df, meta = read_sav_with_missing(path, codes_of, named)
        elif stat_reader(path, fmt) is _read_xport():
            df, meta = _read_xport()(str(path), encoding=named)
            special = xport_special_missing(path, len(df))
        else:  # user_missing: its special missing values as their letters, for the audit
            raw, meta = stat_reader(path, fmt)(str(path), encoding=named, user_missing=True)
            kinds = meta.readstat_variable_types or {}
            numbers = [h for h, kind in kinds.items() if kind != "string"]
            df, special = sas7bdat_special_missing(raw, numbers)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        said = str(exc)
        text = isinstance(exc, UnicodeDecodeError) or any(
            words in said for words in ("convert string", "character set", "codec")
        )
        hint = (
            f" Its text is not in {encoding or 'the encoding its header states'}: set "
            "`encoding:` for this source (SAS and SPSS files written on Windows are often "
            "`cp1252` or `latin-1`), then rerun."
            if text
            else f" If the file was cut short (an interrupted copy or download) or damaged, "
            f"export it again from {fmt.upper()}; if it is not a {fmt.upper()} file, set "
            "`format` for this source."
        )
        raise SourceError(f"{path}: cannot be read as {fmt.upper()} ({said}).{hint}") from None
    if fmt == "sas" and special:
        df.attrs["special_missing"] = special
    # the count the file's header declares (some writers leave it unset)
    declared = meta.number_rows
    df.attrs["file_records"] = declared if declared is not None and declared >= 0 else len(df)
    return df


def _this_source(message: str, config: StudyConfig, source: Source) -> str:
    """A reader's message about a key of the study file (a file not found, a sheet not in the
    workbook) with that key as the study file writes it, and its line: "Check
    `sources[].file`" was no help in a study file of many sources."""
    i = config.sources.index(source)
    said = (
        message.replace(
            "Check `sources[].file` in the study config",
            f"Check the file of source {source.name!r} ({config.key_at('sources', i, 'file')} of "
            "the study file)",
        )
        .replace(
            "Fix `sheet` for this source.",
            f"Fix the sheet of source {source.name!r} ({config.key_at('sources', i, 'sheet')} of "
            "the study file).",
        )
        .replace(  # any other key "for this source" (encoding, sheet, format, header_row)
            "for this source",
            f"for source {source.name!r} ({config.key_at('sources', i)})",
        )
    )
    if f"source {source.name!r}" in said or source.inferred_format not in ("sas", "spss"):
        return said
    # a SAS or SPSS reader's message (a transport file cut short) names only the file: the
    # source and its study-file line too, as the CSV messages give them
    path = str(config.source_path(source))
    return said.replace(
        f"{path}:",
        f"{path} (source {source.name!r}, {config.key_at('sources', i, 'file')} of the study "
        "file):",
        1,
    )


def _refuse_missing_raw_folder(config: StudyConfig, path: Path) -> None:
    """The raw folder missing or empty is said as such (it was told as the first raw file not
    found, which sent the user looking at one source)."""
    raw = config.raw_dir
    if path.exists() or not path.is_relative_to(raw):  # a source of its own place
        return
    if raw.is_dir() and any(raw.iterdir()):
        return
    what = "is empty" if raw.is_dir() else "does not exist"
    raise SourceError(
        f"the raw folder {raw} ({config.key_at('paths', 'raw')} of the study file) {what}: put "
        f"the clinic exports there ({len(config.sources)} source(s) read from it), or point "
        "`paths.raw` at the folder that holds them."
    )


def read_source(config: StudyConfig, source: Source) -> pd.DataFrame:
    """Read one configured source into its canonical columns plus provenance.

    Raises
    ------
    SourceError
        When the file is missing, empty, undecodable, lacks the sheet, or lacks a mapped header.
    """
    path = config.source_path(source)
    fmt = source.inferred_format
    indexes: list[int | str | None] = list(source.repeat) if source.repeat else [None]
    wanted_headers = {f"{c} <- {h!r}": h for i in indexes for c, h in source.headers(i).items()}
    if source.records_when is not None:
        wanted_headers |= {
            f"records_when <- {h!r}": h for h in (when_header(source, i) for i in indexes)
        }
    wanted = set(wanted_headers.values())
    _refuse_missing_raw_folder(config, path)
    try:
        raw = read_raw(
            path,
            fmt=fmt,
            sheet=source.sheet,
            encoding=source.encoding,
            delimiter=source.delimiter,
            multiline_cells=source.multiline_cells,
            header_row=source.header_row,
            codes_of=_read_as_values(config, source, indexes),
            short_rows=source.short_rows,
            headers=wanted,
        )
    except SourceError as exc:  # title rows above an undeclared header break a CSV's records
        hint = header_row_hint(config, source, wanted)
        said = _this_source(str(exc), config, source)
        raise SourceError(f"{said} {hint}" if hint else said) from None
    in_file = raw.attrs.get("file_records", len(raw))
    if in_file != len(raw):
        raise SourceError(
            f"{source.label}: the file holds {in_file} records but the reader returned "
            f"{len(raw)}; the run stops rather than lose or invent a record. This is a defect of "
            f"the reader, not of your data: report it with the file's format."
        )
    if raw.empty:
        others = [s for s in config.sources if s.table == source.table and s is not source]
        raise SourceError(
            f"{source.label}: has a header but no records. If the export is truncated or the "
            "wrong file, export it again"
            + (
                f"; if this source really has no {source.table} records, remove "
                f"`sources[{source.name}]` from the study file (its other {source.table} "
                "sources are read as before)."
                if others
                else "."
            )
        )
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [w for w, h in wanted_headers.items() if h not in raw.columns]
    if missing:
        found = ", ".join(repr(c) for c in raw.columns)
        raise SourceError(
            f"{source.label}: column(s) not found: {', '.join(missing)}. The file has: {found}. "
            + header_hint(source, list(raw.columns), wanted, config=config)
        )
    spec = config.columns_for(source.table)
    provided = set(source.columns) | set(source.constants)
    absent_required = [c for c, col in spec.items() if col.required and c not in provided]
    if absent_required:
        raise SourceError(
            f"source {source.name!r} ({source.label}) does not map required column(s) "
            f"{absent_required} of table '{source.table}'; add them under `columns`."
        )
    rel = relative_path(path, config.raw_dir)
    rows = (
        raw.index.to_numpy()
        if fmt in ("xlsx", "csv")
        else pd.RangeIndex(2, 2 + len(raw)).to_numpy()
    )
    parts = []
    found = raw.attrs.get("user_missing")
    special = raw.attrs.get("special_missing")
    merged = raw.attrs.get("merged_cells")
    hidden = raw.attrs.get("hidden_rows")
    short = raw.attrs.get("short_rows")
    position = {h: p for p, h in enumerate(raw.columns)}
    unwrapped: set[str] = set()  # the columns of cells read from ="text" (not trimmed yet)
    for i in indexes:
        cells = {canon: raw[hdr].to_numpy() for canon, hdr in source.headers(i).items()}
        if found:  # the SPSS user-missing cells of these columns, for the audit
            cells[USER_MISSING] = user_missing_column(found, source.headers(i), len(raw))
        if special:  # the SAS special missing values of these columns, for the audit
            cells[SPECIAL_MISSING] = user_missing_column(special, source.headers(i), len(raw))
        if merged:  # the XLSX cells filled from a merged range, for the audit
            cells[MERGED_CELLS] = merged_column(merged, rows, source.headers(i))
        if hidden:  # the records on rows hidden in the sheet, for the audit
            cells[HIDDEN_ROWS] = hidden_column(hidden[1], rows, hidden[0], hidden[2])
        if fmt in ("csv", "xlsx"):  # a header line pasted again below the first
            again = header_rows(cells, source.headers(i))
            if again.any():
                marks = np.full(len(again), None, dtype=object)
                marks[again] = True
                cells[REPEATED_HEADER] = marks
        if raw.attrs.get("excel_text"):  # cells written ="text", read as their text
            formulas = unwrap_excel_text(cells, rows)
            if formulas is not None:
                cells[EXCEL_TEXT] = formulas
                unwrapped |= {c for m in formulas if m for c, *_ in m}
        if short:  # the CSV records read with fewer fields than the header, for the audit
            at = {c: position[h] for c, h in source.headers(i).items()}
            cells[SHORT_ROWS] = short_column(short, rows, at, len(raw.columns))
        # not copied here: stack_sources copies each column once
        out = pd.DataFrame({**cells, "source_row": rows}, index=raw.index, copy=False)
        decided = source.records_when is not None and "{i}" in source.records_when.column
        if i is not None and not decided:
            # a repeated group with every repeated cell blank is an empty slot, not a record
            # (with its own `records_when` cell, that cell decides: "yes" and no date is a
            # record lacking its date, logged as such)
            repeated = [c for c, h in source.columns.items() if "{i}" in h]
            out = out.loc[out[repeated].map(is_blank).eq(False).any(axis=1)]
        if source.records_when is not None:
            said = _with_user_missing(
                raw[when_header(source, i)], {**(special or {}), **(found or {})}
            )
            out = out.loc[records_when(config, source, said, rows)[out.index]]
        parts.append(out)
    out = pd.concat(parts) if len(parts) > 1 else parts[0]
    if len(parts) > 1:
        out = out.sort_values("source_row", kind="stable")
    for canon, value in source.constants.items():
        out[canon] = value
    out["source_file"] = rel
    out["source_sheet"] = source.sheet or ""
    out["_source"] = source.name
    out.index = pd.RangeIndex(len(out))  # a frame of its own: as reset_index(drop=True)
    # the records this source gives: a row of the file each, or each filled repeated group
    out.attrs["file_records"] = len(out) if source.repeat or source.records_when else in_file
    # the columns read from a file or column holding no '#' and no control character
    plain = raw.columns if raw.attrs.get("plain_text") else raw.attrs.get("plain_headers", ())
    out.attrs["plain_columns"] = columns_trimmed(plain, [source.headers(i) for i in indexes])
    # the columns read from cells the reader trimmed already (`trim_at_read`); not a constant
    trimmed = columns_trimmed(
        raw.attrs.get("trimmed_columns", ()), [source.headers(i) for i in indexes]
    )
    out.attrs["trimmed_columns"] = [
        c for c in trimmed if c not in source.constants and c not in unwrapped
    ]
    return out


def _with_user_missing(cells: pd.Series, found: dict | None) -> pd.Series:
    """The cells of a ``records_when`` column with each SPSS user-missing code back as its
    label (or code): read as missing, it was a blank, no record, and an event marked "not
    asked" left without a trace; as a value it must be listed, as any other is."""
    header = str(cells.name)
    marked = {
        row: (label or str(code))
        for row, marks in (found or {}).items()
        for h, code, label in marks
        if h == header
    }
    if not marked:
        return cells
    out = cells.astype(object).copy()
    at = np.fromiter(marked, dtype=np.int64, count=len(marked))
    out.iloc[at] = list(marked.values())
    return out


#: the declared types whose SPSS value labels are not applied: the values are the data
VALUE_KINDS = ("number", "integer", "date")


def _read_as_values(
    config: StudyConfig, source: Source, indexes: list[int | str | None]
) -> list[str]:
    """The headers of ``source`` mapped to a column the study reads as a number or a date."""
    spec = config.columns_for(source.table)
    return [
        header
        for i in indexes
        for canon, header in source.headers(i).items()
        if canon in spec and spec[canon].kind in VALUE_KINDS
    ]


def read_table(config: StudyConfig, table: str) -> pd.DataFrame:
    """All sources of one canonical table, stacked in config order."""
    return stack_sources(config, table, [read_source(config, s) for s in config.sources_for(table)])


def relative_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name
