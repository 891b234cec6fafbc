"""Rerun a study's notebooks and check their numbers: what ``retro notebooks`` does.

Over 400 lines as one job: running, checking and cleaning the executed copies belong together
(a copy is shared only once its numbers are checked and its machine details removed).

Each ``notebooks/NN-*.ipynb`` is executed with papermill in its own kernel (working directory
``notebooks/``, as in JupyterLab), with its ``study_path`` parameter set to the study file and
``ard_out`` set so that it writes the analysis-results rows of the tables it shows. Those rows
must equal the rows of the same tables computed by the package directly (``Study(config).ard``,
what ``retro tables`` writes). Executed copies, with their outputs, are kept for reviewers; the
text of an error is withheld from them (it can quote raw values) and printed in the terminal.
Notebooks run side by side, one per core by default.

The notebooks show what the study's plan holds: :func:`plan_tables` names its tables of given
kinds and :func:`plan_figures` its figures of given kinds, each with the table it illustrates.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis.ard import concat_ard, key_columns, published
from analysis.privacy import withhold_error_text
from analysis.run.papermill_tries import executed
from analysis.run.parallel import fork_available
from analysis.write.atomic import write_atomic

if TYPE_CHECKING:
    from analysis.run.study import Study
    from analysis.studyfile.config import StudyConfig
    from analysis.tables.render import TableResult

KERNEL_NAME = "python3"
FALLBACK_KERNEL_NAME = "retro-analysis"
#: Relative and absolute tolerance between a notebook's numbers and the package's.
TOLERANCE = 1e-12


@dataclass(frozen=True)
class NotebookRun:
    """One executed notebook."""

    name: str
    output: Path  # the executed copy, with its outputs
    returncode: int
    log: str
    errors: tuple[str, ...]  # "cell N: Error: message" for every error output (N: see cell_errors)
    ard: pd.DataFrame | None  # the rows written to ``ard_out``
    seconds: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.errors


def notebook_paths(folder: Path) -> list[Path]:
    """The numbered notebooks ``NN-*.ipynb`` of ``folder``, in order."""
    return sorted(folder.glob("[0-9][0-9]-*.ipynb"))


def _runs_this_python(argv: list[str]) -> bool:
    """True when a kernelspec command starts this interpreter (jupyter_client replaces a bare
    ``python``/``python3`` by the interpreter that starts the kernel)."""
    exe = argv[0] if argv else ""
    if exe in {"python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}"}:
        return True
    return Path(exe).absolute().parent == Path(sys.executable).absolute().parent


def kernel_for_this_python() -> str:
    """A kernelspec name that runs this environment's Python, installed into the environment
    (``--sys-prefix``) when ``python3`` is missing or would start another interpreter."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        if _runs_this_python(spec.argv):
            return KERNEL_NAME
        name = FALLBACK_KERNEL_NAME
    except NoSuchKernel:
        name = KERNEL_NAME
    subprocess.run(
        [sys.executable, "-m", "ipykernel", "install", "--sys-prefix", "--name", name],
        check=True,
        capture_output=True,
    )
    spec = KernelSpecManager().get_kernel_spec(name)
    if not _runs_this_python(spec.argv):
        raise RuntimeError(f"kernelspec {name!r} starts {spec.argv[0]!r}, not {sys.executable}")
    return name


def execute_notebook(
    path: Path,
    out_dir: Path,
    *,
    parameters: dict[str, Any] | None = None,
    kernel: str = KERNEL_NAME,
    ard_dir: Path | None = None,
    timeout: float = 900,
    first_cell: str | None = None,
    root: Path | None = None,
) -> NotebookRun:
    """Execute ``path`` with papermill into ``out_dir/<name>.ipynb`` (working directory: the
    notebook's folder; ``timeout`` seconds per cell). ``ard_out`` is set to
    ``<ard_dir or out_dir>/<name>.ard.parquet`` when the notebook declares it; ``parameters``
    the notebook does not declare are not passed. Runs papermill in this process (its kernel is
    a child process); what the kernel prints goes to the run's ``log``, not to this terminal.
    ``first_cell``: markdown put before the first cell of the executed copy (the mark of a
    synthetic study, ``analysis.synthetic.notebook_cell``); cell numbers in ``errors`` are
    those of the notebook as written. The executed copy is made shareable and repeatable by
    :func:`strip_machine_details` (paths relative to ``root``, the project folder; default the
    parent of the notebook's folder). When papermill fails before the kernel ran any cell (a
    kernel that died at start), the notebook is executed again (``papermill_tries``); the
    ``log`` says so."""
    import nbformat
    import papermill

    name = path.stem
    out_dir.mkdir(parents=True, exist_ok=True)
    out_nb = out_dir / f"{name}.ipynb"
    ard_out = (ard_dir or out_dir) / f"{name}.ard.parquet"
    # papermill writes its copy as the cells run, with this machine's paths and times: outside
    # the shareable folder, which gets the stripped copy whole (an interrupted run left the
    # in-progress copy there)
    work = Path(tempfile.mkdtemp(prefix=f"retro-{name}-", dir=ard_dir))
    running = work / f"{name}.ipynb"
    declared = papermill.inspect_notebook(str(path))
    wanted = {"ard_out": str(ard_out), **(parameters or {})}
    # papermill writes the values into the notebook as JSON: paths as text
    wanted = {k: os.fspath(v) if isinstance(v, os.PathLike) else v for k, v in wanted.items()}
    ard_out.unlink(missing_ok=True)
    start = time.perf_counter()
    try:
        returncode, log = executed(
            path,
            running,
            parameters={k: v for k, v in wanted.items() if k in declared},
            kernel=kernel,
            timeout=timeout,
        )
        seconds = time.perf_counter() - start
        notebook = nbformat.read(running, as_version=4) if running.is_file() else None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    errors = cell_errors(notebook) if notebook is not None else ()
    if notebook is None and returncode == 0:
        errors = ("papermill wrote no notebook",)
    # the copy kept for reviewers: without raw values, without paths of this machine, times
    # or temporary files, and saying when the data are synthetic
    if notebook is not None:
        withhold_error_text(notebook)
        strip_machine_details(notebook, root=root if root is not None else path.parent.parent)
        if first_cell:
            notebook.cells.insert(0, nbformat.v4.new_markdown_cell(first_cell, id="first-cell"))
        write_atomic(out_nb, lambda p: nbformat.write(notebook, p))
    return NotebookRun(
        name=name,
        output=out_nb,
        returncode=returncode,
        log=log[-4000:],
        errors=errors,
        ard=pd.read_parquet(ard_out) if ard_out.is_file() else None,
        seconds=seconds,
    )


#: Tags of the cells papermill adds to the executed copy: its parameters, and the two marks of
#: a cell that raised (one at the top, one before that cell).
PAPERMILL_CELLS = ("injected-parameters", "papermill-error-cell-tag")


def cell_errors(notebook: Any) -> tuple[str, ...]:
    """``"cell N: Error: message"`` for every error output of an executed notebook, N the
    place of the cell in the notebook as written, counted from 1 with its markdown cells (the
    order of its ``# %%`` cells in the paired ``.py``): the cells papermill added
    (:data:`PAPERMILL_CELLS`) are not counted. ``In [n]`` would count the parameters cell
    papermill runs, and only the code cells that ran."""
    written = [
        cell
        for cell in notebook.cells
        if not set(cell.metadata.get("tags", ())) & set(PAPERMILL_CELLS)
    ]
    return tuple(
        f"cell {i}: {out.get('ename')}: {out.get('evalue')}"
        for i, cell in enumerate(written, start=1)
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    )


def execute_notebooks(
    paths: Sequence[Path],
    out_dir: Path,
    *,
    parameters: dict[str, Any] | None = None,
    kernel: str = KERNEL_NAME,
    ard_dir: Path | None = None,
    jobs: int = 2,
    meanwhile: Callable[[], object] | None = None,
    first_cell: str | None = None,
    root: Path | None = None,
) -> dict[str, NotebookRun]:
    """Execute notebooks ``jobs`` at a time, each in a worker process (and its own kernel),
    taking the next notebook as one ends: longest first when the order is given that way.
    The workers are forked from this process after papermill is imported (~3 s, once instead
    of once per notebook). ``meanwhile`` runs in this process during the executions (e.g.
    computing the numbers to compare with). ``first_cell`` and ``root`` as for
    :func:`execute_notebook`.
    Returns runs by notebook name, in the order of ``paths``."""
    import papermill  # noqa: F401 - imported once here, inherited by the forked workers

    ctx = mp.get_context("fork") if fork_available() else None
    workers = max(1, min(jobs, len(paths)))
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_quiet_on_ctrl_c) as pool:
        futures = {
            p.stem: pool.submit(
                execute_notebook,
                p,
                out_dir,
                parameters=parameters,
                kernel=kernel,
                ard_dir=ard_dir,
                first_cell=first_cell,
                root=root,
            )
            for p in paths
        }
        try:
            if meanwhile is not None:
                meanwhile()
            return {name: f.result() for name, f in futures.items()}
        except KeyboardInterrupt:  # Ctrl-C to this process alone: the workers stop too
            _stop_workers(pool)
            raise


#: Parameters whose value is a temporary file of the command that executed the notebook: left
#: out of the executed copy (its value is a random path of this machine, and a rerun of the
#: copy by a reviewer should not write there).
TEMPORARY_PARAMETERS = ("ard_out",)
#: Times papermill and the kernel record per cell and per notebook (nbformat's ``execution``
#: metadata; papermill's ``start_time``, ``end_time``, ``duration``).
_TIMES = ("start_time", "end_time", "duration")
#: The memory address in a default repr (``object.__repr__``).
_ADDRESS = re.compile(r" (?:object )?at 0x[0-9a-fA-F]+>")


def strip_machine_details(notebook: Any, *, root: Path) -> None:
    """Make an executed notebook (an ``nbformat`` node, changed in place) fit to share and
    byte-identical between reruns: papermill's ``input_path`` and ``output_path`` relative to
    ``root`` (``analysis.privacy.shareable_path``), execution times removed (``None`` in
    papermill's fields, which it uses for a cell that did not run), and the
    :data:`TEMPORARY_PARAMETERS` left out of the parameters cell papermill injected and of its
    record of the parameters; the memory address of a default repr (``<... at 0x7f...>``) and
    the random id papermill gives the parameters cell replaced by fixed text; the file a
    warning printed to a stream names, the kernel's temporary file of a cell or a path of this
    machine, shown as ``<cell>`` or relative to ``root`` (:func:`_warned_at`). The outputs are
    otherwise left as the kernel wrote them: what a notebook prints is its own (the shipped
    notebooks print paths relative to the project folder)."""
    from analysis.privacy import shareable_path

    meta = notebook.metadata.get("papermill")
    if meta is not None:
        for key in ("input_path", "output_path"):
            if meta.get(key):
                meta[key] = shareable_path(meta[key], root)
        meta.update(dict.fromkeys(_TIMES))
        for key in TEMPORARY_PARAMETERS:
            meta.get("parameters", {}).pop(key, None)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        if "papermill" in cell.metadata:
            cell.metadata["papermill"].update(dict.fromkeys(_TIMES))
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and isinstance(out.get("text"), str):
                out["text"] = _warned_at(out["text"], root)
            plain = out.get("data", {}).get("text/plain")
            if isinstance(plain, str):  # a default repr: ``<pandas...Styler at 0x7f93...>``
                out["data"]["text/plain"] = _ADDRESS.sub(">", plain)
        if "injected-parameters" in cell.metadata.get("tags", ()):
            cell.id = "injected-parameters"  # papermill gives it a random id
            cell.source = "\n".join(
                f"# {line.split('=')[0].strip()}: a temporary file, left out of this copy"
                if line.split("=")[0].strip() in TEMPORARY_PARAMETERS
                else line
                for line in cell.source.split("\n")
            )


#: The place a Python warning names at the start of its line (``warnings.formatwarning``):
#: ``/tmp/ipykernel_25563/1223359802.py:2: UserWarning: ...``
_WARNED_AT = re.compile(r"^(?P<path>/[^\n]*?\.py):(?P<line>\d+): (?=[A-Za-z_]*Warning: )", re.M)
#: The file the kernel gives a cell's code: a random name in a temporary folder
_CELL_FILE = re.compile(r"/ipykernel_\d+/\d+\.py$")


def _warned_at(text: str, root: Path) -> str:
    """A stream's text with the file of each warning's line as a shared copy may show it: a
    cell's code as ``<cell>`` (its temporary file has the kernel's process id in its name),
    another file as :func:`analysis.privacy.shareable_path` gives it."""
    from analysis.privacy import shareable_path

    def place(m: re.Match[str]) -> str:
        path = m["path"]
        shown = "<cell>" if _CELL_FILE.search(path) else shareable_path(path, root)
        return f"{shown}:{m['line']}: "

    return _WARNED_AT.sub(place, text)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Interrupt the workers of ``pool`` (each ends at once on SIGINT, its kernel with it) and
    cancel the notebooks not started: an interrupt that reached only this process (``kill
    -INT``, ``timeout -s INT``) waited for every notebook to finish."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # before shutdown
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive() and process.pid is not None:
            os.kill(process.pid, signal.SIGINT)


def _quiet_on_ctrl_c() -> None:
    """A worker ends at once and silently on Ctrl-C (``retro notebooks`` says it stopped),
    instead of printing the traceback of the notebook it was running."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def ard_differences(
    got: pd.DataFrame, expected: pd.DataFrame, *, tolerance: float = TOLERANCE
) -> list[str]:
    """Why ``got`` is not the same analysis-results rows as ``expected`` (empty when it is):
    same columns, same keys, values equal to ``tolerance`` (relative and absolute). Both are
    compared as published (``analysis.ard.published``: without the builders' ``group`` key)."""
    got, expected = published(got), published(expected)
    if list(got.columns) != list(expected.columns):
        return [f"columns are {list(got.columns)}, expected {list(expected.columns)}"]
    keys = [*key_columns(got), "method"]  # identify a row; ``value`` is compared

    def ordered(ard: pd.DataFrame) -> pd.DataFrame:
        return ard.sort_values([*keys, "value"], kind="mergesort", na_position="last")

    a, b = ordered(got).reset_index(drop=True), ordered(expected).reset_index(drop=True)
    if len(a) != len(b):
        return [f"{len(a)} rows, the package computes {len(b)}"]
    keys_differ = (a[keys] != b[keys]).any(axis=1)
    if keys_differ.any():
        first = a.loc[keys_differ, keys].head(3).to_dict("records")
        return [f"{int(keys_differ.sum())} rows have other keys, e.g. {first}"]
    x, y = a["value"].to_numpy(float), b["value"].to_numpy(float)
    close = np.isclose(x, y, rtol=tolerance, atol=tolerance, equal_nan=True)
    if close.all():
        return []
    shown = a.loc[~close].assign(package=y[~close]).head(5)
    return [f"{int((~close).sum())} values differ, e.g.\n{shown.to_string()}"]


def expected_rows(tables: Mapping[str, TableResult], notebook_ard: pd.DataFrame) -> pd.DataFrame:
    """The package's rows of the tables a notebook wrote (each table built if not yet)."""
    names = list(dict.fromkeys(notebook_ard["table"]))
    unknown = [n for n in names if n not in tables]
    if unknown:
        raise KeyError(f"the notebook wrote rows of {unknown}, which are not tables of the study")
    return concat_ard(tables[n].frame for n in names)


def plan_tables(config: StudyConfig, *kinds: str) -> list[str]:
    """Names of the tables of the study's plan (``effective_plan``) whose kind is one of
    ``kinds``, in plan order."""
    from analysis.studyfile.plan_defaults import effective_plan

    return [name for name, spec in effective_plan(config).tables.items() if spec.kind in kinds]


def plan_figures(config: StudyConfig, *kinds: str) -> dict[str, str | None]:
    """Stems of the figures of the study's plan whose kind is one of ``kinds``, in plan order,
    each with the name of the table it illustrates (``None`` for a figure of no table): the
    table it is drawn from (``ae_*``, ``forest``), or the ``time_to_event`` / ``response``
    table of the same columns (``km``, ``response_bars``)."""
    from analysis.figures.study_figures import figure_specs
    from analysis.studyfile.plan import (
        KmFigure,
        ResponseBarsFigure,
        ResponseTable,
        TimeToEventTable,
    )
    from analysis.studyfile.plan_defaults import effective_plan

    tables = effective_plan(config).tables

    def illustrated(spec: object) -> str | None:
        table = getattr(spec, "table", None)
        if isinstance(table, str):
            return table
        for name, t in tables.items():
            if (
                isinstance(spec, KmFigure)
                and isinstance(t, TimeToEventTable)
                and (t.time, t.event, t.by) == (spec.time, spec.event, spec.by)
            ) or (
                isinstance(spec, ResponseBarsFigure)
                and isinstance(t, ResponseTable)
                and (t.by, t.within) == (spec.by, spec.within)
            ):
                return name
        return None

    return {
        stem: illustrated(spec) for stem, spec in figure_specs(config).items() if spec.kind in kinds
    }


def display_figures(study: Study, stems: Sequence[str]) -> None:
    """Display the plan's figures ``stems`` in Jupyter, drawn as in the report
    (``draw_figures``), each followed by its caption."""
    from IPython.display import Markdown, display

    from analysis.figures.study_figures import draw_figures, figure_caption, figure_specs
    from analysis.figures.theme import figure_theme

    specs = figure_specs(study.config)
    with figure_theme():  # rendered for display under the same theme as drawn
        for stem, fig in draw_figures(study, stems).items():
            caption = figure_caption(study.config, specs[stem])
            display(fig, Markdown(f"*Figure `{stem}`.* {caption}"))


def display_tables(
    study: Study, names: Sequence[str], *, figures: Mapping[str, str | None] | None = None
) -> None:
    """Display the tables ``names`` in Jupyter (each with its title and footnotes), each
    followed by the figures of ``figures`` (stem -> table, as :func:`plan_figures` gives)
    drawn from it."""
    from IPython.display import Markdown, display

    for name in names:
        display(Markdown(f"### Table `{name}`"), study.tables[name])
        display_figures(study, [stem for stem, table in (figures or {}).items() if table == name])


def longest_first(paths: Sequence[Path]) -> list[Path]:
    """The report notebook (it declares ``reports_dir``) first, then the others in order, so
    that the longest run starts first when notebooks run side by side."""
    import papermill

    def writes_report(p: Path) -> bool:
        return "reports_dir" in papermill.inspect_notebook(str(p))

    return sorted(paths, key=lambda p: (not writes_report(p), p.name))
