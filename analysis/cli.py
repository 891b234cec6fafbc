"""The ``retro`` command: ``retro clean studies/<study>.yaml`` and friends.

Every command takes the study YAML; ``retro --help`` and ``retro <command> --help`` explain them.
Errors the user can fix are printed as a message (no traceback) and exit with status 2.
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from analysis.errors import RetroError

app = typer.Typer(
    name="retro",
    help=(
        "Retrospective-study toolkit. Each command reads a study file (studies/<name>.yaml) "
        "that says where the clinic exports are and how to read them.\n\n"
        "Typical use: `retro run studies/my_study.yaml` runs everything and writes "
        "the report under reports/<study>/."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
out = Console()
_STARTED = time.perf_counter()

StudyArg = Annotated[Path, typer.Argument(help="The study file, e.g. studies/my_study.yaml.")]
T = TypeVar("T")


@contextmanager
def _progress(description: str) -> Iterator[Callable[[str], None]]:
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task(description)
        yield lambda msg: progress.update(task, description=f"{description}: {msg}")


def _guard(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except RetroError as exc:
        console.print(f"[bold red]error:[/] {type(exc).__name__}", highlight=False)
        console.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(2) from None


def _load(study: Path):  # noqa: ANN202 - StudyConfig, imported lazily to keep --help fast
    from analysis.config import StudyConfig

    return _guard(lambda: StudyConfig.load(study))


@app.command()
def synth(study: StudyArg) -> None:
    """Regenerate the synthetic raw export of a study (byte-identical for the same seed)."""
    from analysis.datasets import write_twin

    cfg = _load(study)
    paths = _guard(lambda: write_twin(cfg))
    for p in paths:
        out.print(f"wrote {p.relative_to(cfg.root) if p.is_relative_to(cfg.root) else p}")


@app.command("clean")
def clean_cmd(study: StudyArg) -> None:
    """Read, validate and clean the raw exports; derive analysis variables; apply inclusion.

    Writes patients / sessions / adverse_events / concomitant / assessments Parquet files, the
    exclusion log, the audit log, flow.csv, the data dictionary and the validation report under
    the study's processed folder.
    """
    from analysis.pipeline import clean_study, validation_report, write_clean_outputs

    cfg = _load(study)
    with _progress("clean") as say:
        result = _guard(lambda: clean_study(cfg, progress=say))
        write_clean_outputs(result, cfg)
    _print_clean_summary(result, validation_report(result), cfg)


def _print_clean_summary(result, report, cfg) -> None:  # noqa: ANN001
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
    out.print(f"Outputs in {cfg.processed_dir}")
    for warning in result.warnings:
        console.print(f"[bold yellow]warning:[/] {warning}", highlight=False)
    if not ok:
        raise typer.Exit(1)


@app.command()
def tables(study: StudyArg) -> None:
    """Build every table (baseline, adverse events, response, models, time to event).

    Writes HTML, DOCX, XLSX and CSV of each table under reports/<study>/tables/ and every
    number in the analysis-results frame reports/<study>/ard.parquet (and ard.csv).
    """
    from analysis.study import Study

    s = Study(_load(study))
    with _progress("tables") as say:
        say("cleaning")
        _guard(lambda: s.clean)
        say("building tables")
        written = _guard(s.write_tables)
    out.print(
        f"{len(s.tables)} tables, {len(s.ard)} ARD rows; {len(written)} files in {s.reports_dir}"
    )


SuppressOpt = Annotated[
    int | None,
    typer.Option(
        "--suppress-below",
        min=2,
        help="Show counts 1..K-1 as <K in tables (with complementary suppression), "
        "for sharing outside the study team.",
    ),
]


@app.command()
def figures(study: StudyArg) -> None:
    """Draw the study's figures (PNG 300 dpi, SVG, PDF) under reports/<study>/figures/."""
    from analysis.figures.study import make_figures
    from analysis.study import Study

    s = Study(_load(study))
    with _progress("figures"):
        made = _stage("figures", lambda: make_figures(s))
    out.print(f"{len(made)} figures in {s.reports_dir / 'figures'}")


@app.command()
def verify(study: StudyArg) -> None:
    """Check every number the manuscript states (studies/<study>.claims.yaml) against the
    analysis; prints claim / computed / pass and exits with status 1 if any claim fails."""
    from analysis.report.claims import verify_command

    code = _guard(lambda: verify_command(study, console=out))
    raise typer.Exit(code)


JobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        min=1,
        help="Processes for writing the outputs side by side (report PDF, figure files, table "
        "files); default one per core, 1 = one after another. Outputs are identical either way.",
    ),
]


@app.command()
def notebooks(
    study: StudyArg,
    jobs: JobsOpt = None,
    pdf: Annotated[
        bool, typer.Option(help="Let the report notebook write report.pdf (a few seconds).")
    ] = True,
    folder: Annotated[
        Path | None,
        typer.Option("--folder", help="Folder of the notebooks; default notebooks/ of the repo."),
    ] = None,
) -> None:
    """Rerun every notebook (notebooks/NN-*.ipynb) on the study, side by side (--jobs; one per
    core by default), keep the executed copies with their outputs under
    reports/<study>/notebooks/, and check that the numbers each notebook shows equal the
    package's (the ARD rows `retro tables` writes). Exits with status 1 if a notebook fails or
    differs."""
    import tempfile

    from analysis import notebooks as nbs
    from analysis.parallel import default_processes
    from analysis.study import Study

    cfg = _load(study)
    s = Study(cfg)
    nb_dir = folder if folder is not None else cfg.root / "notebooks"
    paths = nbs.notebook_paths(nb_dir)
    if not paths:
        console.print(f"[bold red]error:[/] no notebooks NN-*.ipynb in {nb_dir}", highlight=False)
        raise typer.Exit(2)
    out_dir = s.reports_dir / "notebooks"
    kernel = _guard(nbs.kernel_for_this_python)
    parameters = {"study_path": str(Path(study).resolve()), "pdf": pdf}
    with (
        tempfile.TemporaryDirectory(prefix="retro-notebooks-") as tmp,
        _progress(f"{len(paths)} notebooks"),
    ):
        runs = nbs.execute_notebooks(
            nbs.longest_first(paths),
            out_dir,
            parameters=parameters,
            kernel=kernel,
            ard_dir=Path(tmp),
            jobs=jobs or default_processes(),
            meanwhile=lambda: _stage("clean", lambda: s.clean),
        )
    table = Table("notebook", "seconds", "ARD rows", "equal to the package", title="Notebooks")
    failed = 0
    for path in paths:
        run = runs[path.stem]
        problems = list(run.errors) or ([] if run.ok else [f"exit status {run.returncode}"])
        rows = 0
        if not problems and run.ard is not None:
            rows = len(run.ard)
            try:
                problems = nbs.ard_differences(run.ard, nbs.expected_rows(s.tables, run.ard))
            except KeyError as exc:
                problems = [str(exc)]
        failed += bool(problems)
        verdict = "yes" if not problems else "NO: " + "; ".join(problems)[:300]
        table.add_row(path.name, f"{run.seconds:.1f}", str(rows), verdict)
    out.print(table)
    out.print(f"executed notebooks (with outputs): {out_dir}")
    if failed:
        for path in paths:
            if not runs[path.stem].ok:
                console.print(f"--- {path.name}\n{runs[path.stem].log}", markup=False)
        raise typer.Exit(1)


@app.command()
def report(study: StudyArg, suppress_below: SuppressOpt = None, jobs: JobsOpt = None) -> None:
    """Write report.html, report.pdf and tables.docx (runs the stages they need)."""
    _run_all(study, suppress_below=suppress_below, jobs=jobs, command=f"retro report {study}")


@app.command()
def run(study: StudyArg, suppress_below: SuppressOpt = None, jobs: JobsOpt = None) -> None:
    """Run every stage in order: clean, tables, figures, report (HTML, PDF, DOCX), claims check,
    manifest. A failing stage stops the run with the stage named; nothing is skipped silently.
    The last stages write their files side by side, one process per core (see --jobs)."""
    _run_all(study, suppress_below=suppress_below, jobs=jobs, command=f"retro run {study}")


def _run_all(study: Path, *, suppress_below: int | None, jobs: int | None, command: str) -> None:
    from analysis.outputs import write_outputs
    from analysis.parallel import JobFailed
    from analysis.pipeline import validation_report
    from analysis.study import Study

    if suppress_below is not None:
        command += f" --suppress-below {suppress_below}"
    s = Study(_load(study))
    clock = _Clock()
    with _progress("run") as say:

        def on_stage(stage: str) -> None:
            if stage == "tables":  # the cleaning is done: its summary first
                _print_clean_summary(s.clean, validation_report(s.clean), s.config)
            say(stage)
            clock.start(stage)

        try:
            made = write_outputs(
                s,
                command=command,
                suppress_below=suppress_below,
                processes=jobs,
                write_clean=True,
                on_stage=on_stage,
            )
        except JobFailed as exc:
            _stage(exc.job, functools.partial(_reraise, exc.cause))  # names the stage, exits
            raise
    clock.stop()
    out.print(f"tables: {len(s.tables)} tables, {len(s.ard)} ARD rows")
    out.print(f"figures: {len(made.figures)}")
    for p in [*made.report, made.manifest]:
        out.print(f"wrote {p}")
    _claims_summary(s)
    out.print(clock.summary())


def _reraise(exc: BaseException) -> None:
    raise exc


class _Clock:
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


def _claims_summary(s) -> None:  # noqa: ANN001 - Study
    from analysis.report.build import study_claims

    claims = study_claims(s)
    if claims is None:
        out.print("claims check: no claims file")
        return
    failed = claims.loc[~claims["passed"].astype(bool)]
    out.print(f"claims check: {len(claims) - len(failed)}/{len(claims)} reproduced")
    if len(failed):
        for r in failed.itertuples():
            out.print(f"  FAILED {r.id}: expected {r.expected}, computed {r.computed} ({r.note})")
        raise typer.Exit(1)


def _stage(name: str, fn: Callable[[], T]) -> T:
    """Run one stage; a failure stops the run naming the stage."""
    try:
        return _guard(fn)
    except typer.Exit:
        raise
    except Exception as exc:
        console.print(
            f"[bold red]stage '{name}' failed:[/] {type(exc).__name__}: {exc}", highlight=False
        )
        raise typer.Exit(1) from exc


def main() -> None:  # pragma: no cover - console entry point
    """The ``retro`` console script: runs the command, then leaves without the interpreter's
    teardown (freeing every module and object of a run took ~1 s, a sixth of what ``retro
    run`` then spends after its imports). Every output file is closed by then; streams are
    flushed here."""
    import os

    from typer._click import exceptions  # Typer's own copy of click

    try:
        # not standalone: an exit status is returned instead of calling sys.exit
        result = app(standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except exceptions.ClickException as exc:  # usage errors, printed as Typer would
        exc.show()
        code = exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        console.print("Aborted.")
        code = 130
    except SystemExit as exc:  # e.g. output piped into a program that stopped reading
        code = exc.code if isinstance(exc.code, int) else 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
