"""What the clean stage writes under ``paths.processed``: the analysis tables (Parquet), the
exclusion log and the audit, the flow, the validation report, the data dictionary and the row
accounting, each file written whole or not at all."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import pandas as pd

from analysis.clean.stage import CleanResult
from analysis.clean.step import AUDIT_COLUMNS, concat_rows
from analysis.studyfile.config import StudyConfig
from analysis.write.atomic import write_atomic, write_bytes_atomic
from analysis.write.parquet import write_parquet
from analysis.write.parquet_ahead import ParquetAhead
from analysis.write.safe_cells import neutralise_frame


def write_clean_outputs(
    result: CleanResult,
    config: StudyConfig,
    out_dir: str | Path | None = None,
    *,
    ahead: ParquetAhead | None = None,
) -> list[Path]:
    """Write the analysis tables, logs, flow, validation report and data dictionary.

    ``ahead``: what ``clean_study(..., ahead=...)`` encoded of ``result`` ahead (a table's
    Parquet bytes, written as they are)."""
    from analysis.clean.dictionary import data_dictionary

    out = Path(out_dir) if out_dir is not None else config.processed_dir
    out.mkdir(parents=True, exist_ok=True)
    # a table no source feeds is not part of this study's data
    tables = {n: df for n, df in result.tables.items() if n == "patients" or config.sources_for(n)}
    frames = {f"{name}.parquet": df for name, df in tables.items()}
    frames["exclusions.parquet"] = result.exclusions
    frames["audit.parquet"] = result.audit
    frames["flow.csv"] = result.flow
    frames["data_dictionary.csv"] = data_dictionary(tables, config)
    frames["validation_report.csv"] = validation_report(result)
    frames["accounting.csv"] = result.accounting()
    # two files at a time: Parquet's compression and writing run outside the interpreter lock,
    # so one file is compressed while the next is converted (same bytes; ~1-2 s at 1M patients)
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(_write_table, out / name, df, ahead)
            if name.endswith(".parquet")
            else pool.submit(write_atomic, out / name, partial(_write_csv, neutralise_frame(df)))
            for name, df in frames.items()
        ]
        written = [f.result() for f in futures]  # the first failure (in this order) raised
    return sorted(written)


def _write_table(target: Path, df: pd.DataFrame, ahead: ParquetAhead | None) -> Path:
    """``df`` written to ``target`` as Parquet: the bytes encoded ahead when ``ahead`` holds
    those of this very frame, else encoded now (the same bytes)."""
    data = None if ahead is None else ahead.take(target.stem, df)
    if data is None:
        return write_atomic(target, partial(write_parquet, df))
    return write_bytes_atomic(target, data)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False)


def validation_report(result: CleanResult) -> pd.DataFrame:
    """Every failure, one row each: ``table, source, sheet, row, patient_id, column, check,
    value, action, message`` (exclusions first, then corrections and flags)."""
    ex = result.exclusions.rename(columns={"step": "check", "reason": "message"}).assign(
        column="", value="", action="excluded"
    )
    ex.loc[ex["check"] == "duplicate", "action"] = "merged"
    cols = AUDIT_COLUMNS
    inclusion = ex["check"].str.startswith(("inclusion:", "patient_excluded"))
    # an empty part left out (pandas warns it will give the columns another type)
    return concat_rows([ex.loc[~inclusion, cols], result.audit[cols]], cols)


__all__ = ["validation_report", "write_clean_outputs"]
