"""The study report as one self-contained HTML document (inline CSS, images as data URIs).

The same HTML is printed to PDF by WeasyPrint (``analysis.report.pdf``); print rules live in the
stylesheet (A4, page numbers, tables kept whole where they fit). Every string that comes from the
user (config, data labels) is escaped; no patient identifier is ever written.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd

from analysis.report.methods import methods_paragraphs
from analysis.studyfile.config import StudyConfig
from analysis.tables.render import TableResult, escape

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
        methods=methods_paragraphs(study.config, study.ard),
        flow=study.clean.flow,
        tables=study.tables,
        figures=figures,
        claims=claims,
        provenance=provenance,
        suppress_below=suppress_below,
        sections=plan_sections(study.config),
        captions=plan_captions(study.config, suppress_below=suppress_below),
        warnings=tuple(study.clean.warnings),
    )


def stylesheet() -> str:
    return resources.files("analysis.report").joinpath("report.css").read_text(encoding="utf-8")


def _figure(stem: str, path: Path, number: int, caption: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    mime = "image/svg+xml" if path.suffix == ".svg" else "image/png"
    return (
        f'<figure id="fig-{escape(stem)}"><img alt="{escape(caption)}" '
        f'src="data:{mime};base64,{data}"/><figcaption><b>Figure {number}.</b> '
        f"{escape(caption)}</figcaption></figure>"
    )


def _frame_table(df: pd.DataFrame, *, css_class: str = "plain") -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in df.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape('' if pd.isna(v) else v)}</td>" for v in row) + "</tr>"
        for row in df.itertuples(index=False)
    )
    return f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _flow_table(flow: pd.DataFrame) -> str:
    shown = flow.rename(
        columns={"label": "Step", "n_excluded": "Excluded", "n_remaining": "Remaining"}
    )[["Step", "Excluded", "Remaining"]]
    shown["Excluded"] = shown["Excluded"].map(lambda v: "" if pd.isna(v) or v == 0 else int(v))
    return _frame_table(shown)


def _claims_table(claims: pd.DataFrame) -> str:
    cols = [
        c
        for c in ("id", "text", "expected", "computed", "tolerance", "passed", "note")
        if c in claims.columns
    ]
    shown = claims[cols].copy()
    for col in ("expected", "computed", "tolerance"):
        if col in shown:
            shown[col] = shown[col].map(_fmt_number)
    if "passed" in shown:
        shown["passed"] = shown["passed"].map({True: "pass", False: "FAIL"})
    n_fail = int((~claims["passed"].astype(bool)).sum()) if "passed" in claims else 0
    verdict = "All claims reproduced." if n_fail == 0 else f"{n_fail} claim(s) NOT reproduced."
    return f'<p class="verdict">{escape(verdict)}</p>' + _frame_table(shown, css_class="claims")


def _fmt_number(x: object) -> str:
    """Numbers in the claims table: integers as integers, others to 4 significant digits."""
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
        parts.append(_frame_table(df, css_class="hashes"))
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
        f"<style>{stylesheet()}</style></head><body>",
        f'<header><h1>{escape(inputs.title)}</h1><p class="lead">{escape(inputs.description)}</p>',
    ]
    if inputs.reference:
        out.append(f'<p class="ref">Reference: {escape(inputs.reference)}</p>')
    if inputs.synthetic:
        out.append(
            '<p class="banner">Synthetic data: these results come from a synthetic twin '
            "of the study calibrated to its published aggregates, not from patient "
            "records.</p>"
        )
    if inputs.suppress_below:
        from analysis.report.withheld import banner

        out.append(f'<p class="banner">{escape(banner(inputs.suppress_below))}</p>')
    for warning in inputs.warnings:
        out.append(f'<p class="banner warning">Warning: {escape(warning)}</p>')
    out.append("</header>")
    out.append(_toc(inputs.sections, claims=inputs.claims is not None))
    out.append(
        '<section id="methods"><h2>Methods</h2>'
        + "".join(f"<p>{escape(p)}</p>" for p in inputs.methods)
        + "</section>"
    )
    table_no, fig_no = 0, 0
    for heading, table_names, stems, intro, has_flow in inputs.sections:
        wide = any(
            _is_wide(inputs.tables[n], inputs.suppress_below)
            for n in table_names
            if n in inputs.tables
        )
        css = ' class="wide"' if wide else ""
        head = f"<h2>{escape(heading)}</h2>" + (f"<p>{escape(intro)}</p>" if intro else "")
        body: list[str] = []
        if has_flow:
            body.append(_flow_table(inputs.flow))
        for stem in stems:
            if stem in inputs.figures:
                fig_no += 1
                caption = inputs.captions.get(stem, stem)
                body.append(_figure(stem, inputs.figures[stem], fig_no, caption))
        for name in table_names:
            if name in inputs.tables:
                table_no += 1
                t = inputs.tables[name]
                rendered = t.to_report_html(suppress_below=inputs.suppress_below, number=table_no)
                # a table that fits on a page is kept whole, also on the landscape pages
                short = (
                    " short" if len(t.display(suppress_below=inputs.suppress_below)) <= 25 else ""
                )
                body.append(f'<div class="table{short}" id="tbl-{escape(name)}">{rendered}</div>')
        # The heading travels with the section's first block (WeasyPrint does not always honour
        # break-after: avoid on headings before a block that moves to the next page).
        first = body[0] if body else ""
        out.append(
            f'<section id="{_anchor(heading)}"{css}><div class="keep">{head}{first}</div>'
            + "".join(body[1:])
            + "</section>"
        )
    if inputs.claims is not None:
        out.append(
            '<section id="claims-check"><h2>Claims check</h2><p>Each number the '
            "manuscript states, recomputed from the analysis-results frame.</p>"
            + _claims_table(inputs.claims)
            + "</section>"
        )
    out.append(
        '<section id="provenance"><h2>Provenance</h2><p>SHA-256 of every input; the '
        "manifest.json next to this report also lists every output.</p>"
        + _provenance(inputs.provenance)
        + "</section>"
    )
    out.append("</body></html>")
    return "\n".join(out)


def _is_wide(table: TableResult, suppress_below: int | None) -> bool:
    """Tables with many columns are printed on landscape pages."""
    return table.display(suppress_below=suppress_below).shape[1] > 7


def _anchor(heading: str) -> str:
    return heading.lower().replace(" ", "-").replace("/", "-")


def _toc(sections: tuple[SectionRow, ...], *, claims: bool = True) -> str:
    extra = ["Claims check"] if claims else []
    items = ["Methods", *[s[0] for s in sections], *extra, "Provenance"]
    links = "".join(f'<li><a href="#{_anchor(h)}">{escape(h)}</a></li>' for h in items)
    return f'<nav class="toc"><ol>{links}</ol></nav>'
