"""The ``retro`` command: ``retro clean studies/<study>.yaml`` and friends.

Every command takes the study YAML; ``retro --help`` and ``retro <command> --help`` explain them.
Errors the user can fix are printed as a message (no traceback) and exit with status 2; Ctrl-C
prints one line and exits with status 130. Commands write their files into staging folders and
move them into place at the end (``analysis.write.staging``): a failed or interrupted command leaves
the previous outputs as they were.

Over 400 lines as one job: every command of ``retro`` and its options, in one place.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from analysis.run.cli_errors import _command, _guard, _now, plain_warnings
from analysis.run.cli_summary import Clock, print_claims_summary, print_clean_summary
from analysis.run.console import console, out
from analysis.run.console import error as error_line
from analysis.run.console import warning as warning_line

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

StudyArg = Annotated[Path, typer.Argument(help="The study file, e.g. studies/my_study.yaml.")]
T = TypeVar("T")
P = ParamSpec("P")


@contextmanager
def _progress(description: str, *, lines: bool = False) -> Iterator[Callable[[str], None]]:
    """A spinner with the stage's messages on a terminal; with ``lines`` and no terminal, each
    message as a line on stderr (``retro clean --progress`` into a log)."""
    if lines and not console.is_terminal:
        yield lambda msg: console.print(f"{description}: {msg}", highlight=False)
        return
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


@app.callback()
def _global_options(
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            help="Let an unexpected error stop the command with its Python traceback (by "
            "default: a short message, the traceback written to retro-error.log in the study's "
            "processed folder, beside the row-level logs: it can quote raw values).",
        ),
    ] = False,
) -> None:
    _now.debug = debug
    if not debug:
        plain_warnings()


def _load(study: Path):  # noqa: ANN202 - StudyConfig, imported lazily to keep --help fast
    from analysis.studyfile.config import StudyConfig

    cfg = _guard(lambda: StudyConfig.load(study), "reading the study file")
    _now.log_dir = cfg.processed_dir
    _now.outputs = {"paths.processed": cfg.processed_dir, "paths.reports": cfg.reports_dir}
    return cfg


def _folders(cfg, *keys: str) -> dict[str, Path]:  # noqa: ANN001 - StudyConfig
    """The output folders ``keys`` (``processed``, ``reports``) by config key; the ones the
    command writes (what Ctrl-C or an error message names)."""
    folders = {f"paths.{key}": getattr(cfg, f"{key}_dir") for key in keys}
    _now.outputs = folders
    return folders


def _mark_written() -> None:
    _now.written = True


def _clean_then(s, stage: str) -> None:  # noqa: ANN001 - Study
    """Clean the study (stage 'clean'), then name ``stage`` as the one in progress."""
    _guard(lambda: s.clean, "clean")
    _now.stage = stage


@app.command()
@_command("synth")
def synth(
    study: StudyArg,
    patients: Annotated[
        int | None,
        typer.Option(
            "--patients",
            help="Write the twin scaled to this many patients (the reference twin replicated, "
            "same layouts and mess) into --out, with a study file pointing at it.",
        ),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Folder of the scaled twin (required with --patients)."),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="Scaled twin as csv (every table as CSV, fast) or xlsx (workbooks kept; "
            "refused above Excel's 1,048,576 rows per sheet).",
        ),
    ] = "csv",
) -> None:
    """Regenerate the synthetic raw export of a study (byte-identical for the same seed), or
    with --patients N --out FOLDER write it scaled to N patients (FOLDER/raw and
    FOLDER/studies/<study>.yaml; run `retro clean FOLDER/studies/<study>.yaml`)."""
    from analysis.datasets import write_scaled_twin, write_twin
    from analysis.errors import ConfigError

    cfg = _load(study)
    if patients is None:
        if out_dir is not None:
            _guard(_raise(ConfigError("retro synth --out needs --patients N.")), "synth")
        _now.outputs = {"paths.raw": cfg.raw_dir}
        paths = _guard(lambda: write_twin(cfg), "writing the synthetic twin")
        for p in paths:
            out.print(f"wrote {p.relative_to(cfg.root) if p.is_relative_to(cfg.root) else p}")
        return
    if out_dir is None:
        _guard(_raise(ConfigError("retro synth --patients needs --out FOLDER.")), "synth")
        return
    folder = out_dir
    _now.outputs = {"paths.raw": folder / "raw"}
    # an error's traceback goes with the scaled twin (its study file's processed folder), not
    # into the shipped study's processed folder, which this command does not otherwise touch
    _now.log_dir = folder / "processed"
    study_file, rows = _guard(
        lambda: write_scaled_twin(cfg, folder, patients=patients, fmt=fmt),
        "writing the scaled synthetic twin",
    )
    for name, n in rows.items():
        out.print(
            f"wrote {folder / 'raw' / name.split(':')[0]}  {name}: {n:,} row{'' if n == 1 else 's'}"
        )
    who = f"{patients:,} patient" + ("" if patients == 1 else "s")
    out.print(f"study file: {study_file}  ({sum(rows.values()):,} raw rows, {who})")


def _raise(exc: Exception) -> Callable[[], None]:
    def fail() -> None:
        raise exc

    return fail


@app.command("clean")
@_command("clean")
def clean_cmd(
    study: StudyArg,
    progress: Annotated[
        bool,
        typer.Option(
            "--progress",
            help="Print the progress (rows read and validated, rows/s, time left) to stderr "
            "even when it is not a terminal (on a terminal it is always shown).",
        ),
    ] = False,
) -> None:
    """Read, validate and clean the raw exports; derive analysis variables; apply inclusion.

    Writes patients / exposures / adverse_events / concomitant / assessments Parquet files, the
    exclusion log, the audit log, flow.csv, the data dictionary and the validation report under
    the study's processed folder.
    """
    from analysis.clean.outputs import validation_report, write_clean_outputs
    from analysis.clean.stage import clean_study
    from analysis.write.parquet_ahead import ParquetAhead
    from analysis.write.staging import staged

    cfg = _load(study)
    folders = _folders(cfg, "processed")
    ahead = ParquetAhead()  # the largest table's file encoded while the stage checks the tables
    with _progress("clean", lines=progress) as say, staged(cfg, folders) as (staged_cfg, staging):
        result = _guard(lambda: clean_study(cfg, progress=say, ahead=ahead), "clean")
        _guard(
            lambda: write_clean_outputs(result, staged_cfg, ahead=ahead),
            "writing the clean outputs",
        )
        staging.commit(then=_mark_written)
    _guard(lambda: print_clean_summary(result, validation_report(result), cfg), "clean summary")


@app.command()
@_command("tables")
def tables(study: StudyArg) -> None:
    """Build every table (baseline, adverse events, response, models, time to event).

    Writes HTML, DOCX, XLSX and CSV of each table under reports/<study>/tables/ and every
    number in the analysis-results frame reports/<study>/ard.parquet (and ard.csv).
    """
    from analysis.run.study import Study
    from analysis.write.staging import staged_study

    s = Study(_load(study))
    folders = _folders(s.config, "reports")
    with _progress("tables") as say, staged_study(s, folders) as staging:
        say("cleaning")
        _guard(lambda: s.clean, "clean")
        say("building tables")
        written = _guard(s.write_tables, "tables")
        staging.commit(then=_mark_written)
    out.print(
        f"{len(s.tables)} tables, {len(s.ard)} ARD rows; {len(written)} files in {s.reports_dir}"
    )
    _cohort_warnings(s)
    _warn_stale(s.reports_dir, "tables")


#: the largest K of --suppress-below (a larger one would withhold every count of any study)
MAX_SUPPRESS_BELOW = 1_000_000

SuppressOpt = Annotated[
    int | None,
    typer.Option(
        "--suppress-below",
        min=2,
        max=MAX_SUPPRESS_BELOW,
        help="Show counts 1..K-1 as <K in tables (with complementary suppression), withhold "
        "the statistics that would give them back (p-values, risk differences, survival "
        "estimates, models on categorical covariates), keep them out of the figures and write "
        "the suppressed ARD to reports/ (the full one to the processed-data folder), for "
        "sharing outside the study team.",
    ),
]


@app.command()
@_command("figures")
def figures(study: StudyArg) -> None:
    """Draw the study's figures (PNG 300 dpi, SVG, PDF) under reports/<study>/figures/."""
    from analysis.figures.study_figures import make_figures
    from analysis.run.study import Study
    from analysis.write.staging import staged_study

    s = Study(_load(study))
    folders = _folders(s.config, "reports")
    with _progress("figures"), staged_study(s, folders) as staging:
        _guard(lambda: s.clean, "clean")
        made = _guard(lambda: make_figures(s), "figures")
        staging.commit(then=_mark_written)
    out.print(f"{len(made)} figures in {s.reports_dir / 'figures'}")
    _cohort_warnings(s)
    _warn_stale(s.reports_dir, "figures")


def _cohort_warnings(s) -> None:  # noqa: ANN001 - Study
    """The cleaning's warnings after ``retro tables`` / ``retro figures``, which clean again
    without its summary: an empty cohort gave "12 tables, 0 ARD rows" and no word why."""
    for warning in s.clean.warnings:
        out.print(warning_line(warning), highlight=False)


def _warn_stale(reports_dir: Path, what: str) -> None:
    """After a command that rewrote part of the reports folder: the files of an earlier whole
    run that no longer describe it (``analysis.run.folder_mode``)."""
    from analysis.run.folder_mode import stale_run_files

    said = stale_run_files(reports_dir, what)
    if said:
        console.print(warning_line(said), highlight=False)


@app.command()
@_command("verify")
def verify(study: StudyArg) -> None:
    """Check every number the manuscript states (studies/<study>.claims.yaml) against the
    analysis; prints claim / computed / pass and exits with status 1 if any claim fails."""
    from analysis.report.claims import verify_command

    _load(study)  # the error log's folder
    _now.outputs = {}  # writes nothing
    code = verify_command(study, console=out, on_stage=lambda stage: _guard(lambda: None, stage))
    raise typer.Exit(code)


JobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs", min=1, help="Notebooks run side by side; default one per core, 1 = one by one."
    ),
]
RunJobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        min=1,
        help="No effect (a note says so), accepted so that existing scripts still work: the run "
        "writes its outputs one stage after another (side by side was measured no faster).",
    ),
]


@app.command()
@_command("notebooks")
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

    from analysis.run import notebooks as nbs
    from analysis.run.notebook_checks import check_notebook
    from analysis.run.parallel import default_processes
    from analysis.run.study import Study
    from analysis.synthetic import is_synthetic, notebook_cell, notice
    from analysis.write.staging import Staging

    cfg = _load(study)
    s = Study(cfg)
    nb_dir = folder if folder is not None else cfg.root / "notebooks"
    paths = nbs.notebook_paths(nb_dir)
    if not paths:
        console.print(error_line(f"no notebooks NN-*.ipynb in {nb_dir}"), highlight=False)
        raise typer.Exit(2)
    out_dir = s.reports_dir / "notebooks"
    _now.outputs = {"paths.reports": out_dir}  # the copies are staged: all or none replaced
    kernel = _guard(nbs.kernel_for_this_python, "finding the notebook kernel")
    # relative to the notebooks' working directory (their folder), as the notebooks' own
    # default: the executed copies may be shared and show no absolute path of this machine
    # the study file where it is (a linked one where its link is), as the command loads it
    from analysis.studyfile.config import study_location

    parameters = {"study_path": _relative_to(study_location(study), nb_dir), "pdf": pdf}
    _now.stage = "notebooks"
    staging = Staging({"paths.reports": out_dir})
    try:  # an error or Ctrl-C leaves the copies of the last run as they were
        with (
            tempfile.TemporaryDirectory(prefix="retro-notebooks-") as tmp,
            _progress(f"{len(paths)} notebooks"),
        ):
            _guard(staging.open)
            runs = nbs.execute_notebooks(
                nbs.longest_first(paths),
                staging.staged("paths.reports"),
                parameters=parameters,
                kernel=kernel,
                ard_dir=Path(tmp),
                jobs=jobs or default_processes(),
                meanwhile=lambda: _clean_then(s, "notebooks"),
                first_cell=notebook_cell(notice(cfg)) if is_synthetic(cfg) else None,
                root=cfg.root,
            )
        table = Table("notebook", "seconds", "ARD rows", "equal to the package", title="Notebooks")
        failed, cut = 0, []
        for path in paths:
            run = runs[path.stem]
            problems = list(run.errors) or (
                [] if run.ok else [f"did not finish: {_last_line(run.log) or run.returncode}"]
            )
            rows = len(run.ard) if run.ard is not None else 0
            if problems:
                verdict = "NO: " + "; ".join(problems)
            else:
                checked = check_notebook(run.name, run.ard, s)
                problems, verdict = list(checked.problems), checked.verdict
            failed += bool(problems)
            if len(verdict) > 300:  # said whole below the table
                cut.append(Text(f"{path.name}: {verdict}"))
                verdict = verdict[:300] + "…"
            table.add_row(Text(path.name), f"{run.seconds:.1f}", str(rows), verdict)
        out.print(table)
        if failed:
            kept = _keep_failed_copies(staging, out_dir.with_name("notebooks-failed"))
            out.print(
                f"executed notebooks of this failed run (with outputs): {kept}; those of the "
                f"last run that passed, unchanged: {out_dir}"
            )
        else:
            _guard(staging.commit, "moving the executed notebooks into place")
            shutil.rmtree(out_dir.with_name("notebooks-failed"), ignore_errors=True)  # stale
            out.print(f"executed notebooks (with outputs): {out_dir}")
        for line in cut:
            console.print(line, highlight=False)
        if failed:
            _print_notebook_failures([runs[p.stem] for p in paths if not runs[p.stem].ok])
            raise typer.Exit(1)
    except typer.Exit:  # the verdict given: the copies are where it said
        raise
    except Exception:  # the study failed (its cleaning, say): the copies show where, too
        _keep_failed_copies(staging, out_dir.with_name("notebooks-failed"))
        raise
    finally:
        staging.discard()


def _keep_failed_copies(staging, folder: Path) -> Path:  # noqa: ANN001 - Staging
    """The executed copies of a failed ``retro notebooks`` moved from ``staging`` to ``folder``
    (those of an earlier failed run replaced): they show where a notebook failed, while the
    copies of the last run that passed, the ones to share, stay as they were."""
    shutil.rmtree(folder, ignore_errors=True)
    try:
        os.replace(staging.staged("paths.reports"), folder)
    except OSError as exc:  # none written (the staging folder not made), or no room
        console.print(warning_line(f"the executed copies could not be kept in {folder}: {exc}"))
    staging.discard()
    return folder


def _print_notebook_failures(runs: list) -> None:  # noqa: ANN001 - NotebookRun
    """Each failed notebook's errors, whole (the table cuts them); the kernels' logs
    (papermill's traceback, what the kernels printed) go to the error log, not the terminal."""
    from analysis.run.cli_errors import _write_error_log

    if not runs:
        return
    for run in runs:
        said = list(run.errors) or [_last_line(run.log) or f"exit status {run.returncode}"]
        for line in said:
            console.print(Text(f"{run.name}.ipynb: {line}"), highlight=False)
    logs = "".join(f"--- {run.name}.ipynb\n{run.log}\n" for run in runs)
    path = _write_error_log(logs)
    if path is not None:
        console.print(Text(f"the kernels' logs (with papermill's traceback): {path}"))


def _last_line(log: str) -> str:
    """The last line of a log that is not blank (papermill's exception, when it did not finish)."""
    return next((line for line in reversed(log.splitlines()) if line.strip()), "")


@app.command()
@_command("report")
def report(study: StudyArg, suppress_below: SuppressOpt = None, jobs: RunJobsOpt = None) -> None:
    """Write report.html, report.pdf and tables.docx (runs the stages they need)."""
    _say_jobs_unused(jobs)
    _run_all(study, suppress_below=suppress_below, command="retro report")


EngineOpt = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="Where the counts run, over the study file's `engine.backend`: duckdb (in-process) "
        "or spark (the file's engine.master and engine.conf, default local[*]; docs/spark.md).",
    ),
]


@app.command()
@_command("run")
def run(
    study: StudyArg,
    suppress_below: SuppressOpt = None,
    jobs: RunJobsOpt = None,
    engine: EngineOpt = None,
) -> None:
    """Run every stage in order: clean, tables, figures, report (HTML, PDF, DOCX, claims check),
    manifest. A failing stage stops the run with the stage named; nothing is skipped silently."""
    _say_jobs_unused(jobs)
    _run_all(study, suppress_below=suppress_below, command="retro run", engine=engine)


def _relative_to(path: Path, folder: Path) -> str:
    """``path`` (absolute, its links resolved as they should be) relative to ``folder`` (POSIX
    form, ``../`` allowed); absolute when no relative path exists (another drive on
    Windows)."""
    try:
        return Path(os.path.relpath(path, folder.resolve())).as_posix()
    except ValueError:
        return str(path)


def _say_jobs_unused(jobs: int | None) -> None:
    """A note that ``--jobs`` changes nothing for ``run``/``report`` (kept for old scripts)."""
    if jobs is not None:
        console.print(
            "note: --jobs has no effect on this command (it writes its outputs one stage after "
            "another; side by side was measured no faster) and can be left out.",
            highlight=False,
        )


def _run_all(
    study: Path, *, suppress_below: int | None, command: str, engine: str | None = None
) -> None:
    """Run every stage of ``study``; ``command`` (``retro run``) is completed with the study
    file's path and the options for the manifest and the report's provenance."""
    from analysis.clean.outputs import validation_report
    from analysis.privacy import shareable_path
    from analysis.run.outputs import run_study
    from analysis.run.study import Study, with_backend

    loaded = _load(study)
    # the study file as the manifest and the report show it: relative to the project folder,
    # whatever the working directory or the path typed (no absolute path of this machine)
    command += f" {shareable_path(study, loaded.root)}"
    if suppress_below is not None:
        command += f" --suppress-below {suppress_below}"
    if engine is not None:
        command += f" --engine {engine}"
        loaded = _guard(lambda: with_backend(loaded, engine), "reading the study file")
    s = Study(loaded)
    cfg = s.config  # while the outputs are written, s.config points to staging folders
    _folders(cfg, "processed", "reports")
    clock = Clock()
    with _progress("run") as say:

        def on_stage(stage: str) -> None:
            if stage == "written":  # every output is in place
                _mark_written()
                return
            if stage == "tables":  # the cleaning is done: its summary first
                _now.stage = "clean summary"
                print_clean_summary(s.clean, validation_report(s.clean), cfg, staged=True)
            _now.stage = stage
            say(stage)
            clock.start(stage)

        made = run_study(
            s,
            command=command,
            suppress_below=suppress_below,
            write_clean=True,
            on_stage=on_stage,
        )  # a JobFailed names the failed stage (see _command)
    clock.stop()
    _now.stage = "claims check"
    out.print(f"tables: {len(s.tables)} tables, {len(s.ard)} ARD rows")
    out.print(f"figures: {len(made.figures)}")
    if s.config.engine.backend != "duckdb":
        rows = ", ".join(f"{what} {n:,}" for what, n in s.engine.collected) or "none"
        out.print(f"engine: spark; per-patient rows collected to the driver: {rows}")
    for p in [*made.report, made.manifest]:
        out.print(f"wrote {p}")
    if suppress_below and suppress_below > len(s.clean.patients):
        out.print(
            warning_line(
                f"--suppress-below {suppress_below} is more than the "
                f"{len(s.clean.patients)} patients analysed: every count is withheld."
            ),
            highlight=False,
        )
    if suppress_below:
        from analysis.report.withheld import leftovers_warning, unsuppressed_leftovers

        stale = unsuppressed_leftovers(s.reports_dir, made.all())
        if stale:
            text = leftovers_warning(stale, s.reports_dir, suppress_below)
            out.print(warning_line(text), highlight=False)
    print_claims_summary(s)
    out.print(clock.summary())


def main() -> None:  # pragma: no cover - console entry point
    """The ``retro`` console script: runs the command, then leaves without the interpreter's
    teardown (freeing every module and object of a run took ~1 s, a sixth of what ``retro
    run`` then spends after its imports). Every output file is closed by then; streams are
    flushed here."""
    import os

    from typer._click import exceptions  # Typer's own copy of click

    from analysis.run.memory import keep_freed_memory

    keep_freed_memory()  # large runs: no page faults for every big temporary column (memory.py)
    try:
        # not standalone: an exit status is returned instead of calling sys.exit
        result = app(prog_name="retro", standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except exceptions.ClickException as exc:  # usage errors, printed as Typer would
        exc.show()
        code = exc.exit_code
    except (typer.Abort, KeyboardInterrupt):  # Ctrl-C outside a command (while parsing)
        console.print("retro: interrupted (Ctrl-C); nothing was written.", highlight=False)
        code = 130
    except SystemExit as exc:  # e.g. output piped into a program that stopped reading
        code = exc.code if isinstance(exc.code, int) else 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
