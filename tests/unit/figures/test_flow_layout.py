"""The flow diagram with any number of inclusion criteria (0 to 5) and subgroups (0 to 6): it
draws without overlap inside the figure, and every box shows its number."""

from __future__ import annotations

import warnings
from itertools import combinations

import pandas as pd
import pytest
from matplotlib.figure import Figure

from analysis.figures import figure_theme, flow_counts, flow_figure, plot_flow_diagram
from analysis.figures.flow import _wrap

N_SCREENED = 600


def _flow(
    n_criteria: int,
    n_subgroups: int,
    *,
    matched: bool = True,
    split: bool = True,
    duplicates: int = 3,
) -> dict[str, object]:
    """A flow like clean_study's: ``n_criteria`` criteria (criterion i excludes 7 * (i + 1)),
    then ``n_subgroups`` levels of therapy_group, each with a subgroup row (``matched``: named
    after its level, so it hangs under it; else it hangs from the included box)."""
    steps = [("screened", "Patients in the exports (unique ids)", None, N_SCREENED)]
    left = N_SCREENED
    for i in range(n_criteria):
        left -= 7 * (i + 1)
        steps.append(
            (f"inclusion:c{i}", f"Criterion {i} with a fairly long label", 7 * (i + 1), left)
        )
    levels = [f"arm {chr(97 + i)}" for i in range(n_subgroups)]
    sizes = [left // n_subgroups] * n_subgroups if n_subgroups else []
    if sizes:
        sizes[-1] += left - sum(sizes)
    for i in range(n_subgroups):
        step = f"subgroup:arm_{chr(97 + i)}_assessable" if matched else f"subgroup:group{i}"
        steps.append((step, f"Arm {chr(97 + i)}, assessable at 12 months", None, sizes[i] - 3 - i))
    flow = pd.DataFrame(steps, columns=["step", "label", "n_excluded", "n_remaining"])
    exclusions = pd.DataFrame(
        {
            "table": "patients",
            "step": "duplicate",
            "patient_id": [f"d{i}" for i in range(duplicates)],
        }
    )
    patients = pd.DataFrame(
        {
            "therapy_group": pd.Categorical(
                [lv for lv, n in zip(levels, sizes, strict=True) for _ in range(n)],
                categories=levels,
            )
        }
    )
    return {
        "flow": flow,
        "exclusions": exclusions,
        "patients": patients if split and n_subgroups else None,
    }


def _flat(text: str) -> str:
    return " ".join(text.split())


def _draw(counts: pd.DataFrame) -> tuple[Figure, list[str]]:
    with figure_theme(), warnings.catch_warnings():
        warnings.simplefilter("error")  # neither too wide nor too tall
        fig = flow_figure(counts)
        fig.draw_without_rendering()
    (ax,) = fig.axes
    boxes = [t.get_bbox_patch().get_window_extent() for t in ax.texts if t.get_text()]
    for a, b in combinations(boxes, 2):
        assert not a.overlaps(b), (a, b)
    assert all(fig.bbox.x0 <= b.x0 and b.x1 <= fig.bbox.x1 for b in boxes)
    assert all(fig.bbox.y0 <= b.y0 and b.y1 <= fig.bbox.y1 for b in boxes)
    return fig, [_flat(t.get_text()) for t in ax.texts if t.get_text()]


def _assert_every_number_shown(counts: pd.DataFrame, texts: list[str]) -> None:
    """One text per box and per exclusion box, each with its label and count; each reason line
    inside its exclusion box."""
    shown = counts.loc[counts["kind"] != "reason"]
    assert len(texts) == len(shown)
    for r in shown.itertuples():
        want = f"{_flat(r.label)} (n = {r.n})"
        assert sum(t.startswith(want) for t in texts) >= 1, (want, texts)
    for r in counts.loc[counts["kind"] == "reason"].itertuples():
        parent = counts.loc[counts["key"] == r.parent].iloc[0]
        box = next(t for t in texts if t.startswith(f"{_flat(parent.label)} (n = {parent.n})"))
        assert f"• {_flat(r.label)} (n = {r.n})" in box


@pytest.mark.parametrize("n_criteria", [0, 1, 5])
@pytest.mark.parametrize("n_subgroups", [0, 1, 2, 3, 4, 5, 6])
def test_any_number_of_criteria_and_subgroups(n_criteria, n_subgroups):
    counts = flow_counts(_flow(n_criteria, n_subgroups))
    _, texts = _draw(counts)
    _assert_every_number_shown(counts, texts)
    boxes = counts.loc[counts["kind"] == "box"]
    assert len(boxes) == 3 + 2 * n_subgroups
    excluded = sum(7 * (i + 1) for i in range(n_criteria))
    assert f"Patients included (n = {N_SCREENED - excluded})" in texts
    if n_criteria:
        assert f"Excluded (n = {excluded})" in "\n".join(texts)


def test_three_subgroups_numbers():
    counts = flow_counts(_flow(2, 3))
    _, texts = _draw(counts)
    # 600 - 7 - 14 = 579 included: 193 per arm; 3 + i not assessable in arm i
    assert [t for t in texts if t.startswith("Arm ")] == [
        "Arm a (n = 193)",
        "Arm b (n = 193)",
        "Arm c (n = 193)",
    ]
    assert [t for t in texts if t.startswith("Assessable")] == [
        "Assessable at 12 months (n = 190)",
        "Assessable at 12 months (n = 189)",
        "Assessable at 12 months (n = 188)",
    ]
    assert [t for t in texts if t.startswith("Not assessable")] == [
        "Not assessable at 12 months (n = 3)",
        "Not assessable at 12 months (n = 4)",
        "Not assessable at 12 months (n = 5)",
    ]


@pytest.mark.parametrize("n_subgroups", [1, 3, 6])
def test_subgroups_not_under_a_split_hang_from_the_included_box(n_subgroups):
    counts = flow_counts(_flow(1, n_subgroups, split=False))
    assert (counts.loc[counts["stage"] == 4, "parent"] == "included").all()
    _, texts = _draw(counts)
    _assert_every_number_shown(counts, texts)


def test_subgroups_beside_split_boxes_they_do_not_match():
    counts = flow_counts(_flow(2, 3, matched=False))
    assert counts.loc[counts["stage"] == 3, "n"].tolist() == [193, 193, 193]
    assert counts.loc[counts["stage"] == 4, "n"].tolist() == [190, 189, 188]
    _, texts = _draw(counts)
    _assert_every_number_shown(counts, texts)


def test_third_subgroup_of_the_reference_study(reference_clean):
    """The reported IndexError: a subgroup row that no therapy group matches, beside two."""
    flow = pd.concat(
        [
            reference_clean.flow,
            pd.DataFrame(
                [
                    {
                        "step": "subgroup:female_assessable",
                        "label": "Female, response assessable at 12 months",
                        "n_excluded": None,
                        "n_remaining": 120,
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    data = {
        "flow": flow,
        "exclusions": reference_clean.exclusions,
        "patients": reference_clean.patients,
        "raw_counts": reference_clean.raw_counts,
    }
    counts = flow_counts(data)
    _, texts = _draw(counts)
    _assert_every_number_shown(counts, texts)
    assert "Female, response assessable at 12 months (n = 120)" in texts
    assert "Monotherapy (n = 140)" in texts and "Combined therapy (n = 401)" in texts


def test_flow_without_any_exclusion():
    counts = flow_counts(_flow(0, 0, duplicates=0))
    assert counts[["kind", "label", "n"]].values.tolist() == [
        ["box", "Patient records in the exports", 600],
        ["box", "Patients in the exports (unique ids)", 600],
        ["box", "Patients included", 600],
    ]
    _, texts = _draw(counts)
    assert texts == [
        "Patient records in the exports (n = 600)",
        "Patients in the exports (unique ids) (n = 600)",
        "Patients included (n = 600)",
    ]


@pytest.mark.parametrize(
    ("files", "said"), [(["a.csv"], "export"), (["a.csv", "b.csv"], "exports")]
)
def test_the_first_box_says_export_or_exports_as_the_patient_files_are(files, said):
    """The minoxidil study reads its patients from one workbook: its flow said "in the
    exports"; a patient table read from one file is "the export"."""
    data = _flow(0, 0, duplicates=0)
    rows = [600 // len(files)] * len(files)
    data["raw_counts"] = pd.DataFrame(
        {"table": "patients", "source_file": files, "source_sheet": "", "rows_read": rows}
    )
    counts = flow_counts(data)
    assert counts["label"].iloc[0] == f"Patient records in the {said}"
    assert counts["n"].iloc[0] == 600


def test_many_rows_make_the_figure_taller_not_the_text_overlap():
    counts = flow_counts(_flow(5, 6))
    fig, _ = _draw(counts)
    assert fig.get_size_inches()[0] == pytest.approx(7.2)
    assert fig.get_size_inches()[1] > 4.4


def test_reference_flow_keeps_its_size(reference_clean):
    fig, _ = _draw(flow_counts(reference_clean))
    assert fig.get_size_inches().tolist() == pytest.approx([7.2, 4.4])


def test_too_many_parallel_boxes_warn():
    # 6 therapy groups and 6 subgroups that match none of them: 12 boxes side by side
    with figure_theme():
        fig = Figure(figsize=(7.2, 6))
        with pytest.warns(UserWarning, match="the 12 parallel boxes need more width than the Axes"):
            plot_flow_diagram(
                flow_counts(_flow(1, 6, matched=False)), ax=fig.add_axes((0, 0, 1, 1))
            )


def test_the_split_boxes_take_the_study_words_for_the_levels(reference_clean) -> None:
    from analysis.figures import flow_counts

    words = {"monotherapy": "Alone", "combined": "With others"}
    fc = flow_counts(reference_clean, split="therapy_group", split_labels=words)
    boxes = fc.loc[
        fc["key"].astype(str).isin(["therapy_group:monotherapy", "therapy_group:combined"])
    ]
    assert set(boxes["label"]) == {"Alone", "With others"}


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("Patients in the export (unique ids)", 30, ["Patients in the export", "(unique ids)"]),
        ("Patients in the export (unique ids)", 20, ["Patients in the", "export (unique ids)"]),
        ("• no dose period recorded (n = 5)", 20, ["• no dose period", "  recorded (n = 5)"]),
        # a group longer than a line is wrapped as words
        ("x (a group longer than twenty)", 20, ["x (a group longer", "than twenty)"]),
    ],
)
def test_a_bracketed_group_is_not_broken_across_lines(text, width, lines):
    """The minoxidil flow printed "Patients in the export (unique" / "ids)"."""
    assert _wrap(text, width, indent="  " if text.startswith("•") else "").split("\n") == lines
