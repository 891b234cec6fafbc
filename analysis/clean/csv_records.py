"""Split a delimited text file into records, each at the line an editor shows.

The records are counted twice: as the physical lines of the file (after the header, line 1 or
the source's ``header_row``; blank lines ignored) and as the records a parser returns. The fast
parsers (Arrow's, with every line break as LF; else pandas' C parser, e.g. for a line with
another count of fields) are trusted only when they return one record per line; otherwise the
csv tokenizer, which tells the lines of every record, reads the file and says where it differs.
A record spanning several lines is what a stray quote makes (it swallows every line up to the
next quote): it stops the read with its line range and the place of the opening quote, unless
the source declares that its cells may hold line breaks (``multiline_cells: true``). A quote
never closed before the end of the file, and a record with more non-empty fields than the
header, stop it too.
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd

from analysis.clean.blank_lines import blank_lines
from analysis.clean.header_row import blank_header_message
from analysis.clean.short_rows import short_rows_message, wrapped_lines
from analysis.clean.trim_at_read import trim_columns
from analysis.errors import SourceError

QUOTE = '"'
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what editors and the csv tokenizers break a line on
_SHOWN = 5  # records named in a message; the rest are counted
_STRAY = (
    'A stray quote character (") is the usual cause: remove it, or double it ("") if it belongs '
    "to the value"
)


def first_line(text: str) -> str:
    """Line 1 of ``text`` (the header)."""
    return _LINE_BREAK.split(text, maxsplit=1)[0]


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` as an editor numbers them (no empty line after a final break)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return lines


def read_csv_text(
    text: str,
    delimiter: str,
    *,
    where: str,
    multiline_cells: bool = False,
    trim: bool = False,
    header_line: int = 1,
    short_rows: str = "refuse",
) -> pd.DataFrame:
    """The records of ``text`` (decoded, without byte-order mark), cells as text.

    ``text`` starts at the header, line ``header_line`` of the file (the caller cut the title
    lines above it: ``header_row``). The index is the line of the file where each record
    starts; blank lines (nothing but white space and delimiters) are not records.
    ``attrs["file_records"]`` is the count of records taken from the physical lines: the
    non-blank lines after the header, less the continuation lines of records that may span
    lines (``multiline_cells``).

    ``trim``: when Arrow reads the file, its text cells are trimmed as
    ``cells.strip_text`` trims them, and ``attrs["trimmed_columns"]`` names the columns trimmed
    (``analysis.clean.trim_at_read``); no other reader trims.

    ``short_rows``: a record with fewer fields than the header stops the read (``"refuse"``),
    or is read with its last cells empty (``"blank"``), its line and count of fields then in
    ``attrs["short_rows"]`` (``analysis.clean.short_rows``).

    Raises
    ------
    SourceError
        The header line is blank, a record spans several lines (unless ``multiline_cells``), a
        quote is never closed, a record has more non-empty fields than the header, or fewer
        (unless ``short_rows`` is ``"blank"``; lines wrapped in quotes whatever it is).
    """
    lf = _one_break(text)
    body = lf[:-1] if lf.endswith("\n") else lf  # no empty line after a final break
    blank = blank_lines(body, delimiter)
    if blank[0]:
        raise SourceError(blank_header_message(where, header_line, unit="line", next_filled=None))
    n_lines, above = len(blank), header_line - 1  # lines of `text`; lines of the file above it
    df = _one_record_a_line(text, delimiter, n_lines, trim, lf=lf)
    if df is None:  # some record is not one line of its own: find which, and say where
        lines, blanks = split_lines(text), blank.tolist()
        df = _read_tokenized(text, lines, blanks, delimiter, where, multiline_cells, above)
        return _check_short(df, delimiter, where, header_line, short_rows)
    whole = df.attrs.pop("every_field", False)
    last = above + n_lines
    _check_last_quote([body.rpartition("\n")[2]], last, last, delimiter, where)
    keep = ~blank[1:]
    if not keep.all():
        df = df.iloc[np.flatnonzero(keep)]
    df.index = pd.Index(np.arange(header_line + 1, last + 1, dtype=np.int64)[keep])
    df.attrs["file_records"] = int(keep.sum())
    if not whole:  # the C parser fills a short record's missing cells: find them
        df.attrs["short"] = _short_records(body, delimiter, keep, df.index)
    return _check_short(df, delimiter, where, header_line, short_rows)


def _short_records(
    body: str, delimiter: str, keep: np.ndarray, lines: pd.Index
) -> dict[int, list[str]]:
    """The records of ``body`` (a record a line, LF breaks, the header first) with fewer fields
    than the header, by their line of the file (``lines``: those of the records ``keep``
    keeps), each with its fields."""
    rows = csv.reader(body.split("\n"), delimiter=delimiter, quotechar=QUOTE)
    width = len(next(rows))
    kept = iter(lines.tolist())
    out: dict[int, list[str]] = {}
    for row, k in zip(rows, keep.tolist(), strict=True):
        if k:
            line = next(kept)
            if len(row) < width:
                out[line] = row
    return out


def _check_short(
    df: pd.DataFrame, delimiter: str, where: str, header_line: int, short_rows: str
) -> pd.DataFrame:
    """``df``, its records with fewer fields than the header (``attrs["short"]``) refused or,
    with ``short_rows: blank``, kept with their count of fields in ``attrs["short_rows"]``."""
    short: dict[int, list[str]] = df.attrs.pop("short", {})
    if not short:
        return df
    header = [str(c) for c in df.columns]
    if short_rows != "blank" or wrapped_lines(short, len(header), delimiter):
        raise SourceError(short_rows_message(short, header, delimiter, where, header_line))
    df.attrs["short_rows"] = {line: len(row) for line, row in short.items()}
    return df


def _one_break(text: str) -> str:
    """``text`` with every line break (CRLF, CR) as LF."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _one_record_a_line(
    text: str, delimiter: str, n_lines: int, trim: bool = False, *, lf: str | None = None
) -> pd.DataFrame | None:
    """The fast C parser's frame when it reads exactly one record per line, else ``None``.

    Records partition the lines, so as many records as lines means no record spans two; the
    C parser stops at a NUL, and infers an index column from a first record longer than the
    header: those files go to the csv tokenizer instead. ``lf``: ``text`` with every line
    break as LF (:func:`_one_break`), which Arrow reads: the C parser breaks lines at CRLF and
    CR too, so a file of one record a line gives the same records either way (a Windows
    export, CRLF, is read by Arrow as a Unix one).
    """
    if "\x00" in text:
        return None
    df = _arrow_records(_one_break(text) if lf is None else lf, delimiter, trim)
    if df is not None and len(df) == n_lines - 1:
        return df
    try:
        df = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
        )
    except ValueError:  # pandas' ParserError: a longer record, or a quote open at the end
        return None
    if not isinstance(df.index, pd.RangeIndex) or len(df) != n_lines - 1:
        return None
    return df


def _arrow_records(text: str, delimiter: str, trim: bool = False) -> pd.DataFrame | None:
    """The frame the C parser gives (cells as text, none missing), read by Arrow's CSV reader
    (about twice as fast, with the text objects), when the file has no carriage return (the
    caller makes every line break LF first) or byte-order mark, a one-character delimiter, two
    or more unique non-empty headers and every line as many fields as the header; else None
    (Arrow stops at a line with another count). Quotes are read as the C parser reads them: a
    cell in quotes, ``""`` for a quote inside it, a quote within a cell kept as written; a
    record that spans lines is never returned as one (the caller counts records and lines).
    ``trim``: its text cells trimmed where they need it (``read_csv_text``).
    ``tests/unit/clean/test_csv_records.py`` compares it with the C parser."""
    if len(delimiter) != 1 or delimiter == QUOTE or "\r" in text or text.startswith("\ufeff"):
        return None
    import pyarrow as pa
    import pyarrow.csv as pcsv

    line = first_line(text)
    header = (
        next(csv.reader([line], delimiter=delimiter)) if QUOTE in line else line.split(delimiter)
    )
    if len(header) < 2 or len(set(header)) != len(header) or not all(header):
        # pandas names such columns itself ("x.1", "Unnamed: 2"); it reads an empty line of a
        # one-column file as a missing cell
        return None
    try:
        table = pcsv.read_csv(
            pa.py_buffer(text.encode("utf-8")),
            read_options=pcsv.ReadOptions(use_threads=False),
            parse_options=pcsv.ParseOptions(
                delimiter=delimiter,
                quote_char=QUOTE,
                double_quote=True,
                escape_char=False,
                ignore_empty_lines=False,
            ),
            convert_options=pcsv.ConvertOptions(
                column_types={h: pa.string() for h in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, UnicodeEncodeError):  # a line with another count of fields...
        return None
    if table.column_names != header:
        return None
    df = table.to_pandas()
    if not all(dtype.kind == "O" for dtype in df.dtypes):
        return None
    if trim:
        df.attrs["trimmed_columns"] = trim_columns(df, table)
    df.attrs["every_field"] = True  # Arrow reads only a file of every record as wide as its header
    return df


def _read_tokenized(
    text: str,
    lines: list[str],
    blank: list[bool],
    delimiter: str,
    where: str,
    multiline_cells: bool,
    above: int = 0,
) -> pd.DataFrame:
    """Read with the csv tokenizer, which tells the lines of each record, and reconcile.
    ``above``: the lines of the file above ``text`` (added to every line named)."""
    records, ends = _tokenize(text, lines, delimiter, where, above)
    if ends[-1] != len(lines):
        raise SourceError(
            f"{where}: the file has {above + len(lines)} lines but the csv tokenizer read "
            f"{above + ends[-1]}; the file cannot be read safely. Re-export it."
        )
    starts = [1, *(e + 1 for e in ends[:-1])]
    tail, last = lines[starts[-1] - 1 :], above + len(lines)
    _check_last_quote(tail, above + starts[-1], last, delimiter, where)
    spans = [(s, e) for s, e in zip(starts, ends, strict=True) if e > s]
    if spans and not multiline_cells:
        raise SourceError(_multiline_message(lines, spans, delimiter, where, above))
    header = records[0]
    width = len(header)
    rows: list[list[str]] = []
    first_lines: list[int] = []
    ragged: list[tuple[int, list[str]]] = []
    short: dict[int, list[str]] = {}
    for row, start, end in zip(records[1:], starts[1:], ends[1:], strict=True):
        if start == end and blank[start - 1]:
            continue
        if len(row) != width:
            if any(v.strip() for v in row[width:]):
                ragged.append((above + start, row))
            elif len(row) < width:
                short[above + start] = row
            row = row[:width] + [""] * (width - len(row))
        rows.append(row)
        first_lines.append(above + start)
    if ragged:
        raise SourceError(_ragged_message(ragged, width, delimiter, where, above + 1))
    # the records by the lines: every non-blank line after the header, but the lines that
    # continue a record (a record spanning lines starts on the line of its opening quote)
    physical = sum(1 for b in blank[ends[0] :] if not b)
    continued = sum(1 for s, e in spans if s > 1 for b in blank[s:e] if not b)
    names = [h if h else f"Unnamed: {i}" for i, h in enumerate(header)]  # as pandas names them
    df = pd.DataFrame(rows, columns=names, index=pd.Index(first_lines), dtype=object)
    df.attrs["file_records"] = physical - continued
    df.attrs["short"] = short
    return df


def _tokenize(
    text: str, lines: list[str], delimiter: str, where: str, above: int = 0
) -> tuple[list[list[str]], list[int]]:
    """Every record (blank lines included, as empty records) and the line of ``text`` where
    each ends (``above``: the lines of the file above ``text``, for the message)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar=QUOTE)
    records: list[list[str]] = []
    ends: list[int] = []
    try:
        for row in reader:
            records.append(row)
            ends.append(reader.line_num)
    except csv.Error as exc:  # a cell over the csv field limit: a quote swallowed the file
        start = ends[-1] + 1 if ends else 1
        opened = _open_quote(lines, start, delimiter)
        at = f"line {above + opened[0]} column {opened[1]}" if opened else ""
        place = f"an opening quote at {at}" if opened else "a quote"
        raise SourceError(
            f"{where}: lines {above + start}-{above + reader.line_num}: {place} is still open "
            f"after {reader.line_num - start + 1} lines, too long for one cell ({exc}). {_STRAY}."
        ) from None
    return records, ends


def _check_last_quote(
    tail: list[str], start: int, n_lines: int, delimiter: str, where: str
) -> None:
    """The last record (``tail``: its lines, from line ``start`` of ``n_lines``) must not end
    inside a quoted cell (the tokenizer accepts it silently)."""
    if not any(QUOTE in line for line in tail):
        return
    state = _walk(tail, delimiter)
    if state is not None and state[2] is None:
        line, col = start + state[0], state[1] + 1
        span = (
            f"lines {line}-{n_lines} would be read as one value"
            if line < n_lines
            else "it is on the last line"
        )
        raise SourceError(
            f"{where}: an opening quote at line {line} column {col} is never closed: the file ends "
            f"inside that quoted cell ({span}). {_STRAY}, or add the missing closing quote."
        )


def _open_quote(lines: list[str], start: int, delimiter: str) -> tuple[int, int] | None:
    state = _walk(lines[start - 1 :], delimiter)
    return None if state is None else (start + state[0], state[1] + 1)


def _walk(lines: list[str], delimiter: str) -> tuple[int, int, tuple[int, int] | None] | None:
    """The first quoted cell that runs past the end of its line, as the csv tokenizer reads it.

    Returns ``(line, column, closing)`` (0-based, relative to ``lines[0]``) of its opening
    quote, with ``closing = (line, column)`` of the quote that ends it, ``None`` if nothing
    closes it; ``None`` when no quoted cell spans a line break before the record ends.
    """
    opened: tuple[int, int] | None = None
    for n, line in enumerate(lines):
        i, field_start = 0, True
        if opened is not None:
            i, field_start = _close(line, 0), False
            if i < 0:
                continue
            return opened[0], opened[1], (n, i)
        while i < len(line):
            ch = line[i]
            if ch == delimiter:
                field_start = True
            elif ch == QUOTE and field_start:
                j = _close(line, i + 1)
                if j < 0:
                    opened = (n, i)
                    break
                i, field_start = j, False
            else:
                field_start = False
            i += 1
        if opened is None:
            return None  # the record ended on this line
    return None if opened is None else (opened[0], opened[1], None)


def _close(line: str, i: int) -> int:
    """Index of the quote that closes a quoted cell read from ``line[i]`` on, or -1."""
    while True:
        j = line.find(QUOTE, i)
        if j < 0:
            return -1
        if line.startswith(QUOTE, j + 1):
            i = j + 2  # a doubled quote is a quote inside the value
            continue
        return j


def _multiline_message(
    lines: list[str], spans: list[tuple[int, int]], delimiter: str, where: str, above: int = 0
) -> str:
    parts = []
    for start, end in spans[:_SHOWN]:
        state = _walk(lines[start - 1 : end], delimiter)
        first = above + start  # the line of the file
        part = f"lines {first}-{above + end}: "
        if state is not None and state[2] is not None:
            part += (
                f"an opening quote at line {first + state[0]} column {state[1] + 1} is closed "
                f"only at line {first + state[2][0]}"
            )
        else:
            part += "a quoted cell runs over a line break"
        parts.append(f"{part}; {end - start + 1} lines read as one record")
    more = f"; and {len(spans) - _SHOWN} more" if len(spans) > _SHOWN else ""
    return (
        f"{where}: {len(spans)} record(s) span several lines: {'; '.join(parts)}{more}. "
        f"{_STRAY}. If cells of this file really hold line breaks, set `multiline_cells: "
        f"true` for this source in the study file."
    )


def _ragged_message(
    ragged: list[tuple[int, list[str]]], width: int, delimiter: str, where: str, header: int = 1
) -> str:
    shown = "; ".join(
        f"line {line} has {len(row)} fields (extra: "
        f"{', '.join(repr(v) for v in row[width:] if v.strip())})"
        for line, row in ragged[:_SHOWN]
    )
    more = f"; and {len(ragged) - _SHOWN} more" if len(ragged) > _SHOWN else ""
    return (
        f"{where}: {len(ragged)} record(s) have more fields than the header (line {header} has "
        f"{width}): {shown}{more}. Their values cannot be matched to the columns. Usually a value "
        f"holds the delimiter {delimiter!r} without quotes (e.g. a decimal comma): put that "
        f"value in quotes or fix the line in the file. (Empty extra fields, delimiters at the "
        f"end of a line, are ignored.)"
    )
