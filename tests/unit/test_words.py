"""Counts and lists in a reader's words (``analysis.words``)."""

from analysis.words import and_list, counted, in_sentence, term_label, without_unit


def test_a_count_agrees_with_its_noun():
    assert counted(1, "file") == "1 file"
    assert [counted(n, "subject") for n in (0, 2)] == ["0 subjects", "2 subjects"]
    assert counted(3, "analysis", "analyses") == "3 analyses"
    assert counted(1, "analysis", "analyses") == "1 analysis"


def test_a_list_reads_as_a_sentence():
    assert and_list(["a"]) == "a"
    assert and_list(["a", "b"]) == "a and b"
    assert and_list(["a", "b", "c"]) == "a, b and c"


def test_a_label_inside_a_sentence_keeps_only_its_acronyms_capital():
    assert in_sentence("At least 6 months of follow-up") == "at least 6 months of follow-up"
    assert in_sentence("HIV positive") == "HIV positive"
    assert in_sentence("HN grade") == "HN grade"
    assert in_sentence("treated") == "treated"
    assert in_sentence("A") == "A"  # one letter: a name or a level, left as it is
    assert in_sentence("") == ""


def test_the_inclusion_criteria_read_as_one_sentence():
    """The dutasteride methods read "...; At least 6 months of follow-up ..." after a semicolon."""
    import pandas as pd

    from analysis.report.methods import methods_paragraphs
    from analysis.studyfile.config import StudyConfig
    from tests.golden.snapshot import shipped_studies

    (path,) = [p for p in shipped_studies() if p.stem == "dutasteride_mesotherapy"]
    config = StudyConfig.load(path)
    paragraphs = methods_paragraphs(config, pd.DataFrame({"method": pd.Series([], dtype=str)}))
    assert (
        "Inclusion criteria: Treated with dutasteride mesotherapy (at least one session "
        "recorded); at least 6 months of follow-up after the first session."
    ) in paragraphs
    assert any(
        "first-year sessions, rounded to the nearest of 1, 2, 3, 4 and 6 months." in p
        for p in paragraphs
    )  # the schedule is snapped to the nearest level, not "rounded to 1, 2, 3, 4, 6 months"


def test_a_model_term_reads_as_its_row():
    assert term_label("Sex", "Male vs Female", numeric=False) == "Sex: Male vs Female"
    assert term_label("Age, years", "per year", numeric=True) == "Age, years (per year)"
    assert term_label("Age", "", numeric=True) == "Age"


def test_a_title_names_the_variable_without_its_unit():
    """Table 12 read "Cox proportional-hazards model of time to treatment discontinuation,
    months"."""
    assert without_unit("Time to treatment discontinuation, months") == (
        "Time to treatment discontinuation"
    )
    assert without_unit("Age, years") == "Age"
    assert without_unit("Sessions, n") == "Sessions, n"  # "n" is not a unit of measure
    assert without_unit("Lost, stolen or strayed") == "Lost, stolen or strayed"
    assert without_unit("months") == "months"
