"""The methods paragraph, generated from the config and from what was actually run (the ARD)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from analysis.report.manifest import package_versions
from analysis.studyfile.config import StudyConfig
from analysis.studyfile.design import describe_group


def _first_clause(method: str) -> str:
    """Text up to the first ``;`` outside parentheses."""
    depth = 0
    for i, ch in enumerate(method):
        depth += ch == "("
        depth -= ch == ")"
        if ch == ";" and depth == 0:
            return method[:i].strip()
    return method.strip()


def _exposure_unit_sentence(config: StudyConfig) -> str:
    """Said when a table counts patient-exposures (e.g. patient-dose periods) as subjects."""
    from analysis.studyfile.plan import AeIncidenceTable

    tables = config.analysis.tables.values()
    if not any(isinstance(t, AeIncidenceTable) and t.unit == "exposures" for t in tables):
        return ""
    e = config.exposure
    return (
        f" Tables per patient-{e.singular} count each {e.singular} of each patient as a subject "
        f"(denominator: the number of {e.plural_noun})."
    )


def _words(config: StudyConfig) -> Callable[[str], str]:
    from analysis.studyfile.plan_defaults import variable_label

    return lambda column: variable_label(config, column)


def _child_records(config: StudyConfig) -> str:
    """The record kinds the study reads besides patients, in words ("sessions and adverse-event
    records")."""
    words = {
        "exposures": config.exposure.plural_noun,
        "adverse_events": "adverse-event records",
        "concomitant": "concomitant-treatment records",
        "assessments": "assessment records",
    }
    kinds = [w for table, w in words.items() if config.sources_for(table)]
    return ", ".join(kinds[:-1]) + (" and " if len(kinds) > 1 else "") + kinds[-1] if kinds else ""


def definitions(config: StudyConfig) -> list[str]:
    """One sentence per derived variable the study has, in its own words."""
    from analysis.studyfile.plan_defaults import variable_label

    d, e = config.derive, config.exposure
    out = [
        f"Day 0 is {e.day0_words}; follow-up runs from day 0 to the last contact (months of "
        f"{d.days_per_month:g} days)."
    ]
    if e.kind == "periods":
        out.append(
            f"Treatment was recorded as {e.plural_noun} (start and stop dates, dose); a "
            f"{e.singular} without a stop date was ongoing at the last contact."
        )
    if config.sources_for("assessments"):
        out.append(
            f"Response at {d.response_target_month:g} months is the "
            f"{variable_label(config, 'response_grade').lower()} of the assessment "
            f"closest to month {d.response_target_month:g} within months "
            f"{d.response_window_months[0]:g}–{d.response_window_months[1]:g}."
        )
    for name, group in config.groups.items():
        out.append(describe_group(name, group, _words(config)))
    if config.sources_for("adverse_events"):
        end = (
            f"the last {e.singular}"
            if e.kind == "discrete"
            else f"the end of the last {e.singular}"
        )
        out.append(
            f"Adverse events were treatment-emergent from day 0 to {e.teae_days_after_last} "
            f"days after {end}; each was attributed to the last {e.singular} starting on or "
            "before its onset."
        )
    if d.schedule_months:
        out.append(
            f"The first-year schedule is the median interval between first-year "
            f"{e.plural_noun}, rounded to {', '.join(map(str, d.schedule_months))} months."
        )
    return out


def methods_paragraphs(config: StudyConfig, ard: pd.DataFrame) -> list[str]:
    """Plain-text paragraphs (the renderer escapes them)."""
    files = sorted({s.file for s in config.sources})
    centres = sorted({v for s in config.sources for k, v in s.constants.items() if k == "centre"})
    paras = [
        f"Design and data. Retrospective cohort of patients treated with "
        f"{config.exposure.treatment}. Records were read from {len(files)} export "
        f"file(s) ({', '.join(files)})"
        + (f" from {len(centres)} centres ({', '.join(centres)})" if centres else "")
        + ". Raw labels were mapped to controlled vocabularies (accent-, case- and "
        "space-insensitive; unknown labels stop the analysis). Duplicate patient rows with "
        "agreeing values were merged; patients with conflicting duplicate records were excluded; "
        f"duplicate {_child_records(config)} were merged. Implausible values were set missing; "
        "every excluded or corrected record is listed in the exclusion and audit logs.",
        "Inclusion criteria: " + "; ".join(c.label for c in config.inclusion) + ".",
        "Definitions. " + " ".join(definitions(config)),
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
        f"denominator.{_exposure_unit_sentence(config)} Methods used, as recorded with each number: "
        + "; ".join(tests)
        + ". "
        "Confidence intervals: " + "; ".join(cis) + ". Two-sided tests, alpha "
        f"{config.analysis.options.alpha}; no adjustment for multiplicity."
    )
    versions = package_versions()
    paras.append(
        "Software: " + ", ".join(f"{k} {v or 'not installed'}" for k, v in versions.items()) + "."
    )
    return paras


__all__ = ["methods_paragraphs"]
