"""The methods paragraph, generated from the config and from what was actually run (the ARD)."""

from __future__ import annotations

import pandas as pd

from analysis.config import StudyConfig
from analysis.report.manifest import package_versions


def _first_clause(method: str) -> str:
    """Text up to the first ``;`` outside parentheses."""
    depth = 0
    for i, ch in enumerate(method):
        depth += ch == "("
        depth -= ch == ")"
        if ch == ";" and depth == 0:
            return method[:i].strip()
    return method.strip()


def methods_paragraphs(config: StudyConfig, ard: pd.DataFrame) -> list[str]:
    """Plain-text paragraphs (the renderer escapes them)."""
    d = config.derive
    sources = config.sources
    files = sorted({s.file for s in sources})
    centres = sorted({v for s in sources for k, v in s.constants.items() if k == "centre"})
    paras = [
        f"Design and data. Retrospective cohort. Records were read from {len(files)} export "
        f"file(s) ({', '.join(files)})"
        + (f" from {len(centres)} centres ({', '.join(centres)})" if centres else "")
        + ". Raw labels were mapped to controlled vocabularies (accent-, case- and "
        "space-insensitive; unknown labels stop the analysis). Duplicate patient rows with "
        "agreeing values were merged; patients with conflicting duplicate records were excluded; "
        "sessions logged twice on the same day, duplicate adverse-event and assessment records "
        "were merged. Implausible values were set missing; every excluded or corrected record is "
        "listed in the exclusion and audit logs.",
        "Inclusion criteria: " + "; ".join(c.label for c in config.inclusion) + ".",
        f"Definitions. Follow-up runs from the first session to the last contact (months of "
        f"{d.days_per_month} days). Response at {d.response_target_month:g} months is the "
        f"global-photograph grade of the assessment closest to month {d.response_target_month:g} "
        f"within months {d.response_window_months[0]:g}–{d.response_window_months[1]:g}. "
        f"Patients were classed as combined therapy when a hair-loss treatment "
        f"({', '.join(d.hair_loss_treatments)}) overlapped the assessment window (first session "
        f"to the 12-month assessment), otherwise monotherapy. Adverse events were "
        f"treatment-emergent from the first session to {d.teae_days_after_last_session} days "
        f"after the last; each was attributed to the last session before its onset. The "
        f"first-year schedule is the median interval between first-year sessions, rounded to "
        f"{', '.join(map(str, d.schedule_months))} months.",
    ]
    # The first clause of each recorded method names it; the rest are per-number details.
    methods = {_first_clause(m) for m in ard.loc[ard["method"] != "", "method"]}
    test_words = (
        "fisher",
        "chi2",
        "welch",
        "anova",
        "kruskal",
        "cochran",
        "mann",
        "log-rank",
        "Cox",
        "proportional odds",
        "logistic",
        "Brant",
        "PH score",
    )
    tests = sorted(m for m in methods if any(k in m for k in test_words))
    ci_words = ("CI", "newcombe", "Kaplan-Meier")
    cis = sorted(m for m in methods if m not in tests and any(k in m for k in ci_words))
    paras.append(
        "Statistics. Adverse events are counted per subject (a subject with several events of a "
        "term counts once; events are counted separately), with the subject-level table as "
        "denominator. Methods used, as recorded with each number: " + "; ".join(tests) + ". "
        "Confidence intervals: " + "; ".join(cis) + ". Two-sided tests, alpha "
        f"{config.analysis.get('alpha', 0.05)}; no adjustment for multiplicity."
    )
    versions = package_versions()
    paras.append(
        "Software: " + ", ".join(f"{k} {v or 'not installed'}" for k, v in versions.items()) + "."
    )
    return paras


__all__ = ["methods_paragraphs"]
