"""The peers' cohort against ours: a timing only compares like with like when the outputs agree.

`differences(ours, peer)` reads each Parquet table a peer wrote (``scale_peers.py``) and the same
table of `retro clean`, and lists what differs: the number of rows, then, for every column the
two share, the multiset of its non-missing values (dates compared as days, numbers rounded to
1e-9, booleans as 0/1, everything else as text). Row order is not compared: the peers keep the
order a user's ``drop_duplicates`` gives, ours the export's. Columns only one side has (ours
keeps provenance and many derived variables the peers do not compute) are not compared.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def profile(values: Any) -> Any:
    """Each distinct non-missing value of a column with its count, sorted, in a comparable form."""
    import pandas as pd

    present = values.dropna()
    kind = pd.api.types.infer_dtype(present) if present.dtype == object else ""
    if kind == "date":  # datetime.date objects (a Date column written by polars)
        present = pd.to_datetime(present)
    elif kind == "boolean":  # True/False objects (a boolean column with missing values)
        present = present.astype(bool)
    if pd.api.types.is_datetime64_any_dtype(present.dtype):  # days since 1970
        present = present.astype("datetime64[s]").astype("int64") // 86_400
    elif pd.api.types.is_bool_dtype(present.dtype):
        present = present.astype("int64")
    elif pd.api.types.is_numeric_dtype(present.dtype):
        present = present.astype("float64").round(9)
    else:
        present = present.astype(str)
    return present.value_counts().sort_index()


def differences(ours: Path, peer: Path) -> list[str]:
    """What differs between the tables a peer wrote in ``peer`` and ours in ``ours``: one line
    per table whose rows differ in number, else per column whose values differ; [] when equal."""
    import pandas as pd

    found = []
    written = sorted(peer.glob("*.parquet"))
    if not written:
        return [f"{peer}: no table written"]
    for path in written:
        mine = ours / path.name
        if not mine.exists():
            found.append(f"{path.stem}: written by the peer, not by ours")
            continue
        a, b = pd.read_parquet(mine), pd.read_parquet(path)
        if len(a) != len(b):
            found.append(f"{path.stem}: ours {len(a):,} rows, the peer {len(b):,}")
            continue
        for column in (c for c in b.columns if c in a.columns):
            pa_, pb = profile(a[column]), profile(b[column])
            if not (pa_.index.equals(pb.index) and (pa_.to_numpy() == pb.to_numpy()).all()):
                found.append(
                    f"{path.stem}.{column}: ours {int(pa_.sum()):,} values "
                    f"({len(pa_):,} distinct), the peer {int(pb.sum()):,} ({len(pb):,} distinct)"
                )
    return found


def compared_columns(ours: Path, peer: Path) -> dict[str, list[str]]:
    """The columns `differences` compares, per table."""
    import pyarrow.parquet as pq

    shared = {}
    for path in sorted(peer.glob("*.parquet")):
        if (ours / path.name).exists():
            mine = set(pq.read_schema(ours / path.name).names)
            shared[path.stem] = [c for c in pq.read_schema(path).names if c in mine]
    return shared
