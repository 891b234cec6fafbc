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
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat
import pandas as pd
import pytest

from analysis.notebooks import NotebookRun, ard_differences, execute_notebooks, longest_first
from tests.conftest import REFERENCE_STUDY, REPO

pytestmark = pytest.mark.notebooks

NB_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(NB_DIR.glob("[0-9][0-9]-*.ipynb"))
ALL_TABLES = "all"
# The tables each notebook shows, hence writes to ``ard_out`` (06 shows the whole report).
SHOWN: dict[str, tuple[str, ...] | str] = {
    "01-cleaning": (),
    "02-baseline": ("baseline_sex", "baseline_therapy_group"),
    "03-adverse-events": ("ae_incidence", "ae_severity", "ae_by_exposure", "ae_duration"),
    "04-response": ("response", "po_model", "logistic_any_ae", "logistic_pain"),
    "05-time-to-event": ("time_to_discontinuation",),
    "06-report": ALL_TABLES,
}
DEFAULT_STUDY_PATH = "../studies/dutasteride_mesotherapy.yaml"
TOLERANCE = 1e-12  # the package's default, stated here so the test says what it checks


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
    parameters: dict[str, object] = {
        # the report notebook writes under tmp, never into the real reports/<study>/
        "reports_dir": out_dir / "06-report-reports",
        # report.pdf is seconds of WeasyPrint; its rendering is tested in tests/unit/test_report.py
        "pdf": False,
    }
    computed: list[Reference] = []

    def reference() -> None:
        clean = request.getfixturevalue("reference_clean")
        computed.append(_reference(clean, reference_config, out_dir))

    runs = execute_notebooks(
        longest_first(NOTEBOOKS),
        out_dir,
        parameters=parameters,
        kernel=kernel_name,
        jobs=max(2, os.cpu_count() or 2),
        meanwhile=reference,
    )
    return runs, computed[0]


def _texts(run: NotebookRun) -> list[str]:
    """Every text output of the executed notebook (streams, text/plain, html, markdown)."""
    assert run.output.is_file(), f"{run.name} did not run:\n{run.log}"
    texts = []
    for cell in nbformat.read(run.output, as_version=4).cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                texts.append(out.get("text", ""))
            for mime, value in out.get("data", {}).items():
                if mime.startswith("text/"):
                    texts.append(value if isinstance(value, str) else "".join(value))
    return texts


def _assert_same_ard(got: pd.DataFrame, expected: pd.DataFrame, name: str) -> None:
    problems = ard_differences(got, expected, tolerance=TOLERANCE)
    assert not problems, f"{name}: " + "; ".join(problems)


@pytest.mark.parametrize("name", sorted(SHOWN))
def test_notebook_executes_without_errors(executed, name: str):
    runs, _ = executed
    run = runs[name]
    assert run.ok, f"{name}: {run.errors}\n{run.log}"


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
    reports_dir = run.output.parent / "06-report-reports"
    assert reports_dir.is_dir(), "06-report did not honour its `reports_dir` parameter"
    for name in ("report.html", "tables.docx", "manifest.json", "claims_check.csv"):
        assert (reports_dir / name).is_file(), name
    assert not (reports_dir / "report.pdf").exists(), "pdf=False was not honoured"
    figures = reports_dir / "figures"
    assert sorted(p.suffix for p in figures.glob("flow_diagram.*")) == [".pdf", ".png", ".svg"]
    claims = pd.read_csv(reports_dir / "claims_check.csv")
    assert len(claims) and claims["passed"].astype(bool).all(), claims.loc[~claims["passed"]]
    shown = f"claims check: {len(claims)}/{len(claims)} reproduced"
    assert any(shown in t for t in _texts(run)), shown
