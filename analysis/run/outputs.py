"""The run of a study, top to bottom: ``run_study``.

``run_study(study)`` is what ``retro run`` does, and what the report notebook calls: clean,
tables, figures, report (with the claims check), manifest, each stage one named call, in that
order, in this process.

Every file is first written into staging folders and moved into place only when all are
written, the manifest last (``analysis.write.staging``): an error or Ctrl-C leaves the previous
outputs as they were, never a mix of two runs. Then the files of the previous run that this
one no longer writes are removed (``analysis.run.leftovers``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.clean.while_waiting import offered
from analysis.run.folder_mode import replaced_suppression
from analysis.run.later_imports import import_later_stages
from analysis.run.leftovers import earlier_outputs, leftovers_words, remove_leftovers
from analysis.run.parallel import run_named

if TYPE_CHECKING:
    from analysis.run.study import Study


@dataclass
class Outputs:
    """The files written by ``run_study``, by kind (figures by stem: SVG, PNG, PDF)."""

    clean: list[Path] = field(default_factory=list)
    figures: dict[str, list[Path]] = field(default_factory=dict)
    report: list[Path] = field(default_factory=list)
    tables: list[Path] = field(default_factory=list)
    manifest: Path | None = None

    def all(self) -> list[Path]:
        files = [*self.clean, *(p for paths in self.figures.values() for p in paths)]
        files += [*self.report, *self.tables]
        return [*files, self.manifest] if self.manifest else files

    def __add__(self, other: Outputs) -> Outputs:
        """Both sets of files: lists joined in order, a figure's files after its earlier ones."""
        figures = {k: list(v) for k, v in self.figures.items()}
        for stem, paths in other.figures.items():
            figures[stem] = [*figures.get(stem, []), *paths]
        return Outputs(
            clean=[*self.clean, *other.clean],
            figures=figures,
            report=[*self.report, *other.report],
            tables=[*self.tables, *other.tables],
            manifest=other.manifest or self.manifest,
        )

    def moved(self) -> Outputs:
        """The same files where a staged run moves them (``analysis.write.staging.final_path``)."""
        from analysis.write.output_errors import final_path

        return Outputs(
            clean=[final_path(p) for p in self.clean],
            figures={k: [final_path(p) for p in v] for k, v in self.figures.items()},
            report=[final_path(p) for p in self.report],
            tables=[final_path(p) for p in self.tables],
            manifest=final_path(self.manifest) if self.manifest else None,
        )


def run_study(
    study: Study,
    *,
    command: str,
    suppress_below: int | None = None,
    pdf: bool = True,
    write_clean: bool = False,
    on_stage: Callable[[str], None] = lambda stage: None,
) -> Outputs:
    """Run the study and write every output; returns their final paths.

    Stages, in order, each announced by ``on_stage(name)`` as it starts: ``clean`` (the
    cleaned data written too with ``write_clean``), ``tables`` (every table's files and the
    ARD), ``figures`` (PNG 300 dpi, SVG, PDF), ``report`` (HTML, PDF unless ``pdf=False``,
    claims check, tables.docx), ``manifest``, ``moving the outputs into place``; then
    ``written`` once all are in place. ``suppress_below`` suppresses small counts in every
    output. A failing stage raises ``analysis.run.parallel.JobFailed`` naming it; a failure or
    Ctrl-C before ``written`` leaves the previous outputs unchanged.
    """
    from analysis.report.manifest import write_manifest
    from analysis.write.staging import final_path, staged_study

    replaced = replaced_suppression(study.reports_dir, suppress_below)
    if replaced:
        warnings.warn(replaced, stacklevel=2)
    # the previous run's files, from its manifest
    earlier = earlier_outputs(study.reports_dir, study.config.study.name)
    with staged_study(study, _output_folders(study, write_clean, suppress_below)) as staging:
        on_stage("clean")
        with offered(import_later_stages):  # run while the clean stage waits, if it does
            cleaned = run_named("clean", lambda: _clean(study, write=write_clean))
        # a figure whose per-patient rows exceed the engine's collect_limit stops the run
        # before the tables are built
        run_named("figures", study.check_figures_collect)
        on_stage("tables")
        tables = run_named("tables", lambda: _write_tables(study, suppress_below))
        on_stage("figures")
        figures = run_named("figures", lambda: _write_figures(study, suppress_below))
        on_stage("report")
        report = run_named(
            "report", lambda: _write_report(study, figures, command, suppress_below, pdf=pdf)
        )
        out = cleaned + figures + report + tables
        on_stage("manifest")
        everything = sorted(set(out.all()))
        manifest = run_named(
            "manifest",
            lambda: write_manifest(study, everything, command, suppress_below=suppress_below),
        )
        on_stage("moving the outputs into place")
        final = (out + Outputs(manifest=manifest)).moved()
        staging.commit(last=[final_path(manifest)], then=lambda: on_stage("written"))
    said = leftovers_words(*remove_leftovers(earlier, final.all()), study.reports_dir)
    if said:
        warnings.warn(said, stacklevel=2)
    return final


def _output_folders(study: Study, write_clean: bool, suppress_below: int | None) -> dict[str, Path]:
    """The folders the run writes, by config key: the reports; the processed data too when
    the cleaned data or the unsuppressed ARD (``suppress_below``) go there."""
    folders = {"paths.reports": study.config.reports_dir}
    if write_clean or suppress_below:
        folders["paths.processed"] = study.config.processed_dir
    return folders


def _clean(study: Study, *, write: bool) -> Outputs:
    """Clean the study's data (``study.clean``); with ``write``, write them under
    ``paths.processed`` (``Study.write_clean``, which cleans first). Cleaned here either way,
    so that a failure names this stage."""
    if write:
        return Outputs(clean=study.write_clean())
    study.clean  # noqa: B018
    return Outputs(clean=[])


def _write_tables(study: Study, suppress_below: int | None) -> Outputs:
    """Every table built, its files and the ARD written."""
    return Outputs(tables=study.write_tables(suppress_below=suppress_below))


def _write_figures(study: Study, suppress_below: int | None) -> Outputs:
    """Every figure of the plan drawn and written as SVG, PNG and PDF."""
    from analysis.figures.study_figures import draw_figures, figures_dir, save_figures

    drawn = draw_figures(study, suppress_below=suppress_below)
    return Outputs(figures=save_figures(drawn, figures_dir(study), formats=("svg", "png", "pdf")))


def _write_report(
    study: Study, figures: Outputs, command: str, suppress_below: int | None, *, pdf: bool
) -> Outputs:
    """report.html (embedding the SVG figures), report.pdf (with ``pdf``), the claims check and
    tables.docx."""
    from analysis.report.build import write_report, write_tables_docx

    svg = {stem: p for stem, paths in figures.figures.items() for p in paths if p.suffix == ".svg"}
    report = write_report(
        study, figures=svg, command=command, suppress_below=suppress_below, pdf=pdf
    )
    return Outputs(report=[*report, write_tables_docx(study, suppress_below=suppress_below)])
