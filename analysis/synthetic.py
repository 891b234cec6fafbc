"""How the outputs of a study on synthetic data say so: one wording for every output.

A study file marks its data as synthetic with ``study.synthetic: true`` (the shipped studies run
on synthetic twins calibrated to their published aggregates, written by ``retro synth``). Then
every output carries the mark, so that no figure, table or page can be taken for patient data
once it is copied out of the report:

- report HTML: the banner on page 1 (``report/html.py``); report PDF: that banner and a running
  header on every page (an ``@page`` rule added to the stylesheet, :func:`page_rule`); the
  claims check: a note that the twin was calibrated to these very numbers (:data:`CLAIMS_NOTE`);
- figures: a small grey "Synthetic data" in the top-right corner (``figures/study_figures.py``,
  ``mark_synthetic``), so also the figures of the report and of the notebooks;
- ``tables.docx`` and each table's DOCX: a page header on every page; each table's XLSX: the
  mark in cell A2 (between the title and the table, which starts in row 3 as before) and in the
  printed page header; each table's HTML: a line above the table;
- each table's CSV (the formatted table, for reading): a first line ``# Synthetic data: ...``
  (:func:`csv_line`); read it with ``pandas.read_csv(path, skiprows=1)``. The files that tools
  parse keep their plain form: ``ard.csv``, ``ard.parquet`` and ``claims_check.csv`` (their
  numbers are those of the published record, golden files compare them) are marked by
  ``manifest.json`` (``study.synthetic``) and by :data:`SIDECAR` beside them;
- the executed notebooks: a first markdown cell (``run/notebooks.py``); ``retro clean`` and
  ``retro run``: a line before the patient flow and after the claims check (``run/cli_summary.py``).

A study with ``synthetic: false`` (the default) shows none of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analysis.studyfile.config import StudyConfig

#: The short mark: figure corners, page headers.
MARK = "Synthetic data"
#: The sentence: banners, notebooks, the command line, the sidecar file. (No comma: it is also
#: the first line of a CSV file, where a comma would split it across cells.)
NOTICE = (
    "Synthetic data: these results come from a synthetic twin of the study calibrated to its "
    "published aggregates and not from patient records."
)
#: The sentence of synthetic data that were not made as a study's twin (``retro synth`` did not
#: write them): nothing says they were calibrated to anything.
NOTICE_UNCALIBRATED = (
    "Synthetic data: these results come from synthetic records and not from patient records."
)
#: Under the claims check: why "all claims reproduced" is no evidence for the method.
CLAIMS_NOTE = (
    "The synthetic twin was generated to match these published numbers, so reproducing them "
    "checks the pipeline's arithmetic end to end; it is not evidence that the method or the "
    "published results are right."
)
#: The file beside ``ard.csv`` that says the study's data are synthetic (its name says it in
#: any listing of the folder).
SIDECAR = "SYNTHETIC-DATA.txt"


#: What ``retro synth`` leaves in a raw folder it wrote (``analysis.datasets``).
TWIN_MANIFEST = ".synthetic-manifest.json"


def is_synthetic(config: StudyConfig) -> bool:
    """Whether the study file marks its data as synthetic (``study.synthetic``)."""
    study = getattr(config, "study", None)
    return bool(getattr(study, "synthetic", False))


def notice(config: StudyConfig) -> str:
    """The sentence of a synthetic study: :data:`NOTICE` for a twin written by ``retro synth``
    (its raw folder holds :data:`TWIN_MANIFEST`), else :data:`NOTICE_UNCALIBRATED`."""
    return NOTICE if twin_folders(config) else NOTICE_UNCALIBRATED


def csv_line(sentence: str = NOTICE) -> str:
    """The first line of a table's CSV file for a synthetic study (with its line end)."""
    return f"# {sentence}\n"


def html_line(sentence: str = NOTICE) -> str:
    """The line above a table's HTML file (``tables/<name>.html``) for a synthetic study."""
    rest = sentence.removeprefix(f"{MARK}: ")
    return f'<p class="synthetic-mark" style="color:#595959"><strong>{MARK}</strong>: {rest}</p>\n'


def notebook_cell(sentence: str = NOTICE) -> str:
    """The markdown of the first cell of each executed notebook of a synthetic study."""
    rest = sentence.removeprefix(f"{MARK}: ")
    return f"**{MARK}.** {rest[:1].upper()}{rest[1:]}"


def page_rule() -> str:
    """The CSS rule that prints :data:`MARK` at the top left of every page of the PDF."""
    return (
        f'@page {{ @top-left {{ content: "{MARK}"; font-size: 7.5pt; color: #777; '
        "font-weight: bold; } }"
    )


def sidecar_text(sentence: str = NOTICE) -> str:
    """The text of :data:`SIDECAR`."""
    return (
        f"{sentence}\n\nEvery output of this folder was computed from synthetic data: the report, "
        "the figures, the tables and the analysis-results frame (ard.csv, ard.parquet), whose "
        "plain form tools read is unmarked. manifest.json records it as study.synthetic.\n"
    )


__all__ = [
    "CLAIMS_NOTE",
    "MARK",
    "NOTICE",
    "NOTICE_UNCALIBRATED",
    "SIDECAR",
    "TWIN_MANIFEST",
    "csv_line",
    "html_line",
    "is_synthetic",
    "notebook_cell",
    "notice",
    "page_rule",
    "sidecar_text",
    "twin_folders",
    "unmarked_twin_warning",
]


def unmarked_twin_warning(config: StudyConfig) -> str | None:
    """A warning when a raw folder of the study was written by ``retro synth`` (it holds
    ``.synthetic-manifest.json``) but the study file does not say ``study.synthetic: true``:
    the outputs would not say their data are synthetic."""
    if is_synthetic(config):
        return None
    marked = twin_folders(config)
    if not marked:
        return None
    from analysis.clean.shared_text import Quoting

    said = (
        f"holds {TWIN_MANIFEST}: its files were generated by `retro synth` (synthetic data), "
        "but the study file does not say `study.synthetic: true`, so the outputs will not say "
        "their data are synthetic. Set it in the study file."
    )
    return Quoting(f"the raw folder {marked[0]} {said}", f"a raw folder of the study {said}")


def twin_folders(config: StudyConfig) -> list[Path]:
    """The raw folders of the study that ``retro synth`` wrote (they hold
    :data:`TWIN_MANIFEST`)."""
    folders = sorted({config.raw_dir, *(config.source_path(s).parent for s in config.sources)})
    return [f for f in folders if (f / TWIN_MANIFEST).is_file()]
