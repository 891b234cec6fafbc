"""The sources of a table's records: each raw file and sheet with its label, and which records
came from it (grouped by ``source_file`` and ``source_sheet``, or found as runs of neighbouring
records where the sources are stacked one after another)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def source_label(file: str, sheet: str) -> str:
    """``file`` or ``file, sheet 'Sheet1'``: a source as messages name it."""
    return f"{file}, sheet {sheet!r}" if sheet else file


def by_source(df: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """``(file/sheet label, records)`` of each source of ``df``, in reading order."""
    groups = df.groupby(["source_file", "source_sheet"], sort=False)
    return [(source_label(str(f), str(s)), g) for (f, s), g in groups]


def source_members(df: pd.DataFrame) -> list[tuple[str, np.ndarray]]:
    """``(file/sheet label, whether each record of df is from it)`` of each source of ``df``,
    in reading order (as :func:`by_source`, without making a frame per source).

    The sources of a table are stacked one after another, so each is one run of equal
    ``(source_file, source_sheet)``: the runs are found by comparing neighbours (no hashing of
    every record's text) and used when no source has two runs and no value is missing; else
    the records are grouped by their values."""
    runs = source_runs(df)
    if runs is not None:
        return runs
    files, file_names = pd.factorize(df["source_file"])
    sheets, sheet_names = pd.factorize(df["source_sheet"])
    width = len(sheet_names) + 1
    groups, pairs = pd.factorize(files * width + sheets)
    names = [(str(file_names[p // width]), str(sheet_names[p % width])) for p in pairs]
    return [(source_label(*n), groups == g) for g, n in enumerate(names)]


def source_runs(df: pd.DataFrame) -> list[tuple[str, np.ndarray]] | None:
    """:func:`source_members` when each source is one run of records, else None."""
    files = df["source_file"].to_numpy(dtype=object)
    sheets = df["source_sheet"].to_numpy(dtype=object)
    n = len(files)
    if not n:
        return None
    change = np.ones(n, dtype=bool)
    change[1:] = (files[1:] != files[:-1]) | (sheets[1:] != sheets[:-1])
    heads = np.flatnonzero(change)
    pairs = list(zip(files[heads].tolist(), sheets[heads].tolist(), strict=True))
    if pd.isna(files[heads]).any() or pd.isna(sheets[heads]).any() or len(set(pairs)) < len(pairs):
        return None
    ends = [*heads[1:].tolist(), n]
    out = []
    for (file, sheet), start, end in zip(pairs, heads.tolist(), ends, strict=True):
        members = np.zeros(n, dtype=bool)
        members[start:end] = True
        out.append((source_label(str(file), str(sheet)), members))
    return out


__all__ = ["by_source", "source_label", "source_members", "source_runs"]
