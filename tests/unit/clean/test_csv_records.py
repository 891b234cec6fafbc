"""The two CSV paths (C parser when it reads one record per line, csv tokenizer otherwise) give
the same records at the same lines, and the tokenizer path reconciles with the lines."""

from __future__ import annotations

import pandas as pd
import pytest

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
    fast = records.read_csv_text(text, delimiter, where="f.csv")
    monkeypatch.setattr(records, "_one_record_a_line", lambda *a: None)
    slow = records.read_csv_text(text, delimiter, where="f.csv")
    pd.testing.assert_frame_equal(fast, slow, check_index_type=False)
    assert fast.attrs == slow.attrs == {"file_records": len(fast)}


def test_tokenizer_that_stops_early_is_refused(monkeypatch):
    tokenize = records._tokenize
    monkeypatch.setattr(records, "_tokenize", lambda *a: [x[:-1] for x in tokenize(*a)])
    with pytest.raises(SourceError) as exc:
        records.read_csv_text('id\n"P1\nx"\nP2\n', ",", where="f.csv", multiline_cells=True)
    assert str(exc.value) == (
        "f.csv: the file has 4 lines but the csv tokenizer read 3; the file cannot be read "
        "safely. Re-export it."
    )
