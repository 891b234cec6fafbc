"""No identifier out, end to end: each shipped twin with names, phone numbers, e-mails and
national ids planted in every free-text field and in raw values that are audited or excluded,
run through ``retro run`` and ``retro notebooks``; no file under the reports folder holds any
planted string nor a patient id of the twin.

One run per study (module-scoped). The twin is the shipped one (``retro synth``) with a free-text
column added to every sheet and file, declared as a ``text`` variable of its table, and with
hostile cells written over some values; the study file is the shipped one with those
declarations, next to its claims file (the planted cells move some numbers, so some claims
fail: `retro run` then exits 1 after writing every output, claims_check.csv included).
"""

from __future__ import annotations

import importlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from analysis.run.cli import app
from analysis.studyfile.config import StudyConfig
from tests.conftest import REPO
from tests.hostile.scan import CPF, EMAIL, NAME, NEEDLES, NIF, NOTE, PHONE, SSN, find_planted

runner = CliRunner()

NOTE_HEADER = "Free note"
NOTE_COLUMN = "clinical_note"


@dataclass(frozen=True)
class Plant:
    """A hostile cell: ``frame`` (a sheet or file of the twin), ``column`` (raw header), the
    ``row`` (position in the frame, or the first row of that patient id) and the ``value``
    written over it."""

    frame: str
    column: str
    row: int | str
    value: str


# Hostile cells written over values of the twin: dates (optional ones are cleared and audited,
# required ones exclude their record), numbers, a dose as text, a label no vocabulary maps
# (the run excludes its record: `cleaning.on_unmapped: exclude`) and a patient id.
PLANTS = {
    "dutasteride_mesotherapy": [
        Plant("centre_a_patients", "Discontinuation date", 3, "call Maria 912345678"),
        Plant("centre_a_patients", "First visit", 4, f"{NAME} {PHONE}"),
        Plant("centre_a_patients", "Age", 5, f"{NAME} {SSN}"),
        Plant("centre_a_patients", "Sex", 6, f"{NAME} (mother of {EMAIL})"),
        Plant("centre_b_patients", "Fecha abandono", 2, f"llamar a Maria 912345678 {CPF}"),
        Plant("centre_b_patients", "Edad", 7, NIF),
        Plant("centre_a_adverse_events", "Onset date", 0, f"{NAME} {PHONE}"),
        Plant("centre_a_adverse_events", "Duration (days)", 1, EMAIL),
        Plant("centre_a_adverse_events", "Event", 2, f"pain, told {NAME}"),
        Plant("centre_b_sessions", "Dosis (mg)", 1, EMAIL),
        Plant("centre_b_sessions", "Fecha sesión", 2, SSN),
        Plant("centre_a_concomitant", "Stop", 3, f"ask {NAME}"),
        Plant("centre_b_assessments", "Respuesta", 4, f"mejor, dice {NAME}"),
    ],
    "low_dose_oral_minoxidil": [
        Plant("Pacientes", "Data suspensão", 3, "ligar Maria 912345678"),
        Plant("Pacientes", "Idade", 5, f"{NAME} {SSN}"),
        Plant("Pacientes", "Última consulta", 6, f"{NAME} {PHONE}"),
        Plant("Pacientes", "Motivo suspensão", 8, f"{NAME} pediu, {EMAIL}"),
        Plant("Pacientes", "Sexo", 9, f"{NAME} {CPF}"),
        Plant("Pacientes", "Data EA 1", 11, NIF),
        # a dose amid words is not read (words may change the dose: audited), nor one with a
        # number among the words (a phone) -- each on an excluded patient (under 3 months of
        # treatment; the second excluded for its last visit): the by-dose table needs every dose
        Plant("Doses", "Dose", "LD-00493", f"1 mg/dia {NAME} {EMAIL}"),
        Plant("Doses", "Dose", "LD-00007", f"{NAME} {PHONE}"),
        Plant("Doses", "Início", 2, EMAIL),
        Plant("Doses", "Fim", 3, "call Maria 912345678"),
    ],
}
STUDIES = sorted(PLANTS)


def _planted_study(study: str, root: Path) -> tuple[Path, list[str]]:
    """Write the twin of ``study`` with its plants under ``root``; the study file path and the
    twin's patient ids."""
    config = StudyConfig.load(REPO / "studies" / f"{study}.yaml")
    twin_module = importlib.import_module(f"analysis.datasets.{study}")
    twin = twin_module.build_twin(config)
    ids: set[str] = set()
    for frame in twin.raw.values():
        ids |= {str(v).strip() for v in frame[frame.columns[0]].dropna()}
        frame[NOTE_HEADER] = [NOTE if i % 3 == 0 else None for i in range(len(frame))]
    for p in PLANTS[study]:
        frame = twin.raw[p.frame]
        assert p.column in frame.columns, (p.frame, p.column, list(frame.columns))
        frame[p.column] = frame[p.column].astype(object)
        ids_here = frame[frame.columns[0]].astype(str).str.strip()
        row = p.row if isinstance(p.row, int) else int((ids_here == p.row).to_numpy().argmax())
        frame.iloc[row, frame.columns.get_loc(p.column)] = p.value
    # the study file: a free-text variable in every table a source feeds, read from every source
    data = yaml.safe_load((REPO / "studies" / f"{study}.yaml").read_text(encoding="utf-8"))
    variables = data.setdefault("variables", {})
    for source in data["sources"]:
        source["columns"][NOTE_COLUMN] = NOTE_HEADER
        variables.setdefault(source["table"], {})[NOTE_COLUMN] = {"type": "text", "label": "Note"}
    data.setdefault("cleaning", {})["on_unmapped"] = "exclude"
    (root / "studies").mkdir(parents=True)
    path = root / "studies" / f"{study}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    claims = f"{study}.claims.yaml"
    shutil.copy(REPO / "studies" / claims, root / "studies" / claims)
    planted = StudyConfig.load(path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(twin_module, "build_twin", lambda _config: twin)
        twin_module.write_twin(planted)
    return path, sorted(ids)


@dataclass(frozen=True)
class PlantedRun:
    study: str
    path: Path
    config: StudyConfig
    reports: Path
    ids: list[str]


@pytest.fixture(scope="module", params=STUDIES)
def planted_run(request, tmp_path_factory) -> PlantedRun:
    """``retro run`` on the planted twin of a study."""
    study = request.param
    path, ids = _planted_study(study, tmp_path_factory.mktemp(study))
    run = runner.invoke(app, ["run", str(path)])
    config = StudyConfig.load(path)
    claims = pd.read_csv(config.reports_dir / "claims_check.csv")
    failed = int((~claims["passed"].astype(bool)).sum())
    assert run.exit_code == (1 if failed else 0), run.output
    assert f"claims check: {len(claims) - failed}/{len(claims)} reproduced" in run.output
    return PlantedRun(study, path, config, config.reports_dir, ids)


@pytest.fixture(scope="module")
def planted_notebooks(planted_run) -> PlantedRun:
    """Then ``retro notebooks`` (the report notebook writes the report again, no PDF)."""
    folder = str(REPO / "notebooks")
    res = runner.invoke(app, ["notebooks", str(planted_run.path), "--no-pdf", "--folder", folder])
    # a claim the planted rows move fails the report notebook, as it fails `retro run`; then the
    # executed copies are those of a failed run (notebooks-failed/), to be checked all the same
    claims = pd.read_csv(planted_run.reports / "claims_check.csv")
    failed = int((~claims["passed"].astype(bool)).sum())
    assert res.exit_code == (1 if failed else 0), res.output
    verdicts = [line for line in res.output.splitlines() if ".ipynb │" in line]
    assert all(("yes" in v) != ("06-report" in v and bool(failed)) for v in verdicts), res.output
    return planted_run


def test_planted_values_reach_the_data_for_the_study_team(planted_run):
    """The plants are real: the free text is kept in the analysis data, the hostile cells are
    audited or excluded with their raw value (both logs stay in the processed folder)."""
    processed = planted_run.config.processed_dir
    patients = pd.read_parquet(processed / "patients.parquet")
    assert (patients[NOTE_COLUMN] == NOTE).any()
    logged = pd.concat(
        [
            pd.read_parquet(processed / "audit.parquet")["value"].astype(str),
            pd.read_parquet(processed / "exclusions.parquet")["reason"].astype(str),
        ]
    )
    for p in PLANTS[planted_run.study]:
        assert logged.str.contains(p.value, regex=False).any(), p


def _assert_nothing_planted(run: PlantedRun, *kinds: str) -> None:
    """No needle nor id under the reports folder, while the study's first adverse-event term
    is found in a file of each of ``kinds`` (the scanner reads them)."""
    term = run.config.vocabularies["ae_term"].levels[0]
    shown = find_planted(run.reports, [term])
    for kind in kinds:
        assert any(f.endswith(kind) for f in shown), f"{term!r} not read in any {kind} file"
    found = find_planted(run.reports, NEEDLES, run.ids)
    assert found == {}, json.dumps(found, indent=1)[:3000]


def test_no_planted_string_nor_patient_id_in_the_run_s_outputs(planted_run):
    reports = planted_run.reports
    written = sorted(p.relative_to(reports) for p in reports.rglob("*") if p.is_file())
    for expected in (
        "report.html",
        "report.pdf",
        "tables.docx",
        "manifest.json",
        "ard.csv",
        "claims_check.csv",
    ):
        assert Path(expected) in written, expected
    for suffix in (".xlsx", ".csv", ".png", ".svg", ".pdf"):
        assert any(p.parts[0] in ("tables", "figures") and p.suffix == suffix for p in written)
    _assert_nothing_planted(planted_run, ".html", ".pdf", ".docx", ".xlsx", ".csv", ".parquet")


@pytest.mark.notebooks
def test_no_planted_string_nor_patient_id_in_the_executed_notebooks(planted_notebooks):
    copies = planted_notebooks.reports / "notebooks-failed"
    if not copies.is_dir():
        copies = planted_notebooks.reports / "notebooks"
    executed = sorted(copies.glob("*.ipynb"))
    assert [p.stem for p in executed] == [p.stem for p in sorted(REPO.glob("notebooks/*.ipynb"))]
    _assert_nothing_planted(planted_notebooks, ".ipynb")
