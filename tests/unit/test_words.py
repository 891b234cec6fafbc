"""Counts and lists in a reader's words (``analysis.words``)."""

from analysis.words import and_list, counted


def test_a_count_agrees_with_its_noun():
    assert counted(1, "file") == "1 file"
    assert [counted(n, "subject") for n in (0, 2)] == ["0 subjects", "2 subjects"]
    assert counted(3, "analysis", "analyses") == "3 analyses"
    assert counted(1, "analysis", "analyses") == "1 analysis"


def test_a_list_reads_as_a_sentence():
    assert and_list(["a"]) == "a"
    assert and_list(["a", "b"]) == "a and b"
    assert and_list(["a", "b", "c"]) == "a, b and c"
