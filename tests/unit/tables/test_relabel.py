"""Tables, titles and footnotes in the study's words: level and column labels, one
capitalisation of levels (the study file's, else a capital first letter)."""

from __future__ import annotations

from analysis.tables.relabel import relabel_note, relabel_text

LEVELS = {"female": "Female", "combined": "Combined therapy"}
NAMES = {"therapy_group": "Therapy group", "response_12m": "Response at 12 months", "sex": "Sex"}


def test_cells_heads_and_parenthesised_levels_take_their_labels() -> None:
    assert relabel_text("female", LEVELS, NAMES) == "Female"
    assert relabel_text("  female", LEVELS, NAMES) == "  Female"
    assert relabel_text("female (N=219)", LEVELS, NAMES) == "Female (N=219)"
    assert relabel_text("p-value (combined)", LEVELS, NAMES) == "p-value (Combined therapy)"
    assert relabel_text("HR therapy_group: combined vs x", LEVELS, NAMES) == (
        "HR Therapy group: Combined therapy vs x"
    )


def test_notes_say_labels_in_place_of_code_names_in_backticks() -> None:
    note = "p-values compare the `sex` levels within each `therapy_group` stratum."
    assert relabel_note(note, LEVELS, NAMES) == (
        "p-values compare the sex levels within each therapy group stratum."
    )
    assert relabel_note("`response_12m` levels", LEVELS, NAMES) == "Response at 12 months levels"
    # a code neither a level nor a column is shown as it is: a reader meets no backticks
    assert relabel_note("missing `unknown_code`", LEVELS, NAMES) == "missing unknown_code"


def test_paths_keep_their_names() -> None:
    text = "read from data/therapy_group/x.csv and therapy_group.csv"
    assert relabel_note(text, LEVELS, NAMES) == text


def test_level_labels_default_to_a_capital_first_letter(reference_config) -> None:
    from analysis.studyfile.labels import declared_levels, level_words
    from analysis.studyfile.plan_defaults import level_label

    assert level_label(reference_config, "sex", "female") == "Female"
    assert level_label(reference_config, "sex", "NYHA II") == "NYHA II"
    given = reference_config.analysis.labels.levels
    for column, levels in given.items():
        for level, words in levels.items():
            assert level_label(reference_config, column, level) == words
    words = level_words(reference_config)
    assert words.get("female") == "Female"
    assert all(k != v for k, v in words.items())
    assert declared_levels(reference_config)["sex"] == ["female", "male"]


def test_combined_column_heads_take_labels_part_by_part() -> None:
    from analysis.tables.relabel import relabel_head

    assert relabel_head("female, combined (N=56)", LEVELS, NAMES) == (
        "Female, Combined therapy (N=56)"
    )
    assert relabel_head("Combined · female (N=34)", LEVELS, NAMES) == (
        "Combined therapy · Female (N=34)"
    )
    assert relabel_head("RD male vs female (95% CI)", LEVELS, NAMES) == "RD male vs Female (95% CI)"
    assert relabel_head("p, combined (sex)", LEVELS, NAMES) == "p, Combined therapy (Sex)"
    assert relabel_head("p-value, combined (sex)", LEVELS, NAMES) == (
        "p-value, Combined therapy (Sex)"
    )
    assert relabel_head("95% CI (overall)", LEVELS, NAMES) == "95% CI (overall)"
    assert relabel_note("Reference levels: Sex = female; x = 2.", LEVELS, NAMES) == (
        "Reference levels: Sex = Female; x = 2."
    )


def test_notes_name_methods_as_a_statistician_does() -> None:
    said = {
        "p-values compare sex levels: fisher-freeman-halton exact.": (
            "p-values compare sex levels: Fisher–Freeman–Halton exact test."
        ),
        "95% CI (wilson) in the frame.": "95% CI (Wilson score interval) in the frame.",
        "logistic regression (statsmodels Logit), Wald CI": (
            "Logistic regression (statsmodels Logit), Wald CI"
        ),
        "p: log-rank test (R survdiff)": "p: Log-rank test (R survdiff)",
        "analysed with logistic regression here": "analysed with logistic regression here",
        "Wilson score interval; Fisher's exact test": "Wilson score interval; Fisher's exact test",
    }
    for code, words in said.items():
        assert relabel_note(code, LEVELS, NAMES) == words


def test_numbers_that_read_like_level_codes_stay_numbers() -> None:
    """A count of 1 or an SMD of 0.5 is not the dose level "1" or "0.5" (seen: "missing: 2,
    1 mg/day, 3" and an SMD of "0.5 mg 3×/week" in a shipped baseline table)."""
    import pandas as pd

    from analysis.tables.relabel import relabel_frame, relabel_note

    doses = {"0.5": "0.5 mg/day", "1": "1 mg/day"}
    levels = {"female": "Female", **doses}
    names = {"daily_dose_mg": "Daily dose, mg", "age_years": "Age, years"}
    by_column = {"daily_dose_mg": doses, "sex": {"female": "Female"}}
    table = pd.DataFrame(
        {
            "Characteristic": ["Age, years, mean (SD)", "    missing", "Daily dose, mg, n (%)",
                               "    0.5", "    1", "    female"],
            "female (N=3)": ["46.0 (12.6)", "1", "", "2 (66.7%)", "1 (33.3%)", "3"],
            "SMD": ["0.5", "", "1", "", "", ""],
        }
    )  # fmt: skip
    out = relabel_frame(table, levels=levels, names=names, by_column=by_column)
    assert out["Characteristic"].tolist() == [
        "Age, years, mean (SD)", "    missing", "Daily dose, mg, n (%)", "    0.5 mg/day",
        "    1 mg/day", "    Female",
    ]  # fmt: skip
    assert out["Female (N=3)"].tolist() == ["46.0 (12.6)", "1", "", "2 (66.7%)", "1 (33.3%)", "3"]
    assert out["SMD"].tolist() == ["0.5", "", "1", "", "", ""]
    # a level row outside its variable (under Age) keeps its number
    stray = pd.DataFrame({"Characteristic": ["Age, years, mean (SD)", "    1"]})
    assert relabel_frame(stray, levels=levels, names=names, by_column=by_column).iloc[1, 0] == (
        "    1"
    )
    # column heads: words when one column's levels hold every number in the heads
    heads = pd.DataFrame(columns=["Adverse event", "0.5 (N=3)", "1 (N=4)", "RD 1 vs 0.5 (95% CI)"])
    shown = relabel_frame(heads, levels=levels, names=names, by_column=by_column).columns
    assert list(shown) == [
        "Adverse event", "0.5 mg/day (N=3)", "1 mg/day (N=4)", "RD 1 mg/day vs 0.5 mg/day (95% CI)"
    ]  # fmt: skip
    assert relabel_note("Brant test: df = 1.", levels, names) == "Brant test: df = 1."
