"""What ``retro clean`` (and ``retro run``) print after cleaning: the patient flow, the records
excluded, merged, corrected or flagged, the row accounting and the warnings; and what ``retro
run`` prints at its end: the claims check and the seconds per stage."""

from __future__ import annotations

import time

import typer
from rich.table import Table
from rich.text import Text

from analysis.run.console import console, out
from analysis.run.console import warning as warning_line
from analysis.synthetic import CLAIMS_NOTE, is_synthetic, notice
from analysis.words import counted

_STARTED = time.perf_counter()


def print_clean_summary(result, report, cfg, *, staged: bool = False) -> None:  # noqa: ANN001
    """``staged``: the cleaned data are written with the other outputs at the end (``retro
    run``), not yet."""
    import pandas as pd

    print_synthetic(cfg)
    flow = Table(title="Patient flow", show_lines=False)
    for col in ("Step", "Excluded", "Remaining"):
        flow.add_column(col, justify="left" if col == "Step" else "right")
    for r in result.flow.itertuples():
        exc = "" if pd.isna(r.n_excluded) else str(int(r.n_excluded))
        flow.add_row(Text(str(r.label)), exc, str(r.n_remaining))
    out.print(flow)
    summary = report.groupby(["table", "check", "action"]).size().rename("records").reset_index()
    t = Table(title="Validation: records excluded, merged, corrected or flagged")
    for col in summary.columns:
        t.add_column(_words(col), justify="right" if col == "records" else "left")
    for row in summary.itertuples(index=False):
        t.add_row(*[Text(_words(str(v))) for v in row])
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
        console.print(warning_line(warning), highlight=False)
    if not ok:
        if staged:
            console.print("The run stops here; nothing was written.", highlight=False)
        raise typer.Exit(1)


def _words(code: str) -> str:
    """A table, check or action code of the validation log in words ("set_missing" -> "Set
    missing", as :func:`analysis.studyfile.plan_defaults.variable_label` says a column it has no
    label for)."""
    words = code.replace("_", " ")
    return words[:1].upper() + words[1:]


def print_synthetic(cfg) -> None:  # noqa: ANN001 - StudyConfig
    """One bold line saying that the study's data are synthetic (nothing for real data)."""
    if is_synthetic(cfg):
        out.print(Text(notice(cfg), style="bold"))


class Clock:
    """Seconds per stage, for the line ``retro run`` ends with."""

    def __init__(self) -> None:
        self.laps: list[tuple[str, float]] = []
        self._stage: str | None = None
        self._since = 0.0

    def start(self, stage: str) -> None:
        """End the stage in progress (if any) and start timing ``stage`` (no-op when it is the
        stage in progress)."""
        if stage == self._stage:
            return
        self.stop()
        self._stage, self._since = stage, time.perf_counter()

    def stop(self) -> None:
        if self._stage is not None:
            self.laps.append((self._stage, time.perf_counter() - self._since))
            self._stage = None

    def summary(self) -> str:
        parts = ", ".join(f"{name} {sec:.1f} s" for name, sec in self.laps)
        return f"time: {parts}; {time.perf_counter() - _STARTED:.1f} s in all (with start-up)"


def print_claims_summary(s) -> None:  # noqa: ANN001 - Study
    from analysis.report.build import study_claims

    claims = study_claims(s)
    if claims is None:
        out.print("claims check: no claims file")
        return
    from analysis.report.claims_summary import partial_claims, partial_lines

    failed = claims.loc[~claims["passed"].astype(bool)]
    partial = partial_claims(claims)  # each claim once; a failed one is listed below
    # the checks counted, and the claims they check (a claim may have several; the report's
    # verdict counts claims)
    of = counted(claims["id"].nunique(), "claim")
    apart = f"; {len(partial)} of them reproduced in part only" if len(partial) else ""
    out.print(
        f"claims check: {len(claims) - len(failed)}/{len(claims)} reproduced "
        f"(checks of {of}{apart})"
    )
    for line in partial_lines(claims):
        out.print(Text(f"  {line}"))
    if is_synthetic(s.config):
        out.print(Text(f"  {CLAIMS_NOTE}"))
        print_synthetic(s.config)
    if len(failed):
        from analysis.report.claims import claims_path_for, failed_lines

        for line in failed_lines(failed, claims_path_for(s.config.path)):
            out.print(Text(f"  FAILED {line}"))
        raise typer.Exit(1)
