"""Write the study report: report.html, report.pdf, the claims check and tables.docx."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from analysis.report.claims import claims_path_for, load_claims, verify_claims
from analysis.report.html import render_report_html, report_inputs, report_table_order
from analysis.report.manifest import build_manifest
from analysis.report.pdf import html_to_pdf
from analysis.studyfile.plan import Report
from analysis.synthetic import MARK, is_synthetic, notice
from analysis.tables.journal import use_style
from analysis.tables.office import write_docx
from analysis.write.atomic import atomic_path, write_text_atomic
from analysis.write.safe_cells import neutralise_frame


def study_claims(study, *, suppress_below: int | None = None) -> pd.DataFrame | None:  # noqa: ANN001
    """The claims check of the study, or None when it has no claims file; with
    ``suppress_below`` a check that reads a cell hidden by suppression has its computed value
    and note withheld (``analysis.report.withheld.withhold_claims``)."""
    if study.config.path is None:
        return None
    path = claims_path_for(study.config.path)
    if not path.is_file():
        return None
    claims = load_claims(path)
    checked = verify_claims(study.ard, claims)
    if not suppress_below:
        return checked
    from analysis.report.withheld import withhold_claims
    from analysis.tables.study_tables import shown_ard

    shown = verify_claims(shown_ard(study.tables, suppress_below), claims)
    said = {c.id: c.unchecked for c in claims if c.unchecked}
    return withhold_claims(checked, shown, suppress_below, unchecked=said)


def write_report(
    study,
    *,
    figures: Mapping[str, Path],
    command: str,  # noqa: ANN001 - Study
    suppress_below: int | None = None,
    pdf: bool = True,
) -> list[Path]:
    """Assemble and write ``report.html``, ``report.pdf`` (unless ``pdf=False``) and the
    claims check. ``figures`` maps figure stems to image files (SVG preferred). The tables'
    numbers are printed in the study file's ``analysis.report.journal_style``.
    ``analysis.run.outputs.run_study`` writes ``tables.docx`` (``write_tables_docx``) and the
    manifest over every output of the run beside it."""
    out_dir = study.reports_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    claims = study_claims(study, suppress_below=suppress_below)
    prov = build_manifest(study, [], command)
    provenance = {
        "git": prov.get("git"),
        "command": command,
        "inputs": {
            k: v.get("sha256") if isinstance(v, Mapping) else v
            for k, v in _flat_inputs(prov).items()
        },
    }
    with use_style(report_options(study).journal_style):  # the tables' numbers as in tables.docx
        inputs = report_inputs(
            study,
            figures=figures,
            claims=claims,
            provenance=provenance,
            suppress_below=suppress_below,
        )
        html = render_report_html(inputs)
    written = []
    html_path = out_dir / "report.html"
    write_text_atomic(html_path, html)
    written.append(html_path)
    if pdf:
        written.append(html_to_pdf(html, out_dir / "report.pdf"))
    if claims is not None:
        with atomic_path(out_dir / "claims_check.csv") as tmp:
            neutralise_frame(claims).to_csv(tmp, index=False)
        written.append(out_dir / "claims_check.csv")
    return written


def write_tables_docx(study, *, suppress_below: int | None = None) -> Path:  # noqa: ANN001
    """Every table of the study in one Word file, ``tables.docx``, for a journal submission,
    on the paper and in the journal style of the study file's ``analysis.report``."""
    target = study.reports_dir / "tables.docx"
    options = report_options(study)
    with atomic_path(target) as tmp:
        order = report_table_order(study.config, study.tables)
        write_docx(
            [study.tables[name] for name in order],
            tmp,
            title=study.config.study.title,
            suppress_below=suppress_below,
            page_size=options.page_size,
            style=options.journal_style,
            page_header=MARK if is_synthetic(study.config) else None,
            lead=notice(study.config) if is_synthetic(study.config) else None,
        )
    return target


def report_options(study) -> Report:  # noqa: ANN001
    """The study file's ``analysis.report`` (the defaults for a study object without a plan)."""
    plan = getattr(study.config, "analysis", None)
    return plan.report if plan is not None else Report()


def _flat_inputs(manifest: Mapping[str, object]) -> dict[str, object]:
    """``{name: {sha256: ...}}`` of the config, claims and raw inputs, for the report."""
    out: dict[str, object] = {}
    for key in ("config", "claims"):
        entry = manifest.get(key)
        if isinstance(entry, Mapping) and entry.get("path"):
            out[str(entry["path"])] = entry
    inputs = manifest.get("inputs")
    if isinstance(inputs, Mapping):
        out.update({str(k): v for k, v in inputs.items()})
    return out
