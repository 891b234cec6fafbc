"""The study report as one self-contained HTML document (inline CSS, images as data URIs).

Over 400 lines as one job: the report's one document, section by section (its styles are
report.css, its figures figure_html, its layout layout).

The same HTML is printed to PDF by WeasyPrint (``analysis.report.pdf``); print rules live in the
stylesheet (A4, page numbers, tables kept whole where they fit). Every string that comes from the
user (config, data labels) is escaped; no patient identifier is ever written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd

from analysis import synthetic as syn
from analysis.clean.shared_text import shared_forms
from analysis.report.figure_html import COLUMN_PX, figure_html, image_size
from analysis.report.layout import NARROW_COLUMNS, Block, arrange
from analysis.report.methods import methods_paragraphs
from analysis.studyfile.config import StudyConfig
from analysis.tables.render import TableResult, escape
from analysis.words import counted

#: One report section: (heading, [table names], [figure stems], intro text, has flow table).
SectionRow = tuple[str, tuple[str, ...], tuple[str, ...], str, bool]


def plan_sections(config: StudyConfig) -> tuple[SectionRow, ...]:
    """The report sections of the study's plan (``analysis.report.sections``, or the generic
    sections of its tables); a section showing a flow diagram also shows the flow table."""
    from analysis.figures.study_figures import figure_specs
    from analysis.studyfile.plan_defaults import effective_plan

    specs = figure_specs(config)
    return tuple(
        (
            sec.heading,
            tuple(sec.tables),
            tuple(sec.figures),
            sec.intro,
            any(specs[f].kind == "flow_diagram" for f in sec.figures if f in specs),
        )
        for sec in effective_plan(config).report.sections
    )


def report_table_order(config: StudyConfig, names: Iterable[str]) -> list[str]:
    """``names`` (the study's tables) in the order the report numbers them: section by
    section, then any table no section shows, in plan order (a study file without an analysis
    plan: as given). ``tables.docx`` and each table's own Word file use it, so their "Table 3"
    is the report's Table 3."""
    names = list(names)
    if getattr(config, "analysis", None) is None:
        return names
    shown = [n for sec in plan_sections(config) for n in sec[1] if n in names]
    shown = list(dict.fromkeys(shown))
    return shown + [n for n in names if n not in shown]


def plan_captions(config: StudyConfig, *, suppress_below: int | None = None) -> dict[str, str]:
    """Caption of every figure of the study's plan, by stem (with ``suppress_below``, saying
    what the figures do not draw)."""
    from analysis.figures.study_figures import figure_caption, figure_specs
    from analysis.report.withheld import caption_note

    note = caption_note(suppress_below) if suppress_below else ""
    return {
        stem: figure_caption(config, f) + ("" if f.kind == "flow_diagram" else note)
        for stem, f in figure_specs(config).items()
    }


@dataclass(frozen=True)
class ReportInputs:
    """Everything the report shows, already computed."""

    title: str
    description: str
    reference: str
    synthetic: bool
    methods: list[str]
    flow: pd.DataFrame
    tables: Mapping[str, TableResult]
    figures: Mapping[str, Path] = field(default_factory=dict)
    claims: pd.DataFrame | None = None
    provenance: Mapping[str, object] = field(default_factory=dict)
    suppress_below: int | None = None
    sections: tuple[SectionRow, ...] = ()
    captions: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    notice: str = ""  # the synthetic-data sentence (``synthetic.notice``)


def report_inputs(
    study,
    *,
    figures: Mapping[str, Path],
    claims: pd.DataFrame | None,  # noqa: ANN001
    provenance: Mapping[str, object],
    suppress_below: int | None = None,
) -> ReportInputs:
    info = study.config.study
    return ReportInputs(
        title=info.title,
        description=info.description,
        reference=info.reference,
        synthetic=info.synthetic,
        notice=syn.notice(study.config) if info.synthetic else "",
        methods=methods_paragraphs(study.config, study.ard),
        flow=study.clean.flow,
        tables=study.tables,
        figures=figures,
        claims=claims,
        provenance=provenance,
        suppress_below=suppress_below,
        sections=plan_sections(study.config),
        captions=plan_captions(study.config, suppress_below=suppress_below),
        warnings=shared_forms(study.clean.warnings),  # no export value in a shared report
    )


def stylesheet() -> str:
    return resources.files("analysis.report").joinpath("report.css").read_text(encoding="utf-8")


def screen_script() -> str:
    """The report's only script (``report.js``): shows the "scroll sideways" cue of a table or
    figure wider than the screen. Without it the report reads the same, less the cue."""
    return resources.files("analysis.report").joinpath("report.js").read_text(encoding="utf-8")


def _frame_table(df: pd.DataFrame, *, label: str, css_class: str = "plain") -> str:
    """A plain table, named ``label`` for a screen reader (it has no numbered title), in a
    sideways-scrolling box a keyboard can scroll."""
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in df.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape('' if pd.isna(v) else v)}</td>" for v in row) + "</tr>"
        for row in df.itertuples(index=False)
    )
    name = escape(label)
    return (
        f'<div class="hscroll" tabindex="0" role="region" aria-label="{name}">'
        f'<table class="{css_class}" aria-label="{name}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _flow_table(flow: pd.DataFrame) -> str:
    shown = flow.rename(
        columns={"label": "Step", "n_excluded": "Excluded", "n_remaining": "Remaining"}
    )[["Step", "Excluded", "Remaining"]]
    shown["Excluded"] = shown["Excluded"].map(lambda v: "" if pd.isna(v) or v == 0 else int(v))
    return _frame_table(shown, label="Patient flow: patients excluded and remaining at each step")


#: Claims-check columns as shown: each claim by its words (its ``text``), not its id.
_CLAIM_HEADS = {
    "text": "Claim",
    "check": "Number",
    "expected": "Expected",
    "computed": "Computed",
    "tolerance": "Tolerance",
    "passed": "Result",
    "note": "Note",
}


#: The ``check`` of a claims row (an ARD stat, or the kind of claim) as the table shows it.
_CHECK_WORDS = {
    "n": "n",
    "N": "N",
    "pct": "%",
    "ratio": "% (n / N)",
    "argmax": "most frequent",
    "events": "events",
    "p_value": "p-value",
    "ci_low": "CI, lower limit",
    "ci_high": "CI, upper limit",
    "estimate": "estimate",
    "sd": "SD",
}


def _claims_table(claims: pd.DataFrame) -> str:
    """The claims check as a table: each claim's words, which of its numbers the row checks
    (a claim of "33 (38.4%) of the 86" has three rows), the numbers, pass/FAIL and the note
    (the claim ids stay in ``claims_check.csv``), under its verdict. A pass of a claim whose
    text states a number it does not check (``fully_checked`` False) reads "pass, in part"."""
    cols = [c for c in _CLAIM_HEADS if c in claims.columns]
    shown = claims[cols].copy()
    for col in ("expected", "computed", "tolerance"):
        if col in shown:
            shown[col] = shown[col].map(_fmt_number)
    if "check" in shown:  # which of a claim's numbers each row checks, in words
        shown["check"] = shown["check"].map(
            lambda c: _CHECK_WORDS.get(str(c), str(c).replace("_", " "))
        )
    from analysis.report.withheld import is_withheld

    withheld = is_withheld(claims)
    passed = (
        claims["passed"].where(~withheld, True).astype(bool)
        if "passed" in claims
        else pd.Series(True, claims.index)
    )
    full = (
        claims["fully_checked"].astype(bool)
        if "fully_checked" in claims
        else pd.Series(True, claims.index)
    )
    if "passed" in shown:
        result = pd.Series("pass", index=claims.index).where(full, "pass, in part")
        shown["passed"] = result.where(passed, "FAIL").where(~withheld, "withheld")
    shown = shown.rename(columns=_CLAIM_HEADS)
    verdict = claims_verdict(claims.get("id", claims.index), passed, full, withheld)
    return f'<p class="verdict">{escape(verdict)}</p>' + _frame_table(
        shown, label="Claims check: each stated number recomputed", css_class="claims"
    )


def claims_verdict(
    ids: pd.Series | pd.Index,
    passed: pd.Series,
    full: pd.Series,
    withheld: pd.Series | None = None,
) -> str:
    """The verdict over a claims check, counted in claims (a claim may have several checks):
    how many are not reproduced, how many are reproduced only in the numbers they check
    (their text states another: ``fully_checked`` False), and how many are withheld under
    suppression (``withheld``: a check whose verdict is not shown; the others of the claim
    are counted as they read)."""
    ids = pd.Series(list(ids), index=passed.index)
    hid = withheld if withheld is not None else pd.Series(False, index=passed.index)
    failed = set(ids[~passed & ~hid])
    apart = set(ids[hid]) - failed
    partial = set(ids[~full]) - failed - apart
    n = ids.nunique()
    if not failed and not partial and not apart:
        return "All claims reproduced."
    said = [f"{len(failed)} of {counted(n, 'claim')} NOT reproduced."] if failed else []
    if partial:
        said.append(
            f"{counted(n - len(failed) - len(partial) - len(apart), 'claim')} reproduced in "
            f"full and {len(partial)} in part only: the claim's text states a number that is "
            'not checked (Result "pass, in part"; the note says which).'
        )
    if apart:
        said.append(
            f'{counted(len(apart), "claim")} withheld under suppression (Result "withheld": '
            "each reads a number the tables hide); the others "
            + ("reproduced." if not failed and not partial else "as said.")
        )
    return " ".join(said)


def _paragraph(text: str) -> str:
    """A paragraph; one ending in a colon leads into the next (a list's heading) and is kept
    on the same page as it."""
    css = ' class="lead-in"' if text.endswith(":") else ""
    return f"<p{css}>{escape(text)}</p>"


def _fmt_number(x: object) -> str:
    """Numbers in the claims table: integers as integers, others to 4 significant digits; a
    level (an argmax claim's, text) as it is: "3.0" expected against the level "3" showed
    "Expected 3, Computed 3, FAIL"."""
    if isinstance(x, str):
        return x
    try:
        f = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "" if x is None else str(x)
    if f != f:  # NaN
        return ""
    return str(int(f)) if f.is_integer() else f"{f:.4g}"


def _provenance(prov: Mapping[str, object]) -> str:
    parts = []
    git = prov.get("git")
    if isinstance(git, Mapping) and git.get("commit"):
        parts.append(
            f"<p>Code: git commit <code>{escape(git.get('commit'))}</code>"
            f"{' (uncommitted changes)' if git.get('dirty') else ''}.</p>"
        )
    elif isinstance(git, Mapping):
        parts.append("<p>Code: not a git checkout (no commit to record).</p>")
    inputs = prov.get("inputs")
    if isinstance(inputs, Mapping) and inputs:
        df = pd.DataFrame({"input": list(inputs), "sha256": list(inputs.values())})
        parts.append(_frame_table(df, label="Input files and their SHA-256", css_class="hashes"))
    if prov.get("command"):
        parts.append(f"<p>Command: <code>{escape(prov['command'])}</code></p>")
    return "".join(parts)


def render_report_html(inputs: ReportInputs) -> str:
    """The whole report as a string of self-contained HTML."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"/>',
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
        f"<title>{escape(inputs.title)}</title>",
        '<meta name="generator" content="retro"/>',
        '<meta name="dcterms.created" content="2000-01-01T00:00:00Z"/>',
        f"<style>{stylesheet()}{syn.page_rule() if inputs.synthetic else ''}</style></head><body>",
        f'<header><h1>{escape(inputs.title)}</h1><p class="lead">{escape(inputs.description)}</p>',
    ]
    if inputs.reference:
        out.append(f'<p class="ref">Reference: {escape(inputs.reference)}</p>')
    if inputs.synthetic:
        out.append(f'<p class="banner">{escape(inputs.notice or syn.NOTICE)}</p>')
    if inputs.suppress_below:
        from analysis.report.withheld import banner

        out.append(f'<p class="banner">{escape(banner(inputs.suppress_below))}</p>')
    for warning in inputs.warnings:
        out.append(f'<p class="banner warning">Warning: {escape(warning)}</p>')
    out.append("</header>")
    out.append(_toc(inputs.sections, claims=inputs.claims is not None))
    out.append("<main>")
    out.append(
        '<section id="methods"><h2>Methods</h2>'
        + "".join(_paragraph(p) for p in inputs.methods)
        + "</section>"
    )
    table_no, fig_no, landscape = 0, 0, False
    for heading, table_names, stems, intro, has_flow in inputs.sections:
        blocks: list[Block] = []
        if has_flow:
            blocks.append(Block("flow", _flow_table(inputs.flow)))
        for stem in stems:
            if stem in inputs.figures:
                fig_no += 1
                caption = inputs.captions.get(stem, stem)
                path = inputs.figures[stem]
                size = image_size(path)
                blocks.append(
                    Block(
                        "figure",
                        figure_html(stem, path, fig_no, caption),
                        column=size is not None and size[0] <= COLUMN_PX,
                    )
                )
        for name in table_names:
            if name in inputs.tables:
                table_no += 1
                blocks.append(
                    _table_block(name, inputs.tables[name], table_no, inputs.suppress_below)
                )
        rows, landscape = arrange(blocks, after_landscape=landscape)
        out.append(_section_html(heading, intro, rows))
    if inputs.claims is not None:
        out.append(
            '<section id="claims-check"><h2>Claims check</h2><p>Each number the '
            "manuscript states, recomputed from the analysis-results frame.</p>"
            + (
                f'<p class="banner synthetic-claims">{escape(syn.CLAIMS_NOTE)}</p>'
                if inputs.synthetic
                else ""
            )
            + _claims_table(inputs.claims)
            + "</section>"
        )
    out.append(
        '<section id="provenance"><h2>Provenance</h2><p>SHA-256 of every input; the '
        "manifest.json next to this report also lists every output.</p>"
        + _provenance(inputs.provenance)
        + "</section>"
    )
    out.append("</main>")
    out.append(f"<script>{screen_script()}</script>")
    out.append("</body></html>")
    return "\n".join(out)


def _is_wide(table: TableResult, suppress_below: int | None) -> bool:
    """Tables with many columns are printed on landscape pages."""
    return table.display(suppress_below=suppress_below).shape[1] > 7


def _table_block(name: str, table: TableResult, number: int, suppress_below: int | None) -> Block:
    """A table of the report as a block: kept whole on a page when short (<= 25 rows), also on
    the landscape pages; wide (landscape) with more than 7 columns; narrow (fits beside a
    column-wide figure) when short with at most ``NARROW_COLUMNS`` columns."""
    shown = table.display(suppress_below=suppress_below)
    short = len(shown) <= 25
    rendered = table.to_report_html(suppress_below=suppress_below, number=number)
    return Block(
        "table",
        f'<div class="table{" short" if short else ""}" id="tbl-{escape(name)}">{rendered}</div>',
        wide=_is_wide(table, suppress_below),
        narrow=short and shown.shape[1] <= NARROW_COLUMNS,
    )


def _section_html(heading: str, intro: str, rows: list[tuple[str, bool]]) -> str:
    """A section: its heading travels with its first row (WeasyPrint does not always honour
    break-after: avoid on headings before a block that moves to the next page); rows printed
    on landscape pages carry the class ``landscape``."""
    head = f"<h2>{escape(heading)}</h2>" + (f"<p>{escape(intro)}</p>" if intro else "")
    first, first_landscape = rows[0] if rows else ("", False)
    css = "keep" + (" landscape" if first_landscape else "")
    if first.startswith('<div class="table"'):
        css += " long"  # a long table may break across pages: so may the block holding it
    parts = [f'<div class="{css}">{head}{first}</div>']
    parts += [
        f'<div class="block{" landscape" if ls else ""}">{html}</div>' for html, ls in rows[1:]
    ]
    return f'<section id="{_anchor(heading)}">' + "".join(parts) + "</section>"


def _anchor(heading: str) -> str:
    return heading.lower().replace(" ", "-").replace("/", "-")


def _toc(sections: tuple[SectionRow, ...], *, claims: bool = True) -> str:
    extra = ["Claims check"] if claims else []
    items = ["Methods", *[s[0] for s in sections], *extra, "Provenance"]
    links = "".join(f'<li><a href="#{_anchor(h)}">{escape(h)}</a></li>' for h in items)
    return f'<nav class="toc" aria-label="Contents"><ol>{links}</ol></nav>'
