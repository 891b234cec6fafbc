"""The two CSV paths (C parser when it reads one record per line, csv tokenizer otherwise) give
the same records at the same lines, and the tokenizer path reconciles with the lines."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import analysis.clean.csv_records as records
from analysis.errors import SourceError

TEXTS = {
    "plain": "id,date,dose\nP1,2020-01-10,0.1\nP2,2020-01-11,0.2\n",
    "quoted": 'id,note\n"P1","a, b"\nP2,"say ""hi"""\n"P3",x"y\n',
    "blank-lines": "id,a\r\n\r\nP1,1\r\n  \r\n,\r\nP2,2\r\n\r\n",
    "short-record": "id,a,b,\nP1,1\nP2,2,3,4\n",
    "no-final-break": "id;a\rP1;1\rP2;",
}


@pytest.mark.parametrize("name", TEXTS)
def test_both_paths_read_the_same_records(name, monkeypatch):
    text = TEXTS[name]
    delimiter = ";" if ";" in text else ","
    assert records._one_record_a_line(text, delimiter, len(records.split_lines(text))) is not None
    fast = records.read_csv_text(text, delimiter, where="f.csv", short_rows="blank")
    monkeypatch.setattr(records, "_one_record_a_line", lambda *a, **k: None)
    slow = records.read_csv_text(text, delimiter, where="f.csv", short_rows="blank")
    pd.testing.assert_frame_equal(fast, slow, check_index_type=False)
    short = {"short_rows": {2: 2}} if name == "short-record" else {}
    assert fast.attrs == slow.attrs == {"file_records": len(fast), **short}


def test_tokenizer_that_stops_early_is_refused(monkeypatch):
    tokenize = records._tokenize
    monkeypatch.setattr(records, "_tokenize", lambda *a: [x[:-1] for x in tokenize(*a)])
    with pytest.raises(SourceError) as exc:
        records.read_csv_text('id\n"P1\nx"\nP2\n', ",", where="f.csv", multiline_cells=True)
    assert str(exc.value) == (
        "f.csv: the file has 4 lines but the csv tokenizer read 3; the file cannot be read "
        "safely. Re-export it."
    )


FIELDS = st.lists(
    st.sampled_from(
        [
            "",
            " ",
            "a",
            "Ä",
            "1.0",
            "#",
            "\t",
            ",",
            ";",
            "|",
            "\x0c",
            "\x1c",
            "\u2028",
            "\xa0",
            "x y",
            "NA",
            "nan",
            "null",
            '"',
            "\\",
            "\x85",
            "\r",
        ]
    ),  # fmt: skip
    max_size=3,
).map("".join)


@st.composite
def _csv_files(draw: st.DrawFn) -> tuple[str, str]:
    delimiter = draw(st.sampled_from([",", ";", "\t", "|", " "]))
    # mostly fields without the delimiter, so most lines have the header's count
    field = FIELDS.map(lambda f: f.replace(delimiter, "") if draw(st.integers(0, 9)) else f)
    width = draw(st.integers(1, 4))
    if draw(st.booleans()):
        header = [f"c{i}" for i in range(width)]
    else:
        header = draw(st.lists(field, min_size=width, max_size=width))
    lines = [header]
    for _ in range(draw(st.integers(0, 6))):
        n = width if draw(st.integers(0, 5)) else draw(st.integers(0, width + 1))
        lines.append(draw(st.lists(field, min_size=n, max_size=n)))
    # Unix, Windows and old Mac line breaks, one kind a file or mixed
    breaks = st.sampled_from(["\n", "\r\n", "\r"])
    one = draw(st.one_of(st.none(), breaks))
    text = delimiter.join(lines[0])
    for line in lines[1:]:
        text += (one or draw(breaks)) + delimiter.join(line)
    end = draw(st.sampled_from(["", "\n", "\n\n", "\r\n", "\r\n\r\n", "\r"]))
    text += end
    # quotes: cells in quotes (with the delimiter, a doubled quote, a line break inside), a
    # quote within a cell, one never closed, anywhere in the file
    pieces = [*text]
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(pieces)))
        pieces.insert(at, draw(QUOTED))
    return "".join(pieces), delimiter


QUOTED = st.sampled_from(
    ['"', '""', '"a"', '"a,b"', '"a;b"', '" x "', '"a""b"', 'x"', '"\n', '"x" ', ' "y"', '"\r\n"']
)


@settings(max_examples=400, deadline=None)
@given(_csv_files())
def test_arrow_records_are_the_c_parsers_records(file):
    """Arrow's frame of the file with LF breaks, when it gives one record a line (the only
    frame ``read_csv_text`` takes from it), is the C parser's of the file as written (CRLF,
    CR): same headers, cells, types. Where the C parser stops (a quote never closed), Arrow
    reads the rest of the file as the cell: reading stops there too."""
    text, delimiter = file
    got = records._arrow_records(records._one_break(text), delimiter)
    if got is None or len(got) != len(records.split_lines(text)) - 1:
        return
    try:
        want = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        assert "EOF inside string" in str(exc)
        with pytest.raises(SourceError, match="never closed"):
            records.read_csv_text(text, delimiter, where="f.csv")
        return
    pd.testing.assert_frame_equal(got, want)
    assert all(type(v) is str for col in got.columns for v in got[col])


@settings(max_examples=200, deadline=None)
@given(_csv_files())
def test_reading_with_or_without_arrow_gives_the_same_records(file):
    text, delimiter = file

    def read() -> object:
        try:
            return records.read_csv_text(text, delimiter, where="f.csv")
        except SourceError as exc:
            return str(exc)

    with_arrow = read()
    original = records._arrow_records
    records._arrow_records = lambda *args: None
    try:
        without = read()
    finally:
        records._arrow_records = original
    if isinstance(without, str):
        assert with_arrow == without
    else:
        assert isinstance(with_arrow, pd.DataFrame)
        pd.testing.assert_frame_equal(with_arrow, without)
        assert with_arrow.attrs == without.attrs
