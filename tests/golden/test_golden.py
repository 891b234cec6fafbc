"""Every number of both shipped studies' ARDs equals its snapshot (``tests/golden/*.ard.csv``,
written by ``python -m tests.golden.snapshot``): a refactor that changes a number fails here,
naming the rows.

Counts, percentages, exact tests, Kaplan–Meier and every closed-form number are compared as
written, digit for digit. The numbers of a model fitted by an iterative optimiser (the methods
of ``FITTED``) are compared to a relative 1e-5 (1e-12 absolute near zero): a release of the
fitting library may stop its iterations a step apart (statsmodels 0.14 -> 0.15 moved the
proportional-odds numbers of the reference study in their 6th to 10th significant digit,
1.6e-6 relative at most, their standard errors and p-values the most), which the three digits
a report prints do not show. In one environment a
run is identical to the byte (``tests/unit/report/test_report.py``).
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.golden.snapshot import (
    fitted_within_tolerance,
    key_of,
    shipped_studies,
    snapshot_path,
    study_ard,
    study_words,
    words_path,
)


@pytest.mark.parametrize("study", shipped_studies(), ids=lambda p: p.stem)
def test_ard_equals_snapshot(study):
    expected = pd.read_csv(snapshot_path(study), dtype=str, keep_default_na=False)
    found = study_ard(study)
    key = key_of(expected)
    assert key == key_of(found), f"the ARD's key columns changed: {key} -> {key_of(found)}"
    assert not found.duplicated(key).any(), "two ARD rows share one key"
    merged = expected.merge(
        found, on=key, how="outer", suffixes=("_snapshot", "_now"), indicator=True
    )
    only = merged.loc[merged["_merge"] != "both", [*key, "_merge"]]
    assert only.empty, f"rows only in one side:\n{only.head(30).to_string()}"
    differ = merged.loc[
        (merged["value_snapshot"] != merged["value_now"])
        | (merged["method_snapshot"] != merged["method_now"])  # context: in the key
    ]
    differ = differ.loc[~fitted_within_tolerance(differ, "snapshot", "now")]
    assert differ.empty, f"{len(differ)} numbers changed:\n{differ.head(30).to_string()}"
    assert len(found) == len(expected) > 100


@pytest.mark.parametrize("study", shipped_studies(), ids=lambda p: p.stem)
def test_methods_join_authors_with_en_dashes(study):
    """A method named after two or more people is written with en dashes, as a statistician
    writes it ("Kaplan–Meier", "Grambsch–Therneau", "Brookmeyer–Crowley"), in every method of
    the ARD (the report's methods and notes quote them)."""
    methods = pd.read_csv(snapshot_path(study), dtype=str, keep_default_na=False)["method"]
    hyphened = methods.str.extractall(r"\b([A-Z][a-z]+(?:-[A-Z][a-z]+)+)\b")[0]
    assert hyphened.empty, f"names joined by a hyphen: {sorted(set(hyphened))}"


@pytest.mark.parametrize("study", shipped_studies(), ids=lambda p: p.stem)
def test_tables_read_as_their_snapshot(study):
    """Every table of both shipped studies as a reader sees it (title, cells, footnotes) equals
    ``tests/golden/<study>.tables.txt``: a footnote reworded by a refactor of the builders
    ("Only events with treatment-emergent set.") fails here, naming the lines."""
    import difflib

    expected = words_path(study).read_text(encoding="utf-8")
    found = study_words(study)
    diff = list(
        difflib.unified_diff(
            expected.splitlines(), found.splitlines(), "snapshot", "now", lineterm="", n=1
        )
    )
    assert not diff, "the tables read differently:\n" + "\n".join(diff[:60])


def test_only_fitted_numbers_have_a_tolerance_and_it_is_small():
    po = "Proportional-odds model (statsmodels OrderedModel, logit); Wald z"
    rows = pd.DataFrame(
        {
            "method_snapshot": [po, po, po, "count of subjects", "Fisher's exact test", po],
            "method_now": [po, po, po, "count of subjects", "Fisher's exact test", "other"],
            "value_snapshot": ["0.4304325732", "0.5", "0", "246", "0.1000000", "0.5"],
            "value_now": ["0.4304332682", "0.50006", "1e-13", "247", "0.1000001", "0.5"],
        }
    )
    assert fitted_within_tolerance(rows, "snapshot", "now").tolist() == [
        True,
        False,
        True,
        False,
        False,
        False,
    ]
