"""Figures: the numbers each figure draws come from the data, the style never leaks, files are
byte-identical from run to run."""

from __future__ import annotations

import hashlib
import io
import re
from itertools import combinations
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from analysis.ard import ard_frame
from analysis.figures import (
    ROLE_COLORS,
    ae_by_exposure_lines,
    ae_incidence_points,
    criterion_reason,
    figure_stems,
    figure_theme,
    flow_counts,
    forest_rows,
    make_figures,
    n_analysed,
    new_figure,
    number_at_risk,
    plot_ae_by_exposure,
    plot_ae_incidence,
    plot_flow_diagram,
    plot_forest,
    plot_km,
    plot_response_by_sex_therapy,
    plot_schedule_year1,
    response_distribution,
    save_figure,
    schedule_counts,
)
from analysis.figures.study_figures import draw_figures
from analysis.figures.survival import CensorTicks, curve_stops
from analysis.figures.theme import GRADE_COLORS, text_color_on
from analysis.stats.survival import logrank_test
from analysis.tables.adverse_events import ae_incidence
from analysis.tables.ae_detail import ae_by_exposure
from analysis.tables.render import fmt_p

GRADES = ["worsening", "stabilization", "mild improvement", "marked improvement"]
TIME, EVENT, BY = "time_to_discontinuation_months", "is_discontinued", "therapy_group"


# ------------------------------------------------------------------ fixtures ---------------


@pytest.fixture(scope="module")
def patients(reference_clean) -> pd.DataFrame:
    return reference_clean.patients


@pytest.fixture(scope="module")
def ae_terms(reference_config) -> list[str]:
    return list(reference_config.vocabularies["ae_term"].levels)


def _incidence(patients: pd.DataFrame, events: pd.DataFrame, terms: list[str]) -> pd.DataFrame:
    return ae_incidence(patients, events, by=["sex", "therapy_group"], terms=terms).frame


@pytest.fixture(scope="module")
def incidence_ard(reference_clean, patients, ae_terms) -> pd.DataFrame:
    return _incidence(patients, reference_clean.tables["adverse_events"], ae_terms)


@pytest.fixture(scope="module")
def session_ard(reference_clean) -> pd.DataFrame:
    t = reference_clean.tables
    return ae_by_exposure(t["adverse_events"], t["exposures"]).frame


@pytest.fixture
def ax():
    with figure_theme():
        fig = new_figure(width="double", height=4.0)
        yield fig.axes[0]


def _hand_forest() -> pd.DataFrame:
    rows = []
    for var, level, ref, est, lo, hi, p, unit in [
        ("sex", "male", "female", 1.5, 0.9, 2.5, 0.12, ""),
        ("age_years", "", "", 1.02, 0.99, 1.05, 0.2, "; per year"),
        ("therapy_group", "combined", "monotherapy", 0.5, 0.3, 0.8, 0.004, ""),
    ]:
        base = {"table": "po_model", "variable": var, "level": level, "reference": ref,
                "group": "overall", "context": "proportional_odds"}  # fmt: skip
        rows += [
            {**base, "stat": "estimate", "value": est, "method": "odds ratio" + unit},
            {**base, "stat": "ci_low", "value": lo, "method": "Wald 95% CI" + unit},
            {**base, "stat": "ci_high", "value": hi, "method": "Wald 95% CI" + unit},
            {**base, "stat": "p_value", "value": p, "method": "Wald z" + unit},
        ]
    # a cut-point (estimate only) and a Brant test (p only) must not become rows
    rows.append({"table": "po_model", "context": "cut_point", "variable": "grade", "level": "a",
                 "group": "overall", "stat": "estimate", "value": -2.0, "method": ""})  # fmt: skip
    rows.append({"table": "po_model", "context": "brant_test", "variable": "sex", "level": "",
                 "group": "overall", "stat": "p_value", "value": 0.5, "method": ""})  # fmt: skip
    rows.append({"table": "po_model", "context": "proportional_odds", "variable": "grade",
                 "level": "", "group": "overall", "stat": "n", "value": 120, "method": ""})  # fmt: skip
    return ard_frame(rows)


def _texts(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.texts]


# ------------------------------------------------------------------ flow -------------------


def test_flow_counts_reference_study(reference_clean, reference_config):
    reasons = {
        f"inclusion:{c.id}": criterion_reason(c.where, {"n_exposures": "session"})
        for c in reference_config.inclusion
    }
    fc = flow_counts(reference_clean, reasons=reasons)
    box = fc.loc[fc["kind"] == "box"].set_index("key")["n"]
    assert box["records"] == 599  # 391 + 208 rows of the two patient exports
    assert box["screened"] == 589
    assert box["included"] == 541
    assert box["therapy_group:monotherapy"] + box["therapy_group:combined"] == 541
    assert box["subgroup:monotherapy_assessable"] == 86
    assert box["subgroup:combined_assessable"] == 231
    reasons_rows = fc.loc[fc["kind"] == "reason"].set_index("label")["n"]
    assert reasons_rows["exact duplicate rows merged"] == 8
    assert reasons_rows["extra rows of conflicting ids"] == 2
    assert reasons_rows["conflicting duplicate records"] == 2
    assert reasons_rows["no session recorded"] == 6
    assert reasons_rows["follow-up < 6 months"] == 40
    excl = fc.loc[fc["kind"] == "exclusion"].set_index("key")["n"]
    # every box = the box above - the exclusions between them
    assert box["records"] - excl["records:excluded"] == box["screened"]
    assert box["screened"] - excl["screened:excluded"] == box["included"]
    for lv, sub in [("monotherapy", "monotherapy_assessable"), ("combined", "combined_assessable")]:
        key = f"therapy_group:{lv}"
        assert box[key] - excl[f"{key}:not"] == box[f"subgroup:{sub}"]


def test_flow_counts_follow_the_logs(reference_clean):
    flow, excl, pats = reference_clean.flow, reference_clean.exclusions, reference_clean.patients
    base = flow_counts((flow, excl), patients=pats)
    # without raw_counts, records = screened + patient rows removed before screening
    assert base.set_index("key").loc["records", "n"] == 599
    dup = excl.index[(excl["table"] == "patients") & (excl["step"] == "duplicate")]
    fewer = flow_counts((flow, excl.drop(dup[:3])), patients=pats).set_index("key")["n"]
    assert fewer["records"] == 596
    assert fewer["records:excluded"] == 7
    changed = flow.copy()
    i = changed.index[changed["step"] == "inclusion:followup"][0]
    changed.loc[i, ["n_excluded", "n_remaining"]] = [30, 551]
    out = flow_counts((changed, excl)).set_index("label")["n"]
    assert out["not met: at least 6 months of follow-up after the first session"] == 30
    assert out["Patients included"] == 551
    moved = pats.copy()
    j = moved.index[moved["therapy_group"] == "monotherapy"][:5]
    moved.loc[j, "therapy_group"] = "combined"
    split = flow_counts(reference_clean, patients=moved).set_index("key")["n"]
    assert split["therapy_group:monotherapy"] == 135
    assert split["therapy_group:combined"] == 406


def test_flow_counts_split_matches_whole_words(reference_clean):
    flow = reference_clean.flow.copy()
    sub = flow.index[flow["step"].str.startswith("subgroup:")]
    flow.loc[sub, "step"] = ["subgroup:female_assessable", "subgroup:male_assessable"]
    flow.loc[sub, "label"] = ["Female, assessable", "Male, assessable"]
    flow.loc[sub, "n_remaining"] = [100, 200]
    fc = flow_counts((flow, reference_clean.exclusions), patients=reference_clean.patients,
                     split="sex")  # fmt: skip
    parent = fc.set_index("key")["parent"]
    assert parent["subgroup:female_assessable"] == "sex:female"
    assert parent["subgroup:male_assessable"] == "sex:male"
    n = fc.set_index("key")["n"]
    assert n["sex:female"] == 219 and n["sex:male"] == 322
    assert n["sex:female:not"] == 119 and n["sex:male:not"] == 122


def test_flow_counts_errors(reference_clean):
    flow = reference_clean.flow.iloc[1:]
    with pytest.raises(ValueError, match="must start with the 'screened' step"):
        flow_counts((flow, reference_clean.exclusions))
    with pytest.raises(ValueError, match="`patients` has 10 rows but the flow includes 541"):
        flow_counts(reference_clean, patients=reference_clean.patients.head(10))


def test_criterion_reason_negates_conditions():
    assert criterion_reason([{"column": "followup_months", "op": ">=", "value": 6}]) == (
        "follow-up < 6 months"
    )
    assert criterion_reason([{"column": "n_exposures", "op": ">=", "value": 1}]) == (
        "no exposure recorded"
    )
    nouns = {"n_exposures": "session"}
    assert criterion_reason([{"column": "n_exposures", "op": ">=", "value": 1}], nouns) == (
        "no session recorded"
    )
    assert criterion_reason([{"column": "age_years", "op": "<", "value": 80}]) == "age ≥ 80 years"
    assert criterion_reason(
        [{"column": "sex", "op": "==", "value": "female"}, {"column": "bmi", "op": "not_missing"}]
    ) == ("sex ≠ female or bmi missing")


def test_flow_diagram_text_does_not_overlap(reference_clean):
    with figure_theme():
        fig = Figure(figsize=(7.2, 4.4))
        ax = fig.add_axes((0.005, 0.005, 0.99, 0.99))
        plot_flow_diagram(reference_clean, ax=ax)
        fig.draw_without_rendering()
    patches = [t.get_bbox_patch() for t in ax.texts if t.get_text()]
    boxes = [p.get_window_extent() for p in patches if p is not None]
    assert len(boxes) == 11
    for a, b in combinations(boxes, 2):
        assert not a.overlaps(b), (a, b)
    fig_box = fig.bbox
    assert all(fig_box.x0 <= b.x0 and b.x1 <= fig_box.x1 for b in boxes)
    assert all(fig_box.y0 <= b.y0 and b.y1 <= fig_box.y1 for b in boxes)
    text = "\n".join(_texts(ax))
    for n in ("599", "589", "541", "(n = 86)", "(n = 231)", "(n = 48)", "(n = 40)"):
        assert n in text


def test_flow_diagram_warns_when_too_small(reference_clean):
    with figure_theme():
        fig = Figure(figsize=(7.2, 1.5))
        with pytest.warns(UserWarning, match="need more height than the Axes has"):
            plot_flow_diagram(reference_clean, ax=fig.add_axes((0, 0, 1, 1)))


# ------------------------------------------------------------------ response ---------------


def test_response_distribution_reference(patients):
    d = response_distribution(patients)
    assert list(d.columns) == ["within", "by", "grade", "n", "N", "pct"]
    assert d["n"].sum() == 317  # 86 + 231 assessable
    bars = d.groupby(["within", "by"], sort=False)
    assert list(dict.fromkeys(zip(d["within"], d["by"], strict=True))) == [
        ("monotherapy", "female"),
        ("monotherapy", "male"),
        ("combined", "female"),
        ("combined", "male"),
    ]
    np.testing.assert_allclose(bars["pct"].sum(), 100.0)
    assert bars["N"].first().tolist() == [34, 52, 91, 140]
    look = d.set_index(["within", "by", "grade"])["n"]
    assert look[("combined", "male", "marked improvement")] == 66
    assert look[("monotherapy", "female", "worsening")] == 2
    assert list(d["grade"].iloc[:4]) == GRADES


def _bar_heights(ax: Axes, n_bars: int) -> np.ndarray:
    heights = np.array([p.get_height() for p in ax.patches if isinstance(p, Rectangle)])
    return heights.reshape(-1, n_bars)  # one row per grade, worst first


def test_response_bars_follow_the_data(patients, ax):
    plot_response_by_sex_therapy(patients, ax=ax)
    before = _bar_heights(ax, 4)
    np.testing.assert_allclose(before.sum(axis=0), 100.0)
    np.testing.assert_allclose(
        before[3], [12 / 34 * 100, 21 / 52 * 100, 39 / 91 * 100, 66 / 140 * 100]
    )
    changed = patients.copy()
    who = changed.index[
        (changed["therapy_group"] == "monotherapy")
        & (changed["sex"] == "female")
        & (changed["response_12m"] == "worsening")
    ][0]
    changed.loc[who, "response_12m"] = "marked improvement"
    d = response_distribution(changed).set_index(["within", "by", "grade"])["n"]
    assert d[("monotherapy", "female", "worsening")] == 1
    assert d[("monotherapy", "female", "marked improvement")] == 13
    ax.clear()
    plot_response_by_sex_therapy(changed, ax=ax)
    after = _bar_heights(ax, 4)
    np.testing.assert_allclose(after[0, 0], 1 / 34 * 100)
    np.testing.assert_allclose(after[3, 0], 13 / 34 * 100)
    np.testing.assert_allclose(after[:, 1:], before[:, 1:])


def test_response_plot_labels_legend_and_colours(patients, ax):
    plot_response_by_sex_therapy(patients, ax=ax, within_labels={"combined": "Combined therapy"})
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["Female\nn=34", "Male\nn=52", "Female\nn=91", "Male\nn=140"]
    texts = _texts(ax)
    assert "Monotherapy" in texts and "Combined therapy" in texts
    # % inside segments >= 5 % only: the 2 % worsening segments carry no label
    shown = [float(t[:-1]) for t in texts if t.endswith("%")]
    assert "5.9%" in texts and min(shown) >= 5  # one decimal, as in the tables
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    # two columns, read row by row: worsening, stabilization / mild, marked
    assert legend == ["Worsening", "Mild improvement", "Stabilization", "Marked improvement"]
    colors = [mpl.colors.to_hex(ax.patches[4 * i].get_facecolor()) for i in range(4)]
    assert colors == [c.lower() for c in GRADE_COLORS]


def test_a_segment_label_is_drawn_only_where_it_fits(patients):
    """A percentage taller than its segment as drawn is left out (the 5.9% label once spilled
    over its segment's edges), whatever the threshold in percent: decided in the final size."""
    import io

    def drawn(height: float, min_label_pct: float) -> list[str]:
        with figure_theme():
            fig = new_figure(width="single", height=height)
            plot_response_by_sex_therapy(patients, ax=fig.axes[0], min_label_pct=min_label_pct)
            buf = io.StringIO()
            fig.savefig(buf, format="svg")
        return re.findall(r">([\d.]+%)</text>", buf.getvalue())  # svg.fonttype "none"

    tall, short = drawn(4.0, 1.0), drawn(1.6, 1.0)
    assert "5.9%" in tall and "35.3%" in tall
    assert "35.3%" in short and "5.9%" not in short  # the same data, a shorter figure
    assert {"2.1%", "2.2%"} & set(short) == set()


def test_response_distribution_errors(patients):
    with pytest.raises(ValueError, match=r"column\(s\) \['grade'\] not in the patient table"):
        response_distribution(patients, outcome="grade")


# ------------------------------------------------------------------ adverse events ---------


def test_ae_incidence_points_and_plot(incidence_ard, ax):
    pts = ae_incidence_points(incidence_ard)
    terms = list(dict.fromkeys(pts["term"]))
    assert terms[:3] == ["pain", "edema", "burning"]
    # decreased libido and erectile dysfunction: no patient, left out
    assert "decreased libido" not in terms and "erectile dysfunction" not in terms
    assert len(terms) == 9
    plot_ae_incidence(incidence_ard, ax=ax)
    assert [t.get_text() for t in ax.get_yticklabels()][:2] == ["Pain", "Edema"]
    female = pts.loc[pts["level"] == "female"]
    x_female = ax.lines[0].get_xdata()
    np.testing.assert_allclose(x_female, female["pct"])
    np.testing.assert_allclose(female["pct"].iloc[0], 108 / 219 * 100)
    assert "95% CI, Wilson" in ax.get_xlabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Female (N=219)",
        "Male (N=322)",
    ]
    assert mpl.colors.to_hex(ax.lines[0].get_color()) == ROLE_COLORS["female"].lower()


def test_markers_at_zero_are_not_cut_by_the_axis(incidence_ard, reference_clean, ax):
    """The axes start at 0%: a marker there is drawn whole over the axis line, not clipped."""
    plot_ae_incidence(incidence_ard, ax=ax)
    assert ax.get_xlim()[0] == 0 and ax.lines and not any(ln.get_clip_on() for ln in ax.lines)
    t = reference_clean.tables
    fig = new_figure(width="single", height=3.0)
    ard = ae_by_exposure(t["adverse_events"], t["exposures"]).frame
    plot_ae_by_exposure(ard, ax=fig.axes[0])
    lines = fig.axes[0].lines
    assert fig.axes[0].get_ylim()[0] == 0 and not any(ln.get_clip_on() for ln in lines)


def test_ae_incidence_plot_follows_the_events(reference_clean, patients, ae_terms, ax):
    events = reference_clean.tables["adverse_events"]
    no_edema = events.loc[events["ae_term"] != "edema"]
    plot_ae_incidence(_incidence(patients, no_edema, ae_terms), ax=ax)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "Edema" not in labels
    assert labels[:2] == ["Pain", "Burning"]


def test_ae_incidence_plot_names_levels_and_terms_as_the_study(incidence_ard, ax):
    """The legend read the codes ("Combined (N=401)") where the tables say "Combined therapy":
    ``words(column, level)`` gives the study's labels (``labels.levels``)."""
    names = {("sex", "female"): "Women", ("sex", "male"): "Men", ("ae_term", "pain"): "Pain (site)"}
    plot_ae_incidence(incidence_ard, ax=ax, words=lambda c, lv: names.get((c, lv), lv.upper()))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert [x.split(" (N=")[0] for x in legend] == ["Women", "Men"]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert "Pain (site)" in ticks and "EDEMA" in ticks


def test_ae_incidence_errors(incidence_ard):
    with pytest.raises(ValueError, match="the ARD has no groups of `centre` alone"):
        ae_incidence_points(incidence_ard, by="centre")
    with pytest.raises(ValueError, match="no ARD rows with variable 'soc'"):
        ae_incidence_points(incidence_ard, variable="soc")


def test_ae_by_exposure_edema_early(session_ard, ax):
    lines = ae_by_exposure_lines(session_ard)
    # each session while >= max(20, 10% of 541) = 55 received it (12: 60), then >= 13 pooled
    sessions = [str(k) for k in range(1, 13)] + ["13+"]
    assert list(dict.fromkeys(lines["session"])) == sessions
    edema = lines.loc[lines["term"] == "edema"].set_index("session")["pct"]
    assert edema["1"] > 5 and edema["2"] > 4
    assert edema[sessions[2:]].max() < 1
    plot_ae_by_exposure(session_ard, noun="session", ax=ax)
    line = next(ln for ln in ax.lines if ln.get_label() == "Edema")
    np.testing.assert_allclose(line.get_ydata(), edema.to_numpy()[:-1])  # solid to session 12
    dashed = [ln for ln in ax.lines if ln.get_linestyle() == "--"]
    assert len(dashed) == 5  # one dashed step into the pooled point per term shown
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[0] == "1\n541" and ticks[-1] == "≥13\n32"
    assert ax.get_xlabel().startswith("Session number")


def test_ae_by_exposure_follows_the_events(reference_clean, ax):
    t = reference_clean.tables
    ev = t["adverse_events"]
    late = ev.loc[~((ev["ae_term"] == "edema") & (ev["exposure_number"] == 1))]
    ard = ae_by_exposure(late, t["exposures"]).frame
    plot_ae_by_exposure(ard, terms=["edema"], ax=ax)
    assert ax.lines[0].get_ydata()[0] == 0.0
    with pytest.raises(ValueError, match=r"term\(s\) \['rash'\] not in the ae_by_exposure ARD"):
        ae_by_exposure_lines(ard, terms=["rash"])


# ------------------------------------------------------------------ schedule ---------------


def test_schedule_counts_and_bars(patients, ax):
    c = schedule_counts(patients, levels=[1, 2, 3, 4, 6])
    assert c["interval"].tolist() == ["1", "2", "3", "4", "6", "not applicable"]
    assert c["n"].tolist() == [43, 54, 314, 76, 43, 11]
    assert c["n"].sum() == 541
    plot_schedule_year1(patients, levels=[1, 2, 3, 4, 6], ax=ax)
    assert [p.get_height() for p in ax.patches if isinstance(p, Rectangle)] == [
        43,
        54,
        314,
        76,
        43,
        11,
    ]
    assert "314\n(58.0%)" in _texts(ax)
    changed = patients.copy()
    changed["schedule_months_year1"] = changed["schedule_months_year1"].replace(6, 4)
    c2 = schedule_counts(changed, levels=[1, 2, 3, 4, 6])
    assert c2["n"].tolist() == [43, 54, 314, 119, 0, 11]
    with pytest.raises(ValueError, match=r"interval\(s\) \[6.0\] not in `levels`"):
        schedule_counts(patients, levels=[1, 2, 3, 4])


# ------------------------------------------------------------------ survival ---------------


def test_km_plot_risk_table_and_logrank(patients, ax):
    risk = number_at_risk(patients, time=TIME, by=BY, times=[0, 12, 24])
    assert risk.loc["monotherapy", 0] == 140
    assert risk.loc["combined", 0] == 401
    plot_km(patients, time=TIME, event=EVENT, by=BY, risk_times=[0, 12, 24, 36, 48], ax=ax)
    texts = _texts(ax)
    assert "Number at risk" in texts
    assert {"140", "401", str(risk.loc["combined", 12])} <= set(texts)
    lr = logrank_test(patients.assign(is_discontinued=patients["is_discontinued"].astype(int)),
                      time=TIME, event=EVENT, by=BY)  # fmt: skip
    p_value = float(lr["p_value"])  # type: ignore[arg-type]
    assert f"Log-rank p = {fmt_p(p_value)}" in texts
    assert ax.get_xlabel() == "Months since day 0"
    assert ax.get_ylabel() == "Proportion without the event"  # plot_km knows no event words
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "12", "24", "36", "48"]
    # the at-risk numbers sit under their ticks
    at_12 = [t for t in ax.texts if t.get_text() == str(risk.loc["combined", 12])]
    assert at_12[0].xy[0] == 12.0
    # step curve starts at S(0) = 1 and ends at the KM estimate
    step = ax.lines[0]
    assert step.get_ydata()[0] == 1.0
    assert patients["is_discontinued"].dtype == bool  # input not modified


def test_km_plot_follows_the_data(patients, ax):
    fewer = patients.loc[
        ~((patients["therapy_group"] == "monotherapy") & patients["is_discontinued"])
    ]
    plot_km(fewer, time=TIME, event=EVENT, by=BY, ax=ax)
    mono = ax.lines[0].get_ydata()
    assert np.all(mono == 1.0)  # no event left in monotherapy


def test_km_curves_stop_where_too_few_remain_at_risk(patients, ax):
    # floor max(10, 10% of the group): 41 of 401 combined, 14 of 140 monotherapy
    plot_km(patients, time=TIME, event=EVENT, by=BY, min_at_risk=(0.10, 10), ax=ax)
    stops = curve_stops(patients, time=TIME, by=BY, levels=["monotherapy", "combined"],
                        min_at_risk=(0.10, 10))  # fmt: skip
    for level, line in zip(["monotherapy", "combined"], ax.lines[:2], strict=True):
        group = patients.loc[patients[BY] == level, TIME]
        floor = max(10, -(-len(group) // 10))
        assert line.get_xdata()[-1] == stops[level]  # the curve ends at its stop time
        assert (group >= stops[level]).sum() >= floor  # where enough are still at risk
        assert (group > stops[level]).sum() < floor  # and no later
    assert max(stops.values()) < patients[TIME].max()  # the whole curve ran further
    marks = [a for a in ax.artists if isinstance(a, CensorTicks)]
    assert all(m.points[:, 0].max() <= max(stops.values()) for m in marks)


def test_km_curve_of_a_group_smaller_than_the_floor_is_not_drawn(ax):
    d = pd.DataFrame({"t": [1.0, 2, 3, 4, 5, 1, 2], "e": [1, 0, 1, 0, 1, 1, 0],
                      "g": ["a"] * 5 + ["b"] * 2})  # fmt: skip
    stops = curve_stops(d, time="t", by="g", levels=["a", "b"], min_at_risk=(0.0, 3))
    assert stops == {"a": 3.0, "b": None}  # 3 of "a" at risk at t = 3; "b" has only 2
    plot_km(d, time="t", event="e", by="g", min_at_risk=(0.0, 3), ax=ax)
    assert ax.lines[0].get_xdata().tolist() == [0.0, 1.0, 2.0, 3.0]
    assert ax.lines[1].get_xdata().tolist() == [0.0]


def test_km_risk_table_can_show_cumulative_events(ax):
    d = pd.DataFrame({"t": [1.0, 2, 3, 4, 5, 6], "e": [1, 0, 1, 0, 1, 0], "g": ["a"] * 6})
    plot_km(d, time="t", event="e", by="g", risk_times=[0, 2, 4], risk_events=True, ax=ax)
    texts = _texts(ax)
    # at risk at t (time >= t) and events up to t: 6 (0), 5 (1), 3 (2)
    assert {"6 (0)", "5 (1)", "3 (2)"} <= set(texts)


def test_km_censor_marks_one_path_per_curve(ax):
    # Two groups; censored at 2, 3 (twice: one mark) and 5 in "a", at 4 in "b".
    d = pd.DataFrame({
        "t": [1.0, 2, 3, 3, 5, 1, 4, 6],
        "e": [1, 0, 0, 0, 0, 1, 0, 1],
        "g": ["a"] * 5 + ["b"] * 3,
    })  # fmt: skip
    plot_km(d, time="t", event="e", by="g", ax=ax)
    marks = [a for a in ax.artists if isinstance(a, CensorTicks)]
    assert [m.points[:, 0].tolist() for m in marks] == [[2.0, 3.0, 5.0], [4.0]]
    # S = 4/5 in "a" after one death of 5 at t=1; S = 2/3 in "b" after one death of 3
    assert [m.points[:, 1].tolist() for m in marks] == [[0.8, 0.8, 0.8], [pytest.approx(2 / 3)]]
    assert not [ln for ln in ax.lines if ln.get_marker() == "|"]
    buf = io.StringIO()
    ax.figure.savefig(buf, format="svg")
    # the three marks of "a" are one SVG path of three vertical strokes
    paths = re.findall(r'<path d="([^"]*)"', buf.getvalue())
    strokes = [re.findall(r"M ([\d.]+) ([\d.]+) \s*L ([\d.]+) ([\d.]+)", d) for d in paths]
    three = [st for st in strokes if len(st) == 3 and all(x0 == x1 for x0, _, x1, _ in st)]
    assert len(three) == 1
    assert all(float(y0) > float(y1) for _, y0, _, y1 in three[0])  # drawn bottom to top


# ------------------------------------------------------------------ forest -----------------


def test_forest_rows_and_plot_on_hand_made_ard(ax):
    ard = _hand_forest()
    rows = forest_rows(ard)
    assert rows["label"].tolist() == [
        "Sex: female (reference)",
        "Sex: male",
        "Age (per year)",
        "Therapy group: monotherapy (reference)",
        "Therapy group: combined",
    ]
    assert rows["is_reference"].tolist() == [True, False, False, True, False]
    plain = forest_rows(ard, show_reference=False, labels={"age_years": "Age, years"},
                        level_labels={"sex": {"male": "Male", "female": "Female"}})  # fmt: skip
    assert plain["label"].tolist() == [
        "Sex: Male vs Female",
        "Age, years (per year)",
        "Therapy group: combined vs monotherapy",
    ]
    plot_forest(ard, ax=ax)
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_yticklabels()] == rows["label"].tolist()
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [1.5, 1.02, 0.5])
    texts = _texts(ax)
    assert "1.50 (0.90–2.50)" in texts and "0.004" in texts and "0.120" in texts
    assert texts.count("Reference") == 2 and "n = 120 analysed" in texts
    assert n_analysed(ard) == 120 and n_analysed(ard.loc[ard["stat"] != "n"]) is None
    ref = [ln for ln in ax.lines if list(ln.get_xdata()) == [1.0, 1.0]]
    assert ref, "no reference line at 1"


@pytest.mark.parametrize("scale", [1.0, 0.74, 1.19, 0.02, 40.0])
def test_forest_ticks_bracket_every_interval(ax, scale):
    """Every interval ends between two labelled ticks (the minoxidil forest plot once had ticks
    0.5 and 1 only, its lower limit 0.37 left of both), with at most six ticks between."""
    ard = _hand_forest()
    ci = ard["stat"].isin(["estimate", "ci_low", "ci_high"])
    ard.loc[ci, "value"] = ard.loc[ci, "value"] * scale
    lo = ard.loc[ard["stat"] == "ci_low", "value"].min()
    hi = ard.loc[ard["stat"] == "ci_high", "value"].max()
    plot_forest(ard, ax=ax)
    ticks = list(ax.get_xticks())
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[0] <= min(lo, 1.0) and ticks[-1] >= max(hi, 1.0), (lo, hi, ticks)
    assert 3 <= len(ticks) <= 8 and all(labels)
    left, right = ax.get_xlim()
    assert left < ticks[0] and right > ticks[-1]


def test_forest_linear_scale_no_p_and_errors(ax):
    ard = _hand_forest()
    plot_forest(ard.loc[ard["stat"] != "p_value"], ax=ax, log_scale=False, reference_line=0.0)
    assert ax.get_xscale() == "linear"
    assert "p" not in _texts(ax)
    with pytest.raises(
        ValueError, match=r"the ARD needs stats \['ci_high', 'ci_low', 'estimate'\]"
    ):
        forest_rows(ard.loc[ard["stat"] != "ci_high"])


def test_forest_on_the_proportional_odds_model(patients, ax):
    models = pytest.importorskip("analysis.tables.models")
    ard = models.proportional_odds(patients).frame
    rows = forest_rows(ard)
    assert len(rows) >= 3
    assert "response_12m" not in set(rows["variable"])  # no cut-point row
    plot_forest(ard, ax=ax)
    est = ard.loc[(ard["stat"] == "estimate") & (ard["context"] == "proportional_odds")]
    np.testing.assert_allclose(ax.lines[0].get_xdata(), est["value"].to_numpy())


def test_forest_of_a_cox_model_says_hazard_ratio(patients, ax):
    """A forest plot of a Cox model headed its numbers "OR (95% CI)" and its axis "Odds
    ratio": the measure is read from the estimates' ARD method, and a numeric covariate reads
    with its unit there too ("Age, years (per year)")."""
    from analysis.figures.forest import effect_measure
    from analysis.tables.time_to_event import cox_table

    covariates = {"therapy_group": "monotherapy", "sex": "female", "age_years": None}
    ard = cox_table(patients, time=TIME, event=EVENT, covariates=covariates).frame
    assert effect_measure(ard) == ("Hazard ratio", "HR")
    assert effect_measure(_hand_forest()) == ("Odds ratio", "OR")
    assert effect_measure(_hand_forest().assign(method="")) == ("Estimate", "Estimate")
    rows = forest_rows(ard, labels={"age_years": "Age, years"})
    assert "Age, years (per year)" in rows["label"].tolist()
    plot_forest(ard, ax=ax, xlabel="Odds ratio of a better response")  # a caption copied
    assert "HR (95% CI)" in _texts(ax) and "OR (95% CI)" not in _texts(ax)
    ax.clear()
    plot_forest(ard, ax=ax)
    assert ax.get_xlabel() == "Hazard ratio (95% CI)"
    ax.clear()
    plot_forest(_hand_forest(), ax=ax)
    assert ax.get_xlabel() == "Odds ratio (95% CI)" and "OR (95% CI)" in _texts(ax)


def test_forest_caption_names_the_models_ratios(reference_config):
    """The default caption of a forest plot of a Cox model read "Odds ratios with 95% CI"."""
    from analysis.figures.study_figures import figure_caption
    from analysis.studyfile.plan import ForestFigure

    cox = ForestFigure(kind="forest", table="time_to_discontinuation_cox")
    po = ForestFigure(kind="forest", table="po_model")
    assert figure_caption(reference_config, cox).startswith(
        "Hazard ratios with Wald 95% CIs and Wald p-values: "
    )
    assert figure_caption(reference_config, po).startswith(
        "Odds ratios with Wald 95% CIs and Wald p-values: "
    )


# ------------------------------------------------------------------ style and state --------


def _plot_calls(patients, incidence_ard, session_ard, reference_clean):
    return {
        "flow": lambda ax: plot_flow_diagram(reference_clean, ax=ax),
        "response": lambda ax: plot_response_by_sex_therapy(patients, ax=ax),
        "ae_incidence": lambda ax: plot_ae_incidence(incidence_ard, ax=ax),
        "ae_by_exposure": lambda ax: plot_ae_by_exposure(session_ard, ax=ax),
        "schedule": lambda ax: plot_schedule_year1(patients, ax=ax),
        "km": lambda ax: plot_km(patients, time=TIME, event=EVENT, by=BY, ax=ax),
        "forest": lambda ax: plot_forest(_hand_forest(), ax=ax),
    }


@pytest.mark.parametrize(
    "name", ["flow", "response", "ae_incidence", "ae_by_exposure", "schedule", "km", "forest"]
)
def test_plots_return_the_given_axes_and_keep_rcparams(
    name, patients, incidence_ard, session_ard, reference_clean
):
    call = _plot_calls(patients, incidence_ard, session_ard, reference_clean)[name]
    before = dict(mpl.rcParams)
    fig = Figure(figsize=(7.2, 6.0))
    ax = fig.add_axes((0.15, 0.2, 0.7, 0.75))
    assert call(ax) is ax
    assert dict(mpl.rcParams) == before
    with figure_theme():
        fig2 = Figure(figsize=(7.2, 6.0))
        ax2 = fig2.add_axes((0.15, 0.2, 0.7, 0.75))
        assert call(ax2) is ax2
    assert dict(mpl.rcParams) == before


def test_figure_theme_is_scoped():
    before = dict(mpl.rcParams)
    with figure_theme() as rc:
        assert mpl.rcParams["font.size"] == 8
        assert mpl.rcParams["svg.hashsalt"] == rc["svg.hashsalt"]
        assert min(mpl.rcParams["xtick.labelsize"], mpl.rcParams["legend.fontsize"]) >= 7
    assert dict(mpl.rcParams) == before
    with pytest.raises(RuntimeError), figure_theme():
        raise RuntimeError
    assert dict(mpl.rcParams) == before


def test_text_colour_contrasts_with_segment():
    assert text_color_on(GRADE_COLORS[3]) == "white"
    assert text_color_on(GRADE_COLORS[1]) == "black"
    assert text_color_on(GRADE_COLORS[2]) == "black"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_save_figure_is_byte_identical(patients, tmp_path):
    with figure_theme():
        fig = new_figure(width="single", height=3.1)
        plot_response_by_sex_therapy(patients, ax=fig.axes[0])
        first = save_figure(fig, "bars", tmp_path / "a")
        second = save_figure(fig, "bars", tmp_path / "b")
    assert [p.suffix for p in first] == [".png", ".svg", ".pdf"]
    for a, b in zip(first, second, strict=True):
        assert _digest(a) == _digest(b), a.name
    pdf = first[2].read_bytes()
    assert b"CreationDate" not in pdf
    svg = first[1].read_text()
    assert "<dc:date>" not in svg
    from PIL import Image

    with Image.open(first[0]) as im:
        assert im.size == (1050, 930)  # 3.5 x 3.1 in at 300 dpi
        assert round(im.info["dpi"][0]) == 300
        assert {k for k in im.info if k not in ("dpi",)} == {"Software"}


def test_save_figure_unknown_format(tmp_path):
    with pytest.raises(ValueError, match=r"unknown format\(s\) \['tiff'\]"):
        save_figure(Figure(), "x", tmp_path, formats=("png", "tiff"))


# ------------------------------------------------------------------ study ------------------


class _FakeTable:
    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame


class _FakeStudy:
    """The attributes make_figures reads, without building every table of the study."""

    def __init__(self, clean, config, tables, reports_dir: Path) -> None:
        self.clean, self.config, self.tables, self.reports_dir = clean, config, tables, reports_dir

    def check_figures_collect(self, stems=None) -> None:  # noqa: ANN001 - DuckDB: nothing to check
        pass


def test_make_figures_writes_every_stem(
    reference_clean, reference_config, incidence_ard, session_ard, patients, tmp_path
):
    models = pytest.importorskip("analysis.tables.models")
    tables = {
        "ae_incidence": _FakeTable(incidence_ard),
        "ae_by_exposure": _FakeTable(session_ard),
        "po_model": _FakeTable(models.proportional_odds(patients).frame),
    }
    study = _FakeStudy(reference_clean, reference_config, tables, tmp_path)
    out = make_figures(study, formats=("png",))  # type: ignore[arg-type]
    assert (
        list(out)
        == figure_stems(reference_config)
        == [
            "flow_diagram",
            "response_by_sex_therapy",
            "ae_incidence",
            "ae_by_exposure",
            "schedule_year1",
            "km_discontinuation",
            "forest_response",
        ]
    )
    for stem, paths in out.items():
        assert paths == [tmp_path / "figures" / f"{stem}.png"]
        assert paths[0].stat().st_size > 10_000


def test_draw_figures_refuses_a_stem_outside_the_plan(reference_clean, reference_config, tmp_path):
    study = _FakeStudy(reference_clean, reference_config, {}, tmp_path)
    with pytest.raises(ValueError, match=r"unknown figure\(s\) \['volcano'\]; the figures of"):
        draw_figures(study, ["volcano"])  # type: ignore[arg-type]


def test_the_events_by_exposure_caption_says_which_events_are_drawn():
    """The figure draws the MAX_TERMS adverse events with the most patients; its caption said
    only "Patients with an adverse event after each session number" (a reviewer asked which 5
    of the 9 events the dutasteride figure shows)."""
    from analysis.figures.adverse_events import MAX_TERMS
    from analysis.figures.study_figures import figure_caption
    from analysis.studyfile.config import StudyConfig
    from analysis.studyfile.plan import AeByExposureFigure
    from tests.golden.snapshot import shipped_studies

    (path,) = [p for p in shipped_studies() if p.stem == "dutasteride_mesotherapy"]
    config = StudyConfig.load(path)
    spec = AeByExposureFigure(kind="ae_by_exposure", table="ae_by_exposure")
    caption = figure_caption(config, spec)
    assert caption.startswith(
        "Patients with an adverse event after each session number, for the adverse events with "
        f"the most patients over all sessions (at most {MAX_TERMS})."
    )


def test_a_figure_that_cannot_be_drawn_is_named_with_its_key(
    reference_clean, reference_config, tmp_path
):
    """A KM figure by a column with missing values stopped with "cannot run the survival
    analysis ..." and no word of which figure or key."""
    from analysis.errors import PipelineError
    from analysis.studyfile.plan import KmFigure

    km = KmFigure(kind="km", time=TIME, event=EVENT, by="baseline_severity", name="km_sev")
    plan = reference_config.analysis.model_copy(update={"figures": [km]})
    config = reference_config.model_copy(update={"analysis": plan})
    study = _FakeStudy(reference_clean, config, {}, tmp_path)
    assert reference_clean.patients["baseline_severity"].isna().any()
    with pytest.raises(PipelineError) as exc:
        draw_figures(study, ["km_sev"])  # type: ignore[arg-type]
    assert str(exc.value).startswith(
        "figure 'km_sev' (`analysis.figures[0]`, kind km) cannot be drawn: "
    )
    assert "baseline_severity" in str(exc.value)


def test_a_figure_of_a_subgroup_draws_its_patients_and_says_so(
    reference_clean, reference_config, tmp_path
):
    """Patients missing the `by` of a KM figure could not be left out (figures had no
    `population`): the error now says how, and a figure's `population` draws that subgroup's
    patients, its caption naming the subgroup."""
    from analysis.errors import PipelineError
    from analysis.figures.study_figures import figure_caption
    from analysis.studyfile.config import Subgroup
    from analysis.studyfile.plan import KmFigure

    km = KmFigure(kind="km", time=TIME, event=EVENT, by="baseline_severity", name="km_sev")
    known = Subgroup(
        label="Baseline severity recorded",
        where=[{"column": "baseline_severity", "op": "not_missing"}],
        in_flow=False,
    )

    def study_of(fig: KmFigure) -> _FakeStudy:
        plan = reference_config.analysis.model_copy(update={"figures": [fig]})
        config = reference_config.model_copy(
            update={"analysis": plan, "subgroups": {**reference_config.subgroups, "known": known}}
        )
        return _FakeStudy(reference_clean, config, {}, tmp_path)

    missing = int(reference_clean.patients["baseline_severity"].isna().sum())
    with pytest.raises(PipelineError) as exc:
        draw_figures(study_of(km), ["km_sev"])  # type: ignore[arg-type]
    assert (
        f"its `by` column `baseline_severity` is missing for {missing} patients, who would be "
        "left out of every curve unseen. To draw the others, name as the figure's `population` "
        "a subgroup with `where: [{column: baseline_severity, op: not_missing}]`"
    ) in str(exc.value)

    seen: list[int] = []
    import analysis.figures.study_figures as sf

    real = sf.plot_km

    def spy(data, **kw):
        seen.append(len(data))
        return real(data, **kw)

    of_known = km.model_copy(update={"population": "known"})
    study = study_of(of_known)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(sf, "plot_km", spy)
        drawn = draw_figures(study, ["km_sev"])  # type: ignore[arg-type]
    assert set(drawn) == {"km_sev"}
    assert seen == [len(reference_clean.patients) - missing]
    assert figure_caption(study.config, of_known).endswith(
        'Patients of the subgroup "Baseline severity recorded".'
    )


def test_an_adverse_event_figure_of_a_table_per_exposure(tmp_path):
    """A figure of a table per patient-exposure by the exposure's own column (the dose of each
    period) was refused ("unknown `by` column ... must be a column of the patient table"); it
    is drawn, its axis and caption saying what it counts, its six groups' legend under it."""
    from analysis.figures.study_figures import draw_figures, figure_caption
    from analysis.run.study import Study
    from tests.golden.snapshot import shipped_studies

    (path,) = [p for p in shipped_studies() if p.stem == "low_dose_oral_minoxidil"]
    text = path.read_text(encoding="utf-8").replace(
        "    - {kind: km,",
        "    - {kind: ae_incidence, table: ae_incidence_by_dose, by: daily_dose_mg, "
        "name: ae_dose}\n    - {kind: km,",
        1,
    )
    studies = tmp_path / "studies"
    studies.mkdir()
    (studies / path.name).write_text(text, encoding="utf-8")
    (tmp_path / "data").symlink_to(path.parent.parent / "data")
    study = Study.load(studies / path.name, reports_dir=tmp_path / "reports")
    fig = draw_figures(study, ["ae_dose"])["ae_dose"]
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Patient-dose periods with the event, %\n(95% CI, Wilson)"
    assert len(fig.legends) == 1 and len(fig.legends[0].get_texts()) == 6
    spec = next(f for f in study.config.analysis.figures if f.name == "ae_dose")
    assert figure_caption(study.config, spec).startswith(
        "Patient-dose periods with each adverse event (% with 95% CI), by dose."
    )


def test_response_grades_are_coloured_by_their_place_on_the_scale():
    """The response bars took their colours from the shipped study's grade names; another
    scale ("worse" ... "almost clear") got the categorical cycle, not a worst-to-best ramp."""
    import matplotlib.colors as mcolors

    from analysis.figures.theme import GRADE_COLORS, grade_colors

    assert grade_colors(["a", "b", "c", "d"]) == list(GRADE_COLORS)
    five = grade_colors(["worse", "unchanged", "partial", "good", "clear"])
    assert len(set(five)) == 5
    red, _, _ = mcolors.to_rgb(five[0])
    _, _, blue = mcolors.to_rgb(five[-1])
    assert red > mcolors.to_rgb(five[0])[2] and blue > mcolors.to_rgb(five[-1])[0]


def test_the_ci_method_of_an_axis_label_is_named_as_a_statistician_names_it():
    """The axis said "95% CI, Clopper-pearson"."""
    from analysis.figures.adverse_events import _ci_label

    assert _ci_label(pd.Series(["clopper_pearson 95% CI"])) == "95% CI, Clopper–Pearson"
    assert _ci_label(pd.Series(["wilson 90% CI"])) == "90% CI, Wilson"
    assert _ci_label(pd.Series(["agresti_coull 95% CI"])) == "95% CI, Agresti–Coull"


@pytest.mark.parametrize("which", ["ae_incidence", "ae_by_exposure"])
def test_a_figure_whose_every_number_is_withheld_says_so(which, incidence_ard, session_ard, ax):
    """Under a large ``--suppress-below`` every point of the AE figures is hidden: they stopped
    with "zip() argument 3 is longer" and "float division by zero" (a study of 190 patients at
    k = 20 and 50)."""
    from analysis.figures.adverse_events import plot_ae_by_exposure, plot_ae_incidence
    from analysis.tables.suppress import suppress_small_cells

    big = 100_000
    if which == "ae_incidence":
        plot_ae_incidence(suppress_small_cells(incidence_ard, k=big), by="sex", ax=ax)
    else:
        plot_ae_by_exposure(suppress_small_cells(session_ard, k=big), ax=ax)
    assert [t.get_text() for t in ax.texts] == ["Every number withheld (small-cell suppression)"]


@pytest.mark.parametrize(
    ("time", "event", "words"),
    [
        ("time_to_discontinuation_months", "is_discontinued", "Proportion still on treatment"),
        (
            "time_to_first_teae_days",
            "has_teae",
            "Proportion without a treatment-emergent adverse event",
        ),
        ("time_to_first_improvement_months", "has_improvement", "Proportion not yet improved"),
        ("followup_months", "has_teae", "Proportion event-free (event: "),
    ],
)
def test_the_km_axis_says_what_the_curve_counts(reference_config, time, event, words):
    # every curve's axis read "Proportion still on treatment", also the time to a first AE
    from analysis.tables.time_rules import survival_axis_label

    assert survival_axis_label(reference_config, time, event).startswith(words)


def test_a_by_level_without_subjects_draws_no_bar(patients):
    # a study of women drew an empty "Male n=0" bar in each therapy group, while the response
    # table of the same run left Male out
    women = patients.loc[patients["sex"] == "female"]
    d = response_distribution(women)
    assert set(d["by"]) == {"female"}
    assert (d.groupby(["within", "by"])["N"].first() > 0).all()
    assert set(d["within"]) == set(women["therapy_group"].astype(str))


def test_a_gap_of_a_withheld_count_is_said(session_ard, ax):
    # under --suppress-below 5 a hidden point of a line left a gap with no marker
    from analysis.figures.adverse_events import ae_by_exposure_lines, plot_ae_by_exposure
    from analysis.tables.suppress import suppress_small_cells

    hidden = suppress_small_cells(session_ard, k=5)
    assert ae_by_exposure_lines(hidden)["pct"].isna().any()  # the five terms drawn have gaps
    plot_ae_by_exposure(hidden, ax=ax)
    assert "gap: a count withheld (<5, or * to protect one)" in [t.get_text() for t in ax.texts]
    ax.clear()
    plot_ae_by_exposure(session_ard, ax=ax)  # nothing withheld, nothing said
    assert not [t for t in ax.texts if t.get_text().startswith("gap:")]
