"""The adverse-event figures with a term of one sex: each group's N in the legend and each
exposure number's N under its tick are the column's (the table's), never a term's."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from analysis.figures.adverse_events import plot_ae_by_exposure, plot_ae_incidence  # noqa: E402
from analysis.tables.adverse_events import ae_incidence  # noqa: E402
from tests.unit.tables.test_ae_one_sex_tables import (  # noqa: E402
    EVENTS,
    ONE_SEX,
    SUBJECTS,
    _by_exposure,
)


def test_the_incidence_figure_gives_each_group_its_own_n_when_a_one_sex_term_leads():
    events = EVENTS.loc[EVENTS["patient_id"] != "f5"]
    t = ae_incidence(SUBJECTS, events, by=["sex"], sex_specific=ONE_SEX)
    for by, legend in (("sex", {"Female (N=6)", "Male (N=4)"}), (None, {"Overall (N=10)"})):
        fig, ax = plt.subplots()
        plot_ae_incidence(t.frame, by=by, ax=ax)  # impotence, the most frequent, leads
        assert set(ax.get_legend_handles_labels()[1]) == legend
        plt.close(fig)
    fig, ax = plt.subplots()
    plot_ae_by_exposure(_by_exposure().frame, ax=ax, terms=["impotence", "pain"])
    assert [x.get_text() for x in ax.get_xticklabels()] == ["1\n10", "2\n6"]
    plt.close(fig)
