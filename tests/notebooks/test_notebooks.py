"""The notebooks: committed clean and paired, executed end to end, numbers equal to the CLI's.

Every ``notebooks/NN-*.ipynb`` is executed with papermill (working directory ``notebooks/``,
as in JupyterLab and nbmake) into a temporary notebook, with ``ard_out`` set so it writes the
analysis-results rows of the tables it shows; those rows must equal the rows of the same tables
that ``retro tables`` computes and writes to ``reports/<study>/ard.parquet``
(``build_tables(config, clean_study(config))`` -> ``study_ard`` -> ``write_parquet``). The six
notebooks run in parallel, each in its own kernel, while the reference is computed here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat
import numpy as np
import pandas as pd
import pytest

from tests.conftest import REFERENCE_STUDY, REPO

pytestmark = pytest.mark.notebooks

NB_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(NB_DIR.glob("[0-9][0-9]-*.ipynb"))
ALL_TABLES = "all"
# The tables each notebook shows, hence writes to ``ard_out`` (06 shows the whole report).
SHOWN: dict[str, tuple[str, ...] | str] = {
    "01-cleaning": (),
    "02-baseline": ("baseline_sex", "baseline_therapy_group"),
    "03-adverse-events": ("ae_incidence", "ae_severity", "ae_by_session", "ae_duration"),
    "04-response": ("response", "po_model", "logistic_any_ae", "logistic_pain"),
    "05-time-to-event": ("time_to_discontinuation",),
    "06-report": ALL_TABLES,
}
DEFAULT_STUDY_PATH = "../studies/dutasteride_mesotherapy.yaml"
KEYS = ["table", "variable", "level", "group", "stat", "method"]
TOLERANCE = 1e-12


def _ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


# --------------------------------------------------------------------------- committed files
def test_every_notebook_is_listed_with_its_tables():
    assert [p.stem for p in NOTEBOOKS] == sorted(SHOWN), (
        "add each new notebook to SHOWN with the tables it displays"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_committed_notebook_has_no_outputs(path: Path):
    nb = nbformat.read(path, as_version=4)
    dirty = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not dirty, (
        f"{path.name}: cells {dirty} carry outputs or execution counts; clear them "
        f"(`.venv/bin/jupyter nbconvert --clear-output --inplace notebooks/{path.name}`)"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_has_a_parameters_cell(path: Path):
    import papermill

    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0].cell_type == "code", path.name
    params = papermill.inspect_notebook(str(path))
    assert params["study_path"]["default"] == f'"{DEFAULT_STUDY_PATH}"'
    assert params["ard_out"]["default"] == '""'
    assert (NB_DIR / DEFAULT_STUDY_PATH).resolve() == REFERENCE_STUDY.resolve()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_paired_py_percent_file_is_in_sync(path: Path):
    twin = path.with_suffix(".py")
    assert twin.is_file(), f"{twin.name} missing; run `.venv/bin/jupytext --sync {path}`"
    py = jupytext.read(twin)
    ipynb = nbformat.read(path, as_version=4)

    def cells(nb: nbformat.NotebookNode) -> list[tuple[str, str, list[str]]]:
        return [(c.cell_type, c.source, list(c.metadata.get("tags", []))) for c in nb.cells]

    assert cells(py) == cells(ipynb), (
        f"{path.name} and {twin.name} differ; run `.venv/bin/jupytext --sync notebooks/*.py`"
    )
    text_repr = py.metadata["jupytext"]["text_representation"]
    assert text_repr["format_name"] == "percent", f"{twin.name} is not py:percent"


# --------------------------------------------------------------------------- execution
@dataclass(frozen=True)
class Run:
    """One executed notebook."""

    name: str
    returncode: int
    log: str
    notebook: nbformat.NotebookNode | None
    ard: pd.DataFrame | None
    reports_dir: Path | None
    seconds: float


def _execute(path: Path, out_dir: Path, kernel: str) -> Run:
    import papermill

    name = path.stem
    ard_out = out_dir / f"{name}.ard.parquet"
    out_nb = out_dir / f"{name}.ipynb"
    args = ["-p", "ard_out", str(ard_out)]
    reports = None
    declared = papermill.inspect_notebook(str(path))
    if "reports_dir" in declared:
        # write the report under tmp, never into the real reports/<study>/
        reports = out_dir / f"{name}-reports"
        args += ["-p", "reports_dir", str(reports)]
    if "pdf" in declared:
        # report.pdf is ~10 s of WeasyPrint; its rendering is tested in tests/unit/test_report.py
        args += ["-p", "pdf", "False"]
    cmd = [sys.executable, "-m", "papermill", str(path), str(out_nb), "-k", kernel,
           "--cwd", str(NB_DIR), "--no-progress-bar", "--log-level", "WARNING", *args]  # fmt: skip
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=600)
    seconds = time.perf_counter() - start
    return Run(
        name=name,
        returncode=proc.returncode,
        log=(proc.stdout + proc.stderr)[-4000:],
        notebook=nbformat.read(out_nb, as_version=4) if out_nb.is_file() else None,
        ard=pd.read_parquet(ard_out) if ard_out.is_file() else None,
        reports_dir=reports,
        seconds=seconds,
    )


@dataclass(frozen=True)
class Reference:
    """What ``retro tables`` computes for the reference study."""

    tables: dict[str, pd.DataFrame]
    ard: pd.DataFrame
    accounting: pd.DataFrame
    patient_ids: frozenset[str]


def _reference(clean, config, tmp: Path) -> Reference:
    from analysis.io import write_parquet
    from analysis.tables.study import build_tables, study_ard

    tables = build_tables(config, clean)
    # the same frame and writer as `retro tables` (write_tables -> reports/<study>/ard.parquet)
    ard = pd.read_parquet(write_parquet(study_ard(tables), tmp / "cli-ard.parquet"))
    ids = pd.concat(
        [t["patient_id"] for t in clean.tables.values()] + [clean.exclusions["patient_id"]]
    )
    return Reference(
        tables={name: t.frame for name, t in tables.items()},
        ard=ard,
        accounting=clean.accounting(),
        patient_ids=frozenset(str(x) for x in ids.dropna().unique()),
    )


@pytest.fixture(scope="module")
def executed(kernel_name, reference_config, tmp_path_factory, request):
    """Every notebook executed (in parallel), plus the CLI's numbers computed meanwhile."""
    out_dir = tmp_path_factory.mktemp("notebooks")
    # the report notebook is the longest: start it first
    order = sorted(NOTEBOOKS, key=lambda p: (SHOWN.get(p.stem) != ALL_TABLES, p.name))
    workers = max(2, os.cpu_count() or 2)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {p.stem: pool.submit(_execute, p, out_dir, kernel_name) for p in order}
        clean = request.getfixturevalue("reference_clean")
        reference = _reference(clean, reference_config, out_dir)
        runs = {name: f.result() for name, f in futures.items()}
    return runs, reference


def _errors(run: Run) -> list[str]:
    assert run.notebook is not None, f"{run.name} did not run:\n{run.log}"
    return [
        f"cell {i}: {out.get('ename')}: {out.get('evalue')}"
        for i, cell in enumerate(run.notebook.cells)
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]


def _texts(run: Run) -> list[str]:
    """Every text output of the executed notebook (streams, text/plain, html, markdown)."""
    assert run.notebook is not None
    texts = []
    for cell in run.notebook.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                texts.append(out.get("text", ""))
            for mime, value in out.get("data", {}).items():
                if mime.startswith("text/"):
                    texts.append(value if isinstance(value, str) else "".join(value))
    return texts


def _sorted(ard: pd.DataFrame) -> pd.DataFrame:
    return ard.sort_values([*KEYS, "value"], kind="mergesort", na_position="last").reset_index(
        drop=True
    )


def _assert_same_ard(got: pd.DataFrame, expected: pd.DataFrame, name: str) -> None:
    from analysis.ard import ARD_COLUMNS

    assert list(got.columns) == ARD_COLUMNS, name
    got, expected = _sorted(got), _sorted(expected)
    assert len(got) == len(expected), f"{name}: {len(got)} ARD rows, CLI has {len(expected)}"
    pd.testing.assert_frame_equal(got[KEYS], expected[KEYS], obj=f"{name} ARD keys")
    a, b = got["value"].to_numpy(float), expected["value"].to_numpy(float)
    close = np.isclose(a, b, rtol=TOLERANCE, atol=TOLERANCE, equal_nan=True)
    assert close.all(), (
        f"{name}: {int((~close).sum())} values differ from the CLI's, e.g.\n"
        f"{got.loc[~close].assign(cli=b[~close]).head(10).to_string()}"
    )


@pytest.mark.parametrize("name", sorted(SHOWN))
def test_notebook_executes_without_errors(executed, name: str):
    runs, _ = executed
    run = runs[name]
    errors = _errors(run)
    assert run.returncode == 0 and not errors, f"{name}: {errors}\n{run.log}"


@pytest.mark.parametrize("name", sorted(SHOWN))
def test_notebook_numbers_equal_the_cli(executed, name: str):
    runs, ref = executed
    run = runs[name]
    assert run.ard is not None, f"{name} wrote no ARD to ard_out:\n{run.log}"
    shown = SHOWN[name]
    if shown == ALL_TABLES:
        expected = ref.ard
    elif shown:
        expected = pd.concat([ref.tables[t] for t in shown], ignore_index=True)
    else:
        assert run.ard.empty, f"{name} shows no table but wrote {len(run.ard)} ARD rows"
        return
    _assert_same_ard(run.ard, expected, name)


@pytest.mark.parametrize("name", sorted(SHOWN))
def test_notebook_outputs_show_no_patient_id(executed, name: str):
    runs, ref = executed
    text = "\n".join(_texts(runs[name]))
    assert text, f"{name} has no text output"
    leaked = sorted(pid for pid in ref.patient_ids if pid in text)
    assert not leaked, f"{name} shows patient ids {leaked[:5]}"


def test_cleaning_notebook_accounts_for_every_row(executed):
    runs, ref = executed
    acc = ref.accounting
    line = (
        f"Rows read {acc['rows_read'].sum()} = kept {acc['kept'].sum()} + logged "
        f"{acc['logged'].sum()}: balanced"
    )
    assert bool(acc["balanced"].all())
    assert any(line in t for t in _texts(runs["01-cleaning"])), line


def test_report_notebook_writes_the_report_and_reproduces_the_claims(executed):
    runs, _ = executed
    run = runs["06-report"]
    assert run.reports_dir is not None, "06-report has no `reports_dir` parameter"
    for name in ("report.html", "tables.docx", "manifest.json", "claims_check.csv"):
        assert (run.reports_dir / name).is_file(), name
    assert not (run.reports_dir / "report.pdf").exists(), "pdf=False was not honoured"
    figures = run.reports_dir / "figures"
    assert sorted(p.suffix for p in figures.glob("flow_diagram.*")) == [".pdf", ".png", ".svg"]
    claims = pd.read_csv(run.reports_dir / "claims_check.csv")
    assert len(claims) and claims["passed"].astype(bool).all(), claims.loc[~claims["passed"]]
    shown = f"claims check: {len(claims)}/{len(claims)} reproduced"
    assert any(shown in t for t in _texts(run)), shown
