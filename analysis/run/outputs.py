"""The run of a study, top to bottom: ``run_study``.

``run_study(study)`` is what ``retro run`` does, and what the report notebook calls: clean,
tables, figures, then the report (HTML, PDF, with the claims check) beside the figure and table
files, then the manifest over all of them. Each stage is one named call, in that order. Only the
last writers, which do not depend on each other, may run side by side
(``analysis.run.parallel.run_side_by_side``; same bytes as one after another).

Every file is first written into staging folders and moved into place only when all are
written, the manifest last (``analysis.write.staging``): an error or Ctrl-C leaves the previous
outputs as they were, never a mix of two runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.run.parallel import run_named, run_side_by_side

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from analysis.run.study import Study

#: The stage that writes the report, the figures' PNG and PDF files and the table files.
WRITE_STAGE = "report, figure files and table files"


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
    jobs: int | None = None,
    write_clean: bool = False,
    on_stage: Callable[[str], None] = lambda stage: None,
) -> Outputs:
    """Run the study and write every output; returns their final paths.

    Stages, in order, each announced by ``on_stage(name)`` as it starts: ``clean`` (the
    cleaned data written too with ``write_clean``), ``tables`` (every table and the ARD),
    ``figures`` (drawn; SVG written, which the report embeds), ``report, figure files and table
    files`` (report HTML, PDF unless ``pdf=False``, claims check, tables.docx; the figures' PNG
    300 dpi and PDF; every table's files and the ARD: side by side with ``jobs`` > 1, default
    one per core), ``manifest``, ``moving the outputs into place``; then ``written`` once all
    are in place. A failing stage raises ``analysis.run.parallel.JobFailed`` naming it; a
    failure or Ctrl-C before ``written`` leaves the previous outputs unchanged.
    """
    from analysis.report.manifest import write_manifest
    from analysis.write.staging import final_path, staged_study

    with staged_study(study, _output_folders(study, write_clean, suppress_below)) as staging:
        on_stage("clean")
        cleaned = run_named("clean", lambda: _clean(study, write=write_clean))
        on_stage("tables")
        run_named("tables", lambda: study.ard)  # every query before the writers fork
        on_stage("figures")
        drawn = run_named("figures", lambda: _draw_figures(study, suppress_below))
        svg = run_named("figures", lambda: _save_figures(study, drawn, ("svg",)))
        on_stage(WRITE_STAGE)
        written = run_side_by_side(
            {
                "report": lambda: _write_report(study, svg, command, suppress_below, pdf=pdf),
                "figures": lambda: _save_figures(study, drawn, ("png", "pdf")),
                "tables": lambda: _write_table_files(study, suppress_below),
            },
            processes=jobs,
        )
        out = cleaned + svg + written["report"] + written["figures"] + written["tables"]
        on_stage("manifest")
        everything = sorted(set(out.all()))
        manifest = run_named("manifest", lambda: write_manifest(study, everything, command))
        on_stage("moving the outputs into place")
        final = (out + Outputs(manifest=manifest)).moved()
        staging.commit(last=[final_path(manifest)], then=lambda: on_stage("written"))
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
    ``paths.processed``."""
    study.clean  # noqa: B018 - cleaned here, so that a failure names this stage
    return Outputs(clean=study.write_clean() if write else [])


def _draw_figures(study: Study, suppress_below: int | None) -> dict[str, Figure]:
    """Every figure of the plan, drawn in memory, by stem in plan order."""
    from analysis.figures.study_figures import draw_figures

    return draw_figures(study, suppress_below=suppress_below)


def _save_figures(study: Study, drawn: dict[str, Figure], formats: tuple[str, ...]) -> Outputs:
    """The drawn figures written in ``formats`` under the study's figures folder."""
    from analysis.figures.study_figures import figures_dir, save_figures

    return Outputs(figures=save_figures(drawn, figures_dir(study), formats=formats))


def _write_report(
    study: Study, svg: Outputs, command: str, suppress_below: int | None, *, pdf: bool
) -> Outputs:
    """report.html, report.pdf (with ``pdf``) and the claims check, embedding the SVG files."""
    from analysis.report.build import write_report

    figures = {stem: paths[0] for stem, paths in svg.figures.items()}
    return Outputs(
        report=write_report(
            study, figures=figures, command=command, suppress_below=suppress_below, pdf=pdf
        )
    )


def _write_table_files(study: Study, suppress_below: int | None) -> Outputs:
    """tables.docx (listed with the report), every table's files and the ARD."""
    from analysis.report.build import write_tables_docx

    docx = write_tables_docx(study, suppress_below=suppress_below)
    return Outputs(report=[docx], tables=study.write_tables(suppress_below=suppress_below))
