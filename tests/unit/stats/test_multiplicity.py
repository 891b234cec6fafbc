"""Holm and Bonferroni adjustments equal R's p.adjust (the values p.adjust gives for
c(0.01, 0.02, 0.03, 0.04, 0.05), and statsmodels multipletests on random p-values)."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from analysis.stats.multiplicity import adjust_pvalues

P = [0.01, 0.02, 0.03, 0.04, 0.05]


def test_holm_and_bonferroni_equal_r_p_adjust():
    assert adjust_pvalues(P, "holm") == pytest.approx([0.05, 0.08, 0.09, 0.09, 0.09])
    assert adjust_pvalues(P, "bonferroni") == pytest.approx([0.05, 0.10, 0.15, 0.20, 0.25])
    # unsorted input keeps its order; capped at 1
    assert adjust_pvalues([0.04, 0.5, 0.01], "holm") == pytest.approx([0.08, 0.5, 0.03])
    assert adjust_pvalues([0.3, 0.6], "bonferroni") == pytest.approx([0.6, 1.0])
    assert adjust_pvalues(P, "none") == pytest.approx(P)


@pytest.mark.parametrize("method", ["holm", "bonferroni"])
def test_adjustments_equal_statsmodels_on_random_pvalues(method):
    p = np.random.default_rng(7).uniform(0, 0.2, 17)
    assert adjust_pvalues(p, method) == pytest.approx(multipletests(p, method=method)[1])


def test_missing_pvalues_are_left_out_and_an_unknown_method_is_an_error():
    out = adjust_pvalues([0.01, np.nan, 0.04], "holm")
    assert out[0] == pytest.approx(0.02) and np.isnan(out[1]) and out[2] == pytest.approx(0.04)
    with pytest.raises(ValueError, match="'sidak' is not one of"):
        adjust_pvalues(P, "sidak")
