"""Records in each raw file = records kept in the analysis tables + records in the exclusion log.

The left side is counted from the file itself, apart from parsing it: the non-blank lines of a
CSV after its header, the non-empty rows of a sheet below its header, the row count a Parquet,
SAS or SPSS file declares (a wide source with ``repeat`` gives one record per filled group).
``read_source`` already stops when its reader returns another number of records; the check
here covers every later step, and stops the run naming the file whose records do not add up.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import analysis.clean.read as readers
from analysis.errors import PipelineError
from analysis.studyfile.config import StudyConfig
from analysis.write.object_runs import changes

KEYS = ["table", "source_file", "source_sheet"]


def read_table_counted(config: StudyConfig, table: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``read_table`` and, per file and sheet, the records the file holds (``rows_read``)."""
    df, counted, _, _ = read_table_checked(config, table)
    return df, counted


def read_table_checked(
    config: StudyConfig, table: str
) -> tuple[pd.DataFrame, pd.DataFrame, frozenset[str], frozenset[str]]:
    """:func:`read_table_counted`, the table's columns no cell of which is unreadable, as the
    readers found (read only from files holding no ``#`` and no control character, or absent
    from a source: ``read.read_source``'s ``attrs["plain_columns"]``), and its columns the
    readers trimmed already (``attrs["trimmed_columns"]``, or absent from a source)."""
    frames, counts = [], []
    for source in config.sources_for(table):
        df = readers.read_source(config, source)
        frames.append(df)
        counts.append(
            {
                "table": table,
                "source_file": readers.relative_path(config.source_path(source), config.raw_dir),
                "source_sheet": source.sheet or "",
                "rows_read": int(df.attrs["file_records"]),
            }
        )
    counted = pd.DataFrame(counts, columns=[*KEYS, "rows_read"]).astype({"rows_read": "int64"})
    counted = counted.groupby(KEYS, sort=False, as_index=False)["rows_read"].sum()
    plain, trimmed = (
        frozenset(
            c
            for c in config.columns_for(table)
            if all(c in f.attrs.get(said, ()) or c not in f.columns for f in frames)
        )
        for said in ("plain_columns", "trimmed_columns")
    )
    return readers.stack_sources(config, table, frames), counted, plain, trimmed


def account(
    raw_counts: pd.DataFrame, tables: dict[str, pd.DataFrame], exclusions: pd.DataFrame
) -> pd.DataFrame:
    """Per raw file and sheet: ``rows_read`` (counted in the file), ``kept``, ``logged`` and
    ``balanced`` (whether the first is the sum of the other two)."""
    kept = pd.concat({n: kept_per_source(t) for n, t in tables.items()}, names=KEYS[:1]).rename(
        "kept"
    )  # counted table by table: no frame of every record's keys
    logged = exclusions.rename(columns={"source": "source_file", "sheet": "source_sheet"})
    logged = logged.value_counts(KEYS).rename("logged")
    out = raw_counts.set_index(KEYS)
    out = out.join(kept, how="outer").join(logged, how="outer").fillna(0).astype("int64")
    out = out.reset_index()
    out["balanced"] = out["rows_read"] == out["kept"] + out["logged"]
    return out


def kept_per_source(table: pd.DataFrame) -> pd.Series:
    """``table[["source_file", "source_sheet"]].value_counts()`` (a record with either missing
    is not counted), in another order (``account`` joins it, which sorts). Each column of text
    is coded once (``pd.factorize``) and the pairs of codes counted (``np.bincount``); grouping
    7M records by the two texts took 1 s. A table whose pairs of objects come in long runs (each
    source's records together, as the stage makes them) is coded once per run, weighted by its
    length: factorizing 7M cells took 0.6 s. Columns of another type (a categorical) are left
    to pandas."""
    columns = KEYS[1:]
    if any(table[c].dtype != object for c in columns):
        return table[columns].value_counts()
    files, sheets = (np.ascontiguousarray(table[c].to_numpy()) for c in columns)
    lengths = None
    starts = _pair_runs(files, sheets)
    if starts is not None:
        files, sheets = files[starts], sheets[starts]
        lengths = np.diff(np.append(starts, len(table)))
    (file, file_values), (sheet, sheet_values) = pd.factorize(files), pd.factorize(sheets)
    known = (file >= 0) & (sheet >= 0)
    pair = file[known].astype(np.int64) * len(sheet_values) + sheet[known]
    weights = None if lengths is None else lengths[known]
    counts = np.bincount(pair, weights, minlength=len(file_values) * len(sheet_values))
    at = np.flatnonzero(counts)
    pairs = [
        file_values.take(at // max(len(sheet_values), 1)),
        sheet_values.take(at % max(len(sheet_values), 1)),
    ]
    return pd.Series(
        counts[at].astype(np.int64),
        index=pd.MultiIndex.from_arrays(pairs, names=columns),
        name="count",
    )


def _pair_runs(files: np.ndarray, sheets: np.ndarray) -> np.ndarray | None:
    """The rows where a run of one (file, sheet) pair of objects starts (identity: the same two
    objects all along a run), or None when the pair changes more than once per 64 rows."""
    if len(files) < 64:
        return None
    most = len(files) // 64
    of_files = changes(files)
    if len(of_files) > most:
        return None
    both = np.union1d(of_files, changes(sheets))
    if len(both) > most:
        return None
    return np.concatenate(([0], both + 1))


def require_balanced(accounting: pd.DataFrame) -> None:
    """Stop the run when a file's records are not all kept or logged (a defect, never data)."""
    bad = accounting.loc[~accounting["balanced"]]
    if bad.empty:
        return
    lines = []
    for r in bad.itertuples(index=False):
        where = f"{r.source_file}" + (f" (sheet {r.source_sheet!r})" if r.source_sheet else "")
        gap = int(r.rows_read - r.kept - r.logged)
        lost = f"{gap} record(s) unaccounted for" if gap > 0 else f"{-gap} record(s) too many"
        lines.append(
            f"{where}, table '{r.table}': the file holds {r.rows_read} record(s), the analysis "
            f"tables keep {r.kept} and the exclusion log holds {r.logged} ({lost})"
        )
    raise PipelineError(
        "stage 'clean': the records do not add up: "
        + "; ".join(lines)
        + ". Every record of a file must be kept or logged with its reason, so the run stops "
        "and writes nothing. This is a defect of the pipeline, not of the data: report it "
        "with the study file."
    )


__all__ = [
    "account",
    "kept_per_source",
    "read_table_checked",
    "read_table_counted",
    "require_balanced",
]
