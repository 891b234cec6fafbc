"""What ``retro clean`` (and ``retro run``) print after cleaning: the patient flow, the records
excluded, merged, corrected or flagged, the row accounting and the warnings."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

console = Console(stderr=True)
out = Console()


def print_clean_summary(result, report, cfg, *, staged: bool = False) -> None:  # noqa: ANN001
    """``staged``: the cleaned data are written with the other outputs at the end (``retro
    run``), not yet."""
    import pandas as pd

    flow = Table(title="Patient flow", show_lines=False)
    for col in ("step", "label", "excluded", "remaining"):
        flow.add_column(col, justify="right" if col in ("excluded", "remaining") else "left")
    for r in result.flow.itertuples():
        exc = "" if pd.isna(r.n_excluded) else str(int(r.n_excluded))
        flow.add_row(r.step, r.label, exc, str(r.n_remaining))
    out.print(flow)
    summary = report.groupby(["table", "check", "action"]).size().rename("records").reset_index()
    t = Table(title="Validation: records excluded, merged, corrected or flagged")
    for col in summary.columns:
        t.add_column(col, justify="right" if col == "records" else "left")
    for row in summary.itertuples(index=False):
        t.add_row(*[str(v) for v in row])
    out.print(t)
    acc = result.accounting()
    ok = bool(acc["balanced"].all())
    out.print(
        f"Rows read {int(acc['rows_read'].sum())} = kept {int(acc['kept'].sum())} + logged "
        f"{int(acc['logged'].sum())}: {'balanced' if ok else 'NOT BALANCED'}"
    )
    if staged:
        out.print(f"Cleaned data: to {cfg.processed_dir}, with the other outputs at the end")
    else:
        out.print(f"Outputs in {cfg.processed_dir}")
    for warning in result.warnings:
        console.print(f"[bold yellow]warning:[/] {warning}", highlight=False)
    if not ok:
        if staged:
            console.print("The run stops here; nothing was written.", highlight=False)
        raise typer.Exit(1)
