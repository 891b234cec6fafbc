"""Participant flow (STROBE / CONSORT style): counts from the flow and exclusion logs, then boxes.

``flow_counts`` is pure and holds every number of the diagram; ``plot_flow_diagram`` only
places boxes sized to their text and the arrows between them.

Over 400 lines as one job: the flow diagram's counts and its layout, whose boxes are sized to the
very text the counts give.
"""

from __future__ import annotations

import re
import textwrap
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

from analysis.clean.flow import unusable_words
from analysis.errors import ArgumentError
from analysis.figures.theme import DOUBLE_COLUMN_IN, FONT_PT, SMALL_FONT_PT
from analysis.studyfile.design import slug
from analysis.words import UNIT_WORDS, in_sentence

FLOW_COLUMNS = ["stage", "kind", "key", "parent", "label", "n"]
_NEGATE = {
    ">=": "<",
    ">": "≤",
    "<=": ">",
    "<": "≥",
    "==": "≠",
    "!=": "=",
    "in": "not in",
    "not_in": "in",
}
_PRE_SCREEN = {
    "duplicate": "exact duplicate rows merged",
    "conflict": "extra rows of conflicting ids",
}


def _no_usable_record(label: str) -> str:
    """The diagram's words for the flow step of patients without a usable record, from its
    label ("Patient records unusable (a label no vocabulary maps)")."""
    why = re.search(r"\((.*)\)$", label)
    return f"no usable record ({why.group(1) if why else unusable_words(set())})"


#: merged duplicate rows that lack a value the record kept has (no value differs)
_MERGED = "duplicate rows merged (values missing, none differing)"


def criterion_reason(where: Iterable[Any], nouns: Mapping[str, str] | None = None) -> str:
    """Why a patient fails an inclusion criterion, in words: the negation of its conditions.

    ``[{column: followup_months, op: ">=", value: 6}]`` -> ``"follow-up < 6 months"``;
    ``[{column: n_exposures, op: ">=", value: 1}]`` with ``nouns={"n_exposures": "session"}``
    -> ``"no session recorded"``. Conditions are objects or dicts with ``column, op, value``;
    several are joined with "or". ``nouns`` names what a count column counts (the study's
    words); by default the column name says it.
    """
    parts = []
    for cond in where:
        get = cond.get if isinstance(cond, Mapping) else lambda k, c=cond: getattr(c, k, None)
        column, op, value = str(get("column")), str(get("op")), get("value")
        words = column.split("_")
        unit = words.pop() if len(words) > 1 and words[-1] in UNIT_WORDS else ""
        is_count = len(words) > 1 and words[0] == "n"
        noun = " ".join(words[1:] if is_count else words).replace("followup", "follow-up")
        if is_count and op == ">=" and value == 1:
            counted = (nouns or {}).get(column) or noun.removesuffix("s")
            parts.append(f"no {counted} recorded")
        elif op == "is_missing":
            parts.append(f"{noun} recorded")
        elif op == "not_missing":
            parts.append(f"{noun} missing")
        else:
            shown = f"{value:g}" if isinstance(value, int | float) else str(value)
            parts.append(
                " ".join(p for p in (noun, _NEGATE.get(op, f"not {op}"), shown, unit) if p)
            )
    return " or ".join(parts)


_MISSING = re.compile(r"\((?P<columns>(?:`[^`]+`(?:, )?)+) missing\)$")


def _with_missing_apart(
    reason: str, n: int, rows: pd.DataFrame, step: str
) -> list[tuple[str, int]]:
    """The exclusion reason of an inclusion step, with the patients excluded because a value it
    compares is missing (their log reason ends "(`age_years` missing)") on a line of their own:
    "age < 30 years" counted 57 patients of whom 5 had no age."""
    if not step.startswith("inclusion:") or "reason" not in rows:
        return [(reason, n)]
    logged = rows.loc[rows["step"].astype(str) == step, "reason"].astype(str)
    found = logged.str.extract(_MISSING, expand=False).dropna()
    if found.empty:
        return [(reason, n)]
    missing = []
    for columns, count in found.value_counts(sort=False).items():
        names = re.findall(r"`([^`]+)`", str(columns))
        missing.append(
            (
                " or ".join(criterion_reason([{"column": c, "op": "not_missing"}]) for c in names),
                int(count),
            )  # fmt: skip
        )
    compared = n - sum(c for _, c in missing)
    return ([(reason, compared)] if compared else []) + missing


def _unpack(
    data: Any, patients: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """(flow, exclusions, patients, raw_counts) from a CleanResult, a mapping or a pair."""
    if isinstance(data, Mapping):
        flow, excl = data["flow"], data["exclusions"]
        pats, raw = data.get("patients", patients), data.get("raw_counts")
    elif isinstance(data, tuple | list):
        flow, excl = data[0], data[1]
        pats, raw = patients, None
    else:
        flow, excl = data.flow, data.exclusions
        pats = patients if patients is not None else getattr(data, "patients", None)
        raw = getattr(data, "raw_counts", None)
    return flow, excl, pats, raw


def flow_counts(
    data: Any,
    *,
    patients: pd.DataFrame | None = None,
    split: str | None = "therapy_group",
    reasons: Mapping[str, str] | None = None,
    patient_table: str = "patients",
    split_labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Every box and exclusion reason of the participant-flow diagram, with its count.

    ``split_labels``: the words of the ``split`` column's levels (the study's labels, as the
    tables show them); a level without one is shown with a capital.

    Parameters
    ----------
    data : a ``CleanResult`` (``.flow``, ``.exclusions``, ``.patients``, ``.raw_counts``), a
        mapping with those keys, or a ``(flow, exclusions)`` pair.
    patients : the included patients, when ``data`` does not carry them (needed for ``split``).
    split : patient column whose levels become parallel boxes after inclusion (``None``: none).
        A ``subgroup:<name>`` flow row whose name contains the level's slug hangs under it.
    reasons : flow ``step`` -> short wording of its exclusion reason (e.g. from
        :func:`criterion_reason`); default "not met: <criterion label>".
    patient_table : the exclusion-log ``table`` of patient rows.

    Returns
    -------
    DataFrame with ``stage, kind, key, parent, label, n``: ``kind`` "box" (main boxes, top to
    bottom), "exclusion" (a side box leaving its ``parent`` box, ``n`` its total) and "reason"
    (a line of its ``parent`` exclusion box). Counts add up: each box = the box above - the
    exclusions between them.

    Notes
    -----
    "Patient records in the exports" are the rows read from the patient sources
    (``raw_counts``) or, without them, the unique ids screened plus the patient rows removed
    before screening; the ids of a conflicting duplicate are counted once among the screened.
    """
    flow, excl, pats, raw = _unpack(data, patients)
    reasons = dict(reasons or {})
    flow = flow.reset_index(drop=True)
    is_sub = flow["step"].astype(str).str.startswith("subgroup:")
    main, subs = flow.loc[~is_sub], flow.loc[is_sub]
    if main.empty or main["step"].iloc[0] != "screened":
        raise ArgumentError(
            "flow_counts: the flow table must start with the 'screened' step (from clean_study); "
            f"found steps {list(flow['step'])}."
        )
    screened = int(main["n_remaining"].iloc[0])
    p_rows = excl.loc[excl["table"].astype(str) == patient_table]
    pre = p_rows.loc[
        ~p_rows["step"].astype(str).str.startswith("inclusion:")
        & (p_rows["step"].astype(str) != "patient_excluded")
    ]
    pre_reasons: list[tuple[str, int]] = []
    # patients none of whose records could be used: among the screened ids, excluded next
    unread = main.loc[main["step"] == "unreadable", "n_excluded"]
    unread_ids = int(unread.iloc[0]) if len(unread) else 0
    read_rows, read_steps = 0, set()
    for step, grp in pre.groupby("step", sort=False):
        if step not in _PRE_SCREEN and unread_ids:
            read_rows += len(grp)  # rows removed while reading, of those patients or others
            read_steps.add(str(step))
            continue
        if step == "duplicate":  # exact copies apart from copies lacking a value
            said = grp["reason"].astype(str) if "reason" in grp else None
            n_exact = len(grp) if said is None else int(said.str.endswith("(same values)").sum())
            pre_reasons += [
                (label, n)
                for label, n in ((_PRE_SCREEN["duplicate"], n_exact), (_MERGED, len(grp) - n_exact))
                if n
            ]
            continue
        extra = len(grp) - grp["patient_id"].nunique() if step == "conflict" else len(grp)
        if extra:
            pre_reasons.append((_PRE_SCREEN.get(str(step), f"rows removed at '{step}'"), extra))
    if read_rows > unread_ids:  # the other rows of a patient, or of one with a usable record
        pre_reasons.append((f"rows with {unusable_words(read_steps)}", read_rows - unread_ids))
    exports = "exports"
    if raw is not None and len(raw):
        read = raw.loc[raw["table"] == patient_table]
        records = int(read["rows_read"].sum())
        if "source_file" in read and read["source_file"].nunique() == 1:
            exports = "export"  # one file holds every patient record
    else:
        records = screened + sum(n for _, n in pre_reasons)
    rows: list[dict[str, Any]] = [
        _box(0, "records", "", f"Patient records in the {exports}", records)
    ]
    unexplained = records - screened - sum(n for _, n in pre_reasons)
    if unexplained:
        pre_reasons.append(("rows without a matching log entry", unexplained))
    if pre_reasons:
        rows += _exclusion(0, "records", "Duplicate rows", pre_reasons)
    rows.append(_box(1, "screened", "records", str(main["label"].iloc[0]), screened))
    stage_reasons = []
    for rec in main.iloc[1:].to_dict("records"):
        step, n = str(rec["step"]), int(rec["n_excluded"])
        default = (
            "conflicting duplicate records"
            if step == "conflict"
            else _no_usable_record(str(rec["label"]))
            if step == "unreadable"
            else f"not met: {in_sentence(str(rec['label']))}"
        )
        if n:
            stage_reasons += _with_missing_apart(reasons.get(step, default), n, p_rows, step)
    if stage_reasons:
        rows += _exclusion(1, "screened", "Excluded", stage_reasons)
    included = int(main["n_remaining"].iloc[-1])
    rows.append(_box(2, "included", "screened", "Patients included", included))
    rows += _split_rows(subs, pats, split, included, split_labels or {})
    return pd.DataFrame(rows, columns=FLOW_COLUMNS).astype({"stage": int, "n": int})


def _split_rows(
    subs: pd.DataFrame,
    pats: pd.DataFrame | None,
    split: str | None,
    included: int,
    words: Mapping[str, str],
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    sub_recs = subs.to_dict("records")
    used: set[str] = set()
    if split is not None and pats is not None and split in pats:
        if len(pats) != included:
            raise ArgumentError(
                f"flow_counts: `patients` has {len(pats)} rows but the flow includes {included}; "
                "pass the included patients of the same CleanResult."
            )
        s = pats[split]
        levels = (
            [str(c) for c in s.cat.categories]
            if isinstance(s.dtype, pd.CategoricalDtype)
            else sorted(s.dropna().astype(str).unique())
        )
        counts = s.astype(str).value_counts()
        for lv in levels:
            key = f"{split}:{lv}"
            # whole words only: level "male" must not match subgroup "female_assessable"
            match = [
                r
                for r in sub_recs
                if f"_{slug(lv)}_" in f"_{str(r['step']).removeprefix('subgroup:')}_"
            ]
            label = words.get(lv, f"{lv[:1].upper()}{lv[1:]}")
            sub = match[0] if len(match) == 1 else None
            if sub is not None and ", " in str(sub["label"]) and lv not in words:
                label = str(sub["label"]).split(", ", 1)[0]
            n_lv = int(counts.get(lv, 0))
            rows.append(_box(3, key, "included", label, n_lv))
            if sub is None:
                continue
            used.add(str(sub["step"]))
            n_sub = int(sub["n_remaining"])
            criterion = str(sub["label"]).split(", ", 1)[-1]
            if n_lv - n_sub:
                rows.append(
                    _row(3, "exclusion", f"{key}:not", key, _negate(criterion), n_lv - n_sub)
                )
            rows.append(_box(4, str(sub["step"]), key, _upper_first(criterion), n_sub))
    for r in sub_recs:
        if str(r["step"]) not in used:
            rows.append(_box(4, str(r["step"]), "included", str(r["label"]), int(r["n_remaining"])))
    return rows


def _row(stage: int, kind: str, key: str, parent: str, label: str, n: int) -> dict[str, Any]:
    return {"stage": stage, "kind": kind, "key": key, "parent": parent, "label": label, "n": n}


def _box(stage: int, key: str, parent: str, label: str, n: int) -> dict[str, Any]:
    return _row(stage, "box", key, parent, label, n)


def _exclusion(
    stage: int, parent: str, header: str, reasons: list[tuple[str, int]]
) -> list[dict[str, Any]]:
    key = f"{parent}:excluded"
    out = [_row(stage, "exclusion", key, parent, header, sum(n for _, n in reasons))]
    out += [_row(stage, "reason", f"{key}:{i}", key, r, n) for i, (r, n) in enumerate(reasons)]
    return out


def _negate(criterion: str) -> str:
    """ "response assessable at 12 months" -> "Response not assessable at 12 months"."""
    words = criterion.split(" ")
    for i, w in enumerate(words):
        if w.endswith(("able", "ible")):
            return _upper_first(" ".join([*words[:i], "not", *words[i:]]))
    return f"Not {criterion}"


def _upper_first(s: str) -> str:
    return s[:1].upper() + s[1:]


# ------------------------------------------------------------------ drawing ----------------

_PAD = 0.45  # box padding, in units of the font size
_GAP_X = 0.025  # axes fraction between an arrow and a side box
_TOO_SHORT = "need more height than the Axes has"
# (wrap width, font size) of parallel boxes, as fractions of the given ones, tried in turn
_COLUMN_FITS = [
    (1.0, 1.0),
    (0.8, 1.0),
    (0.65, 1.0),
    (0.5, 1.0),
    (0.5, 0.9),
    (0.45, 0.8),
    (0.4, 0.7),
]


def plot_flow_diagram(
    data: Any,
    *,
    ax: Axes | None = None,
    box_chars: int = 34,
    side_chars: int = 44,
    fontsize: float = FONT_PT,
    side_fontsize: float = SMALL_FONT_PT,
) -> Axes:
    """STROBE/CONSORT-style flow diagram: main boxes top to bottom, exclusions to the side.

    ``data`` is a ``flow_counts`` frame, or anything ``flow_counts`` accepts. Text is wrapped
    at ``box_chars`` / ``side_chars`` characters; every box is sized to its text and the rows
    are spread over the height of ``ax`` (a warning says when the text does not fit).
    """
    counts = (
        data if isinstance(data, pd.DataFrame) and "kind" in data.columns else flow_counts(data)
    )
    ax = plt.gca() if ax is None else ax
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    boxes = counts.loc[counts["kind"] == "box"]
    excl = counts.loc[counts["kind"] == "exclusion"]

    def main_text(r: Mapping[str, Any], chars: int = box_chars) -> str:
        return f"{_wrap(str(r['label']), chars)}\n(n = {int(r['n'])})"

    def side_text(key: str, r: Mapping[str, Any], chars: int) -> str:
        lines = [_wrap(f"{r['label']} (n = {int(r['n'])})", chars)]
        for rr in counts.loc[counts["parent"] == key].to_dict("records"):
            lines.append(_wrap(f"• {rr['label']} (n = {int(rr['n'])})", chars, indent="  "))
        return "\n".join(lines)

    main_keys = [k for k in boxes["key"] if not str(k).count(":")] or list(boxes["key"])
    by_key = {str(r["key"]): r for r in counts.to_dict("records")}
    texts: dict[str, Text] = {}
    for key in boxes["key"]:
        texts[str(key)] = _box_text(ax, main_text(by_key[str(key)]), fontsize, "center")
    split_keys = [k for k in boxes["key"] if by_key[k]["stage"] == 3]
    sub_keys = [k for k in boxes["key"] if by_key[k]["stage"] == 4]
    # a subgroup under no split box hangs from the last main box, as a column beside them
    under = [k for k in sub_keys if by_key[k]["parent"] in split_keys]
    top_keys = [*split_keys, *(k for k in sub_keys if k not in under)]
    n_cols = max(len(top_keys), 1)
    col_side_chars = max(side_chars * 3 // (5 * n_cols), 24)
    for r in excl.to_dict("records"):
        chars = side_chars if by_key[str(r["parent"])]["stage"] < 3 else col_side_chars
        texts[str(r["key"])] = _box_text(ax, side_text(str(r["key"]), r, chars), side_fontsize)
    col_side = [str(r["key"]) for r in excl.to_dict("records") if r["parent"] in top_keys]

    # rows, top to bottom: (keys in the row, is a side row)
    rows: list[tuple[list[str], bool]] = []
    for key in main_keys:
        rows.append(([key], False))
        side = [str(k) for k in excl.loc[excl["parent"] == key, "key"]]
        if side:
            rows.append((side, True))
    if top_keys:
        rows.append((top_keys, False))
        if col_side:
            rows.append((col_side, True))
    if under:
        rows.append((under, False))
    margin = 0.01

    # Parallel columns side by side, their side boxes just right of their arrows. When they are
    # wider than the Axes, their text is wrapped narrower, then set smaller, until it fits.
    for chars_scale, font_scale in _COLUMN_FITS:
        if (chars_scale, font_scale) != _COLUMN_FITS[0]:
            for k in [*top_keys, *under]:
                texts[k].set_text(main_text(by_key[k], max(int(box_chars * chars_scale), 12)))
                texts[k].set_fontsize(fontsize * font_scale)
            for k in col_side:
                chars = max(int(col_side_chars * chars_scale), 12)
                texts[k].set_text(side_text(k, by_key[k], chars))
                texts[k].set_fontsize(side_fontsize * font_scale)
        size = {k: _size(ax, t, float(t.get_fontsize())) for k, t in texts.items()}
        col_w = max([size[k][0] for k in [*top_keys, *under]] or [0.0])
        x_cols = _column_centres(top_keys, col_w, excl, by_key, size, margin)
        x_main = (
            float(np.mean(x_cols)) if x_cols else margin + max(size[k][0] for k in main_keys) / 2
        )
        x_main = max(x_main, margin + max(size[k][0] for k in main_keys) / 2)
        col_of = {k: x_cols[i] for i, k in enumerate(top_keys)}
        for k in under:
            col_of[k] = col_of[str(by_key[k]["parent"])]
        lefts, rights = [], []
        for keys, is_side in rows:
            for k in keys:
                x = col_of.get(str(by_key[k]["parent"]) if is_side else k, x_main)
                lefts.append(x + _GAP_X if is_side else x - size[k][0] / 2)
                rights.append(x + _GAP_X + size[k][0] if is_side else x + size[k][0] / 2)
        if max(rights) - min(lefts) <= 1 - 2 * margin or not top_keys:
            break
    else:
        warnings.warn(
            f"plot_flow_diagram: the {len(top_keys)} parallel boxes need more width than the Axes "
            "has; use a wider figure or smaller `fontsize`.",
            stacklevel=2,
        )
    heights = [max(size[k][1] for k in keys) for keys, _ in rows]
    free = 1 - 2 * margin - sum(heights)
    gap = free / max(len(rows) - 1, 1)
    if gap < 0.015:
        warnings.warn(
            f"plot_flow_diagram: the boxes {_TOO_SHORT}; use a taller figure or smaller "
            "`box_chars`/`fontsize`.",
            stacklevel=2,
        )

    # centre the whole diagram horizontally
    dx = max((1 - max(rights) - min(lefts)) / 2, margin - min(lefts))
    x_main += dx
    col_of = {k: x + dx for k, x in col_of.items()}

    y = 1 - margin
    centre: dict[str, tuple[float, float]] = {}
    for (keys, is_side), h in zip(rows, heights, strict=True):
        yc = y - h / 2
        for k in keys:
            parent = str(by_key[k]["parent"])
            if is_side:
                x_arrow = col_of.get(parent, x_main)
                left = x_arrow + _GAP_X
                texts[k].set_position((left + _pad_x(ax, texts[k]), yc))
                centre[k] = (left + size[k][0] / 2, yc)
                _arrow(ax, (x_arrow, yc), (left, yc))
            else:
                x = col_of.get(k, x_main)
                texts[k].set_position((x, yc))
                centre[k] = (x, yc)
        y -= h + gap

    def bottom(k: str) -> float:
        return centre[k][1] - size[k][1] / 2

    def top(k: str) -> float:
        return centre[k][1] + size[k][1] / 2

    for a, b in zip(main_keys[:-1], main_keys[1:], strict=True):
        _arrow(ax, (x_main, bottom(a)), (x_main, top(b)))
    last = main_keys[-1]
    children = top_keys
    if children:
        y_bar = (bottom(last) + max(top(k) for k in children)) / 2
        xs = [centre[k][0] for k in children]
        ax.plot([x_main, x_main], [bottom(last), y_bar], color="0.2", lw=0.8, clip_on=False)
        ax.plot([min(xs), max(xs)], [y_bar, y_bar], color="0.2", lw=0.8, clip_on=False)
        for k in children:
            _arrow(ax, (centre[k][0], y_bar), (centre[k][0], top(k)))
    for k in sub_keys:
        parent = str(by_key[k]["parent"])
        if parent in split_keys:
            _arrow(ax, (centre[k][0], bottom(parent)), (centre[k][0], top(k)))
    return ax


def flow_figure(
    data: Any,
    *,
    width: float = DOUBLE_COLUMN_IN,
    height: float = 4.4,
    max_height: float = 11.0,
    **kwargs: Any,
) -> Figure:
    """A Figure ``width`` x ``height`` inches holding :func:`plot_flow_diagram` over its whole
    area, made taller (up to ``max_height``) when the boxes need more height than ``height``.

    ``data`` and ``kwargs`` as for :func:`plot_flow_diagram`. Many inclusion criteria or rows
    of subgroups need more height; the width is kept (a journal column), the parallel boxes
    are wrapped or set smaller to fit it.
    """
    counts = (
        data if isinstance(data, pd.DataFrame) and "kind" in data.columns else flow_counts(data)
    )
    while True:
        fig = Figure(figsize=(width, height))
        ax = fig.add_axes((0.005, 0.005, 0.99, 0.99))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            plot_flow_diagram(counts, ax=ax, **kwargs)
        too_short = any(_TOO_SHORT in str(w.message) for w in caught)
        if not too_short or height >= max_height:
            for w in caught:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            return fig
        height = min(height + 1.1, max_height)


def _column_centres(
    keys: Sequence[str],
    col_w: float,
    excl: pd.DataFrame,
    by_key: Mapping[str, Mapping[str, Any]],
    size: Mapping[str, tuple[float, float]],
    margin: float,
) -> list[float]:
    """x of each parallel column: wide enough for its boxes and for the side box of the column
    to its left, which sits right of that column's arrow."""
    xs: list[float] = []
    for _k in keys:
        if not xs:
            xs.append(margin + col_w / 2)
            continue
        prev = keys[len(xs) - 1]
        side = [str(s) for s in excl.loc[excl["parent"] == prev, "key"]]
        side_w = max([size[s][0] for s in side] or [0.0])
        xs.append(max(xs[-1] + col_w + 0.03, xs[-1] + _GAP_X + side_w + 0.03))
    return xs


# a bracketed group ("(unique ids)", "(n = 12)") is one unit when wrapping, if it fits a line
_GROUP = re.compile(r"\([^()]+\)")
_HELD = "\u00a0"  # textwrap breaks at ASCII white space only


def _wrap(text: str, width: int, indent: str = "") -> str:
    """``text`` in lines of at most ``width`` characters, a bracketed group kept on one line
    (not "(unique" / "ids)") when it fits one."""
    held = _GROUP.sub(
        lambda m: m.group(0).replace(" ", _HELD) if len(m.group(0)) <= width else m.group(0),
        text,
    )
    lines = textwrap.wrap(held, width=width, subsequent_indent=indent)
    return "\n".join(lines).replace(_HELD, " ") or text


def _box_text(ax: Axes, s: str, fontsize: float, ha: str = "left") -> Text:
    return ax.text(
        0.5,
        0.5,
        s,
        transform=ax.transAxes,
        ha=ha,
        va="center",
        ma="center" if ha == "center" else "left",
        fontsize=fontsize,
        linespacing=1.25,
        bbox={"boxstyle": f"square,pad={_PAD}", "fc": "white", "ec": "0.2", "lw": 0.7},
        zorder=3,
    )


def _size(ax: Axes, t: Text, fontsize: float) -> tuple[float, float]:
    """Width and height of a text's box (text + padding), as fractions of the Axes."""
    ext = t.get_window_extent()
    pad_px = 2 * _PAD * fontsize * ax.figure.dpi / 72
    box = ax.get_window_extent()
    return (ext.width + pad_px) / box.width, (ext.height + pad_px) / box.height


def _pad_x(ax: Axes, t: Text) -> float:
    return _PAD * float(t.get_fontsize()) * ax.figure.dpi / 72 / ax.get_window_extent().width


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float]) -> None:
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        xycoords=ax.transAxes,
        textcoords=ax.transAxes,
        arrowprops={
            "arrowstyle": "-|>,head_length=0.35,head_width=0.18",
            "color": "0.2",
            "lw": 0.8,
            "shrinkA": 0,
            "shrinkB": 0,
        },
        annotation_clip=False,
    )


__all__ = ["FLOW_COLUMNS", "criterion_reason", "flow_counts", "flow_figure", "plot_flow_diagram"]
