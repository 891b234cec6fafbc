"""Property test: whatever is done to a small valid CSV source, the run either stops with a
located error, or every physical record of the file is kept or logged, at its own line.

Corruptions: stray quotes, blank lines, duplicated records, emptied cells, junk values, extra
delimiters, a byte-order mark, CRLF or CR line endings.
"""

from __future__ import annotations

import csv
import re

import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from analysis.clean.stage import clean_study
from analysis.errors import SourceError
from analysis.studyfile.config import StudyConfig
from tests.conftest import allow_orphans

HEADER = "id,date,dose"
BASE = [
    "P1,2020-01-10,0.1",
    "P1,2020-04-10,0.1",
    "P2,2020-01-15,0.1",
    "P3,2020-03-01,0.1",
    "P4,2020-02-01,0.1",
    "P4,2020-05-01,0.1",
]
JUNK = ["abc", "#N/A", "2020-02-30", " ", "é", "0,5", "P9", "''", "1e9"]
BLANKS = ["", "   ", ",,", " ,\t,"]

# (operation, line, position within the line, value); lines and positions wrap around
OPS = st.lists(
    st.tuples(
        st.sampled_from(["quote", "blank", "duplicate", "empty", "junk", "delimiters"]),
        st.integers(0, 40),
        st.integers(0, 40),
        st.integers(0, 40),
    ),
    max_size=4,
)


def _corrupt(ops: list[tuple[str, int, int, int]]) -> list[str]:
    lines = list(BASE)
    for op, at, pos, value in ops:
        i = at % len(lines)
        line = lines[i]
        if op == "quote":  # at the start of a cell (it opens a quoted cell) or anywhere
            starts = [0, *(k + 1 for k, ch in enumerate(line) if ch == ",")]
            p = starts[pos % len(starts)] if value % 2 else pos % (len(line) + 1)
            lines[i] = line[:p] + '"' + line[p:]
        elif op == "blank":
            lines.insert(i, BLANKS[value % len(BLANKS)])
        elif op == "duplicate":
            lines.insert(i, line)
        elif op in ("empty", "junk"):
            cells = line.split(",")
            cells[pos % len(cells)] = "" if op == "empty" else JUNK[value % len(JUNK)]
            lines[i] = ",".join(cells)
        else:  # empty extra fields (ignored) or a value past the last column (an error)
            lines[i] = line + ("," * (1 + value % 2) if pos % 2 else ",x")
    return lines


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ops=OPS,
    end=st.sampled_from(["\n", "\r\n", "\r"]),
    bom=st.booleans(),
)
def test_every_physical_record_is_kept_or_logged_at_its_line(mini_study, ops, end, bom):
    lines = _corrupt(ops)
    text = ("\ufeff" if bom else "") + end.join([HEADER, *lines]) + end
    # a junk id is an orphan record, logged (by default a source mostly orphaned stops)
    path = mini_study(files={"sessions.csv": text.encode("utf-8")}, yaml_edit=allow_orphans)
    try:
        res = clean_study(StudyConfig.load(path))
    except SourceError as exc:
        message = str(exc)
        if message.startswith("exposures: "):  # a duplicate whose dose differs: a conflict
            assert re.search(r"sessions\.csv, row \d+, against sessions\.csv, row \d+", message)
            event("stopped: conflicting duplicate records")
            return
        assert message.startswith(str(path.parent.parent / "raw" / "sessions.csv") + ": ")
        assert re.search(r"\blines? \d+", message), message
        event("stopped: " + re.sub(r"\d+", "N", message.split(": ", 1)[1])[:40])
        return
    event("read")
    physical = [n for n, line in enumerate(lines, start=2) if line.strip(" \t,")]
    acc = res.accounting()
    mine = acc.loc[acc["source_file"] == "sessions.csv"].iloc[0]
    assert mine["rows_read"] == len(physical) == mine["kept"] + mine["logged"]
    assert acc["balanced"].all()
    kept = res.tables["exposures"][["source_row", "patient_id"]].astype(object)
    ex = res.exclusions.loc[res.exclusions["table"] == "exposures", ["row", "patient_id"]]
    records = [*kept.values.tolist(), *ex.astype(object).values.tolist()]
    assert sorted(int(r) for r, _ in records) == physical
    for row, pid in records:
        first_cell = next(csv.reader([lines[int(row) - 2]]))[0].strip()
        assert first_cell == ("" if pd.isna(pid) else str(pid)), (row, lines)
