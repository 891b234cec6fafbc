"""The peers' cohort against ours: a timing only compares like with like when the outputs agree.

`differences(ours, peer)` reads each table a peer must write (``scale_peers.py``; `EXPECTED`:
the tables and their columns) and the same table of `retro clean`, and lists what differs:

- a table or a column of `EXPECTED` the peer did not write, or ours lacks;
- the number of rows;
- the rows themselves: every row of the table over the columns of `EXPECTED`, as a multiset
  (each value in a comparable form: dates as days, numbers rounded to 1e-9, booleans as 0/1,
  missing as missing, everything else as text). A value moved to another row (a day 0 given to
  the wrong patient, a flag shuffled) changes the rows, though not the column's values; the
  check compared each column's values apart until 2026-12-07 and passed such a peer.

Row order is not compared: the peers keep the order a user's ``drop_duplicates`` gives, ours
the export's. Columns ours has beyond `EXPECTED` (provenance, derived variables the peers do
not compute) are not compared.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: what each peer writes (``scale_peers.py``), table -> columns: every one is compared
EXPECTED: dict[str, list[str]] = {
    "adverse_events": [
        "patient_id", "onset_date", "ae_term", "severity", "duration_days", "is_serious",
        "action_taken", "is_teae",
    ],
    "assessments": ["patient_id", "assessment_date", "response_grade"],
    "concomitant": ["patient_id", "drug", "start_date", "stop_date"],
    "exposures": ["patient_id", "start_date", "dose_mg", "concentration_pct", "volume_ml"],
    "patients": [
        "patient_id", "sex", "age_years", "baseline_grade", "first_visit_date",
        "last_visit_date", "is_discontinued", "discontinuation_date", "discontinuation_reason",
        "centre", "n_exposures", "day0_date", "followup_months", "has_teae",
    ],
}  # fmt: skip

#: rows shown of a table whose rows differ
SHOWN = 3


def comparable(values: Any) -> Any:
    """A column in a form both sides share, with pandas' missing value where it is missing:
    days since 1970 for dates, 0/1 for booleans (Int64), numbers rounded to 1e-9 (Float64),
    text (string) otherwise."""
    import pandas as pd

    present = values.dropna()
    kind = pd.api.types.infer_dtype(present) if present.dtype == object else ""
    if kind == "date":  # datetime.date objects (a Date column written by polars)
        present = pd.to_datetime(present)
    elif kind == "boolean":  # True/False objects (a boolean column with missing values)
        present = present.astype(bool)
    if pd.api.types.is_datetime64_any_dtype(present.dtype):
        present, dtype = present.astype("datetime64[s]").astype("int64") // 86_400, "Int64"
    elif pd.api.types.is_bool_dtype(present.dtype):
        present, dtype = present.astype("int64"), "Int64"
    elif pd.api.types.is_numeric_dtype(present.dtype):
        present, dtype = present.astype("float64").round(9), "Float64"
    else:
        present, dtype = present.astype(str), "string"
    return present.astype(dtype).reindex(values.index)


def profile(values: Any) -> Any:
    """Each distinct non-missing value of a (comparable) column with its count, sorted."""
    return values.dropna().value_counts().sort_index()


def _rows(frame: Any, columns: list[str]) -> Any:
    """The rows of ``frame`` over ``columns`` (comparable values), sorted by every column,
    missing first: two tables hold the same multiset of rows when these are equal."""
    import pandas as pd

    cells = pd.DataFrame({c: comparable(frame[c]) for c in columns})
    return cells.sort_values(columns, na_position="first", kind="stable").reset_index(drop=True)


def differences(ours: Path, peer: Path) -> list[str]:
    """What differs between the tables a peer wrote in ``peer`` and ours in ``ours``: one line
    per missing table or column, per table whose rows differ in number or in content; [] when
    every table of `EXPECTED` holds the same rows."""
    import pandas as pd

    found = []
    for table, columns in EXPECTED.items():
        theirs_path, mine_path = peer / f"{table}.parquet", ours / f"{table}.parquet"
        if not theirs_path.exists():
            found.append(f"{table}: not written by the peer")
            continue
        if not mine_path.exists():
            found.append(f"{table}: written by the peer, not by ours")
            continue
        a, b = pd.read_parquet(mine_path), pd.read_parquet(theirs_path)
        lacking = {
            side: [c for c in columns if c not in frame.columns]
            for side, frame in (("ours", a), ("the peer", b))
        }
        said = [f"{side} lacks {cols}" for side, cols in lacking.items() if cols]
        if said:
            found.append(f"{table}: {'; '.join(said)}")
            continue
        if len(a) != len(b):
            found.append(f"{table}: ours {len(a):,} rows, the peer {len(b):,}")
            continue
        ra, rb = _rows(a, columns), _rows(b, columns)
        if list(ra.dtypes) != list(rb.dtypes):
            kinds = {
                c: (str(x), str(y))
                for c, x, y in zip(columns, ra.dtypes, rb.dtypes, strict=True)
                if x != y
            }
            found.append(f"{table}: the columns hold other kinds of value (ours, peer): {kinds}")
            continue
        if ra.equals(rb):
            continue
        same = (ra == rb).fillna(False) | (ra.isna() & rb.isna())
        differ = ~same.all(axis=1)
        unequal = [c for c in columns if not profile(ra[c]).equals(profile(rb[c]))]
        where = (
            f"the values of {unequal} differ"
            if unequal
            else "every column holds the same values, in other rows"
        )
        example = ra.loc[differ].head(SHOWN).astype(object).to_dict("records")
        found.append(
            f"{table}: {int(differ.sum()):,} of {len(ra):,} rows differ once both are sorted "
            f"({where}); ours has e.g. {example}"
        )
    return found


def compared_columns(ours: Path, peer: Path) -> dict[str, list[str]]:  # noqa: ARG001
    """The columns `differences` compares, per table (every column of `EXPECTED`)."""
    return {table: list(columns) for table, columns in EXPECTED.items()}
