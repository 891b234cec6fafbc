"""Write every output of a study: cleaned data, figures, report, table files, manifest.

``write_outputs(study)`` is what ``retro run`` does, and what the report notebook calls. Work
that does not depend on each other runs side by side in forked processes
(``analysis.run.parallel``): the cleaning and the figures drawn from the cleaned data next to the
imports and the tables; the report PDF next to the other figure files and the table files. The
bytes are the same as one after another.

Every file is first written into staging folders and moved into place only when all are
written, the manifest last (``analysis.write.staging``): an error or Ctrl-C leaves the previous
outputs as they were, never a mix of two runs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from analysis.run.parallel import Background, run_jobs, run_named

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from analysis.clean.stage import CleanResult
    from analysis.run.study import Study


@dataclass
class Outputs:
    """The files written by ``write_outputs``."""

    clean: list[Path] = field(default_factory=list)
    figures: dict[str, list[Path]] = field(default_factory=dict)
    report: list[Path] = field(default_factory=list)
    tables: list[Path] = field(default_factory=list)
    manifest: Path | None = None

    def all(self) -> list[Path]:
        files = [*self.clean, *(p for paths in self.figures.values() for p in paths)]
        files += [*self.report, *self.tables]
        return [*files, self.manifest] if self.manifest else files

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


def import_libraries() -> None:
    """Import the modules ``write_outputs`` needs (tables, models, figures, report, PDF), e.g.
    while another process cleans the data. WeasyPrint's missing system libraries are reported
    when the PDF is made, not here."""
    import analysis.figures.study_figures
    import analysis.report.build
    import analysis.report.manifest
    import analysis.tables.study_tables  # noqa: F401

    with contextlib.suppress(OSError):
        import weasyprint  # noqa: F401


def _figure_steps(
    study: Study, *, from_tables: bool, suppress_below: int | None = None
) -> tuple[Callable[[], dict[str, list[Path]]], Callable[[], dict[str, list[Path]]]]:
    """Two steps for one process: draw the figures of the tables (``from_tables``) or those of
    the cleaned data alone and write their SVG (what the report needs); then write their PNG
    and PDF from the same drawn figures. ``{stem: [paths]}`` each."""
    drawn: dict[str, Figure] = {}

    def svg() -> dict[str, list[Path]]:
        from analysis.figures.study_figures import (
            draw_figures,
            figure_stems,
            figures_dir,
            save_figures,
        )

        stems = figure_stems(study.config, from_tables=from_tables)
        drawn.update(draw_figures(study, stems, suppress_below=suppress_below))
        return save_figures(drawn, figures_dir(study), formats=("svg",))

    def png_pdf() -> dict[str, list[Path]]:
        from analysis.figures.study_figures import figures_dir, save_figures

        return save_figures(drawn, figures_dir(study), formats=("png", "pdf"))

    return svg, png_pdf


def write_outputs(
    study: Study,
    *,
    command: str,
    suppress_below: int | None = None,
    pdf: bool = True,
    processes: int | None = None,
    write_clean: bool = False,
    on_stage: Callable[[str], None] = lambda stage: None,
) -> Outputs:
    """Clean (unless done), build every table, draw the figures, then write figures (PNG 300 dpi,
    SVG, PDF), the report (HTML, PDF unless ``pdf=False``, DOCX, claims check), every table's
    files and the ARD, and last the manifest over all of them (and over the cleaned data when
    ``write_clean`` writes them too).

    Side by side (``processes`` > 1, the default: one per core): another process cleans the
    data and then draws and writes the figures that need only the cleaned data, while this
    one imports the libraries and builds the tables; later the report PDF is made here while a
    child writes the other figures' files and the table files. ``processes=1``: one after
    another in this process, same bytes. ``on_stage`` is called with each stage's name as it
    starts. A failure raises ``analysis.run.parallel.JobFailed`` naming the stage.

    Everything is written into staging folders first and moved into place at the end (stage
    ``"moving the outputs into place"``, then ``on_stage("written")`` once they all are): a
    failure or Ctrl-C before leaves the previous outputs unchanged. Returns the final paths.
    """
    from analysis.write.staging import staged_study

    folders = {"paths.reports": study.config.reports_dir}
    if write_clean or suppress_below:  # the unsuppressed ARD goes to the processed folder
        folders["paths.processed"] = study.config.processed_dir
    with staged_study(study, folders) as staging:
        out = _write_staged(
            study,
            command=command,
            suppress_below=suppress_below,
            pdf=pdf,
            processes=processes,
            write_clean=write_clean,
            on_stage=on_stage,
        )
        on_stage("moving the outputs into place")
        final = out.moved()
        last = [final.manifest] if final.manifest is not None else []
        staging.commit(last=last, then=lambda: on_stage("written"))
    return final


def _write_staged(
    study: Study,
    *,
    command: str,
    suppress_below: int | None,
    pdf: bool,
    processes: int | None,
    write_clean: bool,
    on_stage: Callable[[str], None],
) -> Outputs:
    def clean() -> tuple[CleanResult, list[Path]]:
        return study.clean, study.write_clean() if write_clean else []

    on_stage("clean")
    early_svg, early_png_pdf = _figure_steps(
        study, from_tables=False, suppress_below=suppress_below
    )
    # SVG first: the report needs it; the PNG and PDF files follow in the same process.
    early = Background(
        ("clean", clean), ("figures", early_svg), ("figures", early_png_pdf), processes=processes
    )
    import_libraries()
    cleaned, cleaned_files = cast(tuple["CleanResult", list[Path]], early.result(0))
    study.use_clean(cleaned)  # the same data, pickled back from the other process

    from analysis.figures.study_figures import figure_stems
    from analysis.report.build import write_report, write_tables_docx
    from analysis.report.manifest import write_manifest

    on_stage("tables")
    run_named("tables", lambda: study.ard)  # every table and query before the next fork
    on_stage("figures")
    late_svg, late_png_pdf = _figure_steps(study, from_tables=True, suppress_below=suppress_below)
    svg_files = {
        **cast(dict[str, list[Path]], early.result(1)),
        **run_named("figures", late_svg),
    }
    svg = {stem: svg_files[stem][0] for stem in figure_stems(study.config) if stem in svg_files}
    # The report needs only the SVG files; the other files are written at the same time.
    work: dict[str, Callable[[], object]] = {
        "report": lambda: write_report(
            study,
            figures=svg,
            command=command,
            suppress_below=suppress_below,
            pdf=pdf,
        ),
        "figures": late_png_pdf,
        "tables": lambda: [
            write_tables_docx(study, suppress_below=suppress_below),
            *study.write_tables(suppress_below=suppress_below),
        ],
    }
    on_stage("report, figure files and table files")
    done = run_jobs(work, processes=processes)
    png_pdf = {
        **cast(dict[str, list[Path]], early.result(2)),
        **cast(dict[str, list[Path]], done["figures"]),
    }
    report_files = cast(list[Path], done["report"])
    table_files = cast(list[Path], done["tables"])
    files = {stem: [*paths, *png_pdf.get(stem, [])] for stem, paths in svg_files.items()}
    out = Outputs(
        clean=cleaned_files,
        figures={stem: files[stem] for stem in figure_stems(study.config) if stem in files},
        # tables.docx (written with the table files) is listed with the report
        report=[*report_files, table_files[0]],
        tables=table_files[1:],
    )
    on_stage("manifest")
    everything = sorted(set(out.all()))
    out.manifest = run_named("manifest", lambda: write_manifest(study, everything, command))
    return out
