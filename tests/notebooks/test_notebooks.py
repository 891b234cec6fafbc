"""The notebooks: committed clean and paired, executed end to end on both shipped studies,
numbers equal to the CLI's.

Every ``notebooks/NN-*.ipynb`` is executed with papermill (working directory ``notebooks/``,
as in JupyterLab and nbmake) into a temporary notebook, once per shipped study (its
``study_path``), with ``ard_out`` set so it writes the analysis-results rows of the tables it
shows; those rows must equal the rows of the same tables that ``retro tables`` computes and
writes to ``reports/<study>/ard.parquet`` (``build_tables(config, clean_study(config))`` ->
``study_ard`` -> ``write_parquet``). A study's six notebooks run in parallel, each in its own
kernel, while the reference is computed here. The notebooks read what to show from the
study's plan; the tables each must show are written out here, per study.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat
import pandas as pd
import pytest

from analysis.ard import concat_ard, published
from analysis.run.notebooks import NotebookRun, ard_differences, execute_notebooks, longest_first
from tests.conftest import REFERENCE_STUDY, REPO

pytestmark = pytest.mark.notebooks

NB_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(NB_DIR.glob("[0-9][0-9]-*.ipynb"))
SECOND_STUDY = REPO / "studies" / "low_dose_oral_minoxidil.yaml"
STUDIES = {"dutasteride_mesotherapy": REFERENCE_STUDY, "low_dose_oral_minoxidil": SECOND_STUDY}
ALL_TABLES = "all"
# The tables each notebook shows, hence writes to ``ard_out`` (06 shows the whole report),
# and the figures it draws (file stems of the plan), per study.
SHOWN: dict[str, dict[str, tuple[str, ...] | str]] = {
    "dutasteride_mesotherapy": {
        "01-cleaning": (),
        "02-baseline": ("baseline_sex", "baseline_therapy_group"),
        "03-adverse-events": ("ae_incidence", "ae_severity", "ae_by_exposure", "ae_duration"),
        "04-response": ("response", "po_model", "logistic_any_ae", "logistic_pain"),
        "05-time-to-event": ("time_to_discontinuation", "time_to_discontinuation_cox"),
        "06-report": ALL_TABLES,
    },
    "low_dose_oral_minoxidil": {
        "01-cleaning": (),
        "02-baseline": ("baseline_sex", "discontinuation_reasons"),
        "03-adverse-events": (
            "ae_incidence",
            "ae_incidence_by_dose",
            "ae_discontinuation",
            "ae_severity",
        ),
        "04-response": ("logistic_any_ae",),
        "05-time-to-event": ("time_to_discontinuation", "time_to_discontinuation_cox"),
        "06-report": ALL_TABLES,
    },
}
DRAWN: dict[str, dict[str, tuple[str, ...]]] = {
    "dutasteride_mesotherapy": {
        "01-cleaning": ("flow_diagram",),
        "02-baseline": ("schedule_year1",),
        "03-adverse-events": ("ae_incidence", "ae_by_exposure"),
        "04-response": ("response_by_sex_therapy", "forest_response"),
        "05-time-to-event": ("km_discontinuation",),
    },
    "low_dose_oral_minoxidil": {
        "01-cleaning": ("flow_diagram",),
        "02-baseline": (),
        "03-adverse-events": ("ae_incidence",),
        "04-response": ("forest_any_ae",),
        "05-time-to-event": ("km_discontinuation",),
    },
}
# What a notebook says when the study's plan has nothing of its kind.
SAYS = {
    ("low_dose_oral_minoxidil", "04-response"): "This study has no response assessment",
    ("low_dose_oral_minoxidil", "02-baseline"): "This study's plan draws no schedule of dose",
}
# Words of one study that the notebooks' own text must not contain.
STUDY_WORDS = ("session", "mesotherapy", "dutasteride", "minoxidil")
DEFAULT_STUDY_PATH = "../studies/dutasteride_mesotherapy.yaml"
TOLERANCE = 1e-12  # the package's default, stated here so the test says what it checks
NAMES = sorted(SHOWN["dutasteride_mesotherapy"])


def _ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


# --------------------------------------------------------------------------- committed files
def test_every_notebook_is_listed_with_its_tables():
    for study in STUDIES:
        assert [p.stem for p in NOTEBOOKS] == sorted(SHOWN[study]), (
            f"add each new notebook to SHOWN[{study!r}] with the tables it displays"
        )


@pytest.mark.parametrize("study", sorted(STUDIES))
def test_retro_notebooks_expects_the_tables_listed_here(study: str):
    # `retro notebooks` checks each notebook shows its part of the plan (NOTEBOOK_PARTS)
    from analysis.run.notebook_checks import NOTEBOOK_PARTS
    from analysis.run.notebooks import plan_tables
    from analysis.studyfile.config import StudyConfig

    config = StudyConfig.load(STUDIES[study])
    for name, shown in SHOWN[study].items():
        part = NOTEBOOK_PARTS[name]
        assert part.every_table == (shown == ALL_TABLES), name
        if shown != ALL_TABLES:
            assert tuple(plan_tables(config, *part.kinds)) == shown, name


@pytest.mark.parametrize("study", sorted(STUDIES))
def test_the_notebooks_together_show_every_table_and_figure_once(study: str):
    from analysis.figures.study_figures import figure_stems
    from analysis.studyfile.config import StudyConfig
    from analysis.studyfile.plan_defaults import effective_plan

    config = StudyConfig.load(STUDIES[study])
    shown = [t for tables in SHOWN[study].values() if tables != ALL_TABLES for t in tables]
    assert sorted(shown) == sorted(effective_plan(config).tables)
    drawn = [stem for stems in DRAWN[study].values() for stem in stems]
    assert sorted(drawn) == sorted(figure_stems(config))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_text_names_no_study(path: Path):
    """The notebooks' own words are general; a study's words come from its file at run time."""
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown").lower()
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    code = code.replace(DEFAULT_STUDY_PATH, "").lower()
    found = [w for w in STUDY_WORDS if w in text or w in code]
    assert not found, f"{path.name} names {found}; use study.config (e.g. exposure.singular)"


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


def test_column_profile_shows_levels_and_statistics_never_a_typed_value():
    """What 01-cleaning shows of the analysis tables (fast: no notebook is executed)."""
    from analysis.clean.dictionary import column_profile
    from analysis.clean.stage import clean_study
    from analysis.studyfile.config import StudyConfig

    config = StudyConfig.load(SECOND_STUDY)
    clean = clean_study(config)
    profile = column_profile(clean.tables, config).set_index(["table", "column", "level", "stat"])
    sex = clean.patients["sex"].value_counts()
    for level in ("female", "male"):
        assert profile.loc[("patients", "sex", level, "count"), "value"] == sex[level]
    age = clean.patients["age_years"]
    assert profile.loc[("patients", "age_years", None, "median"), "value"] == age.median()
    assert profile.loc[("patients", "age_years", None, "missing"), "value"] == age.isna().sum()
    for table, column, shown in [
        ("exposures", "dose_text", "count only (text)"),
        ("patients", "patient_id", "count only (identifier)"),
        ("patients", "discontinuation_date", "count only (date)"),
    ]:
        rows = profile.xs((table, column), level=["table", "column"])
        assert sorted(rows.index.get_level_values("stat")) == ["missing", "n"], column
        assert set(rows["shown"]) == {shown}
    assert "source_row" not in profile.index.get_level_values("column")


# --------------------------------------------------------------------------- execution
@dataclass(frozen=True)
class Reference:
    """What ``retro tables`` computes for a study, and what its notebooks must never show."""

    tables: dict[str, pd.DataFrame]
    ard: pd.DataFrame
    accounting: pd.DataFrame
    cleaning: pd.DataFrame  # the counts 01-cleaning shows, as ARD rows
    patient_ids: frozenset[str]
    free_text: frozenset[str]


def _free_text(clean, config) -> frozenset[str]:
    """Values as typed in the exports: ``text`` columns, and category columns without a
    vocabulary (their values are not mapped to levels)."""
    values: set[str] = set()
    for table, df in clean.tables.items():
        declared = config.columns_for(table)
        for col in df.columns:
            kind = declared[col].kind if col in declared else ""
            free = kind == "text" or (
                kind == "category" and not isinstance(df[col].dtype, pd.CategoricalDtype)
            )
            if free:
                values |= {str(v) for v in df[col].dropna().unique()}
    return frozenset(values)


def _reference(clean, config, tmp: Path) -> Reference:
    from analysis.clean.counts_ard import cleaning_ard
    from analysis.tables.study_tables import build_tables, study_ard
    from analysis.write.parquet import write_parquet

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
        cleaning=cleaning_ard(clean),
        patient_ids=frozenset(str(x) for x in ids.dropna().unique()),
        free_text=_free_text(clean, config),
    )


@pytest.fixture(scope="module", params=sorted(STUDIES))
def executed(kernel_name, tmp_path_factory, request):
    """Every notebook executed (in parallel) on one study, plus the CLI's numbers computed
    meanwhile: ``(study name, runs by notebook, reference)``."""
    from analysis.clean.stage import clean_study
    from analysis.studyfile.config import StudyConfig

    study = request.param
    out_dir = tmp_path_factory.mktemp(f"notebooks-{study}")
    parameters: dict[str, object] = {
        "study_path": STUDIES[study],
        # the report notebook writes under tmp, never into the real reports/<study>/
        "reports_dir": out_dir / "06-report-reports",
        # report.pdf is seconds of WeasyPrint; its rendering is tested in
        # tests/unit/report/test_report.py
        "pdf": False,
    }
    computed: list[Reference] = []

    def reference() -> None:
        if STUDIES[study] == REFERENCE_STUDY:
            config = request.getfixturevalue("reference_config")
            clean = request.getfixturevalue("reference_clean")
        else:
            config = StudyConfig.load(STUDIES[study])
            clean = clean_study(config)
        computed.append(_reference(clean, config, out_dir))

    runs = execute_notebooks(
        longest_first(NOTEBOOKS),
        out_dir,
        parameters=parameters,
        kernel=kernel_name,
        jobs=max(2, os.cpu_count() or 2),
        meanwhile=reference,
    )
    return study, runs, computed[0]


def _outputs(run: NotebookRun) -> list[dict]:
    assert run.output.is_file(), f"{run.name} did not run:\n{run.log}"
    return [
        out
        for cell in nbformat.read(run.output, as_version=4).cells
        for out in cell.get("outputs", [])
    ]


def _texts(run: NotebookRun, mimes: tuple[str, ...] = ("text/",)) -> list[str]:
    """Every text output of the executed notebook (streams, text/plain, html, markdown)."""
    texts = []
    for out in _outputs(run):
        if out.get("output_type") == "stream" and "text/" in mimes:
            texts.append(out.get("text", ""))
        for mime, value in out.get("data", {}).items():
            if mime.startswith(mimes):
                texts.append(value if isinstance(value, str) else "".join(value))
    return texts


def _assert_same_ard(got: pd.DataFrame, expected: pd.DataFrame, name: str) -> None:
    problems = ard_differences(got, expected, tolerance=TOLERANCE)
    assert not problems, f"{name}: " + "; ".join(problems)


@pytest.mark.parametrize("name", NAMES)
def test_notebook_executes_without_errors(executed, name: str):
    _, runs, _ = executed
    run = runs[name]
    assert run.ok, f"{name}: {run.errors}\n{run.log}"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_numbers_equal_the_cli(executed, name: str):
    study, runs, ref = executed
    run = runs[name]
    assert run.ard is not None, f"{name} wrote no ARD to ard_out:\n{run.log}"
    shown = SHOWN[study][name]
    if shown == ALL_TABLES:
        expected = ref.ard
    elif shown:
        expected = concat_ard(ref.tables[t] for t in shown)
    else:  # 01-cleaning shows no table: it writes the flow's and the accounting's counts
        assert name == "01-cleaning", f"{name} shows no table"
        _assert_same_ard(run.ard, ref.cleaning, name)
        assert set(run.ard["table"]) == {"flow", "accounting"}
        return
    _assert_same_ard(run.ard, expected, name)
    # written as ard.csv publishes it (02-05 wrote the builders' frames: a `group` column, N
    # repeated under every level, the methods' codes), so a reviewer can diff it directly
    assert "group" not in run.ard.columns, name
    assert published(run.ard).equals(run.ard.reset_index(drop=True)), name


@pytest.mark.parametrize("name", sorted(DRAWN["dutasteride_mesotherapy"]))
def test_notebook_draws_the_plans_figures_of_its_kinds(executed, name: str):
    study, runs, _ = executed
    outputs = _outputs(runs[name])
    images = sum("image/png" in out.get("data", {}) for out in outputs)
    captions = "\n".join(_texts(runs[name], ("text/markdown",)))
    drawn = re.findall(r"\*Figure `([^`]+)`\.\*", captions)
    assert drawn == list(DRAWN[study][name])
    assert images == len(drawn), f"{name}: {images} images for {len(drawn)} captions"


@pytest.mark.parametrize(("study", "name"), sorted(SAYS))
def test_notebook_says_when_the_plan_has_nothing_of_its_kind(executed, study: str, name: str):
    ran, runs, _ = executed
    markdown = "\n".join(_texts(runs[name], ("text/markdown",)))
    if ran == study:
        assert SAYS[study, name] in markdown
    else:
        assert SAYS[study, name] not in markdown


@pytest.mark.parametrize("name", NAMES)
def test_notebook_outputs_show_no_patient_id_nor_free_text(executed, name: str):
    study, runs, ref = executed
    text = "\n".join(_texts(runs[name]))
    assert text, f"{name} has no text output"
    leaked = sorted(pid for pid in ref.patient_ids if pid in text)
    assert not leaked, f"{name} shows patient ids {leaked[:5]}"
    # a value as typed, standing alone (not part of a longer word or number)
    typed = sorted(
        v
        for v in ref.free_text
        if re.search(rf"(?<![\w.,/]){re.escape(v)}(?![\w.,/])", text, flags=re.IGNORECASE)
    )
    assert not typed, f"{name} shows free text {typed[:5]}"
    if study != "dutasteride_mesotherapy":
        assert "session" not in text.lower(), f"{name} speaks of sessions in another design"


def test_cleaning_notebook_accounts_for_every_row(executed):
    _, runs, ref = executed
    acc = ref.accounting
    line = (
        f"Rows read {acc['rows_read'].sum()} = kept {acc['kept'].sum()} + logged "
        f"{acc['logged'].sum()}: balanced"
    )
    assert bool(acc["balanced"].all())
    assert any(line in t for t in _texts(runs["01-cleaning"])), line


def test_report_notebook_writes_the_report_and_reproduces_the_claims(executed):
    _, runs, _ = executed
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


def test_report_notebook_and_its_report_show_no_absolute_path(executed):
    # the executed notebook, the report and the manifest may be shared: paths relative to the
    # project folder (a folder outside it by its name), never the machine's (a user name)
    study, runs, _ = executed
    run = runs["06-report"]
    reports_dir = run.output.parent / "06-report-reports"
    manifest = (reports_dir / "manifest.json").read_text(encoding="utf-8")
    shared = {
        "outputs of 06-report": "\n".join(_texts(run)),
        "report.html": (reports_dir / "report.html").read_text(encoding="utf-8"),
        "manifest.json": manifest,
    }
    for what, text in shared.items():
        for machine_path in (str(REPO), str(run.output.parent)):
            assert machine_path not in text, f"{what} shows {machine_path}"
    command = f"notebooks/06-report.ipynb (study_path=../studies/{study}.yaml)"
    assert json.loads(manifest)["command"] == command
