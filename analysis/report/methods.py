"""The methods paragraph, generated from the config and from what was actually run (the ARD)."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pandas as pd

from analysis.report.manifest import package_versions
from analysis.report.method_prose import references, statistics_sentences, used_methods
from analysis.studyfile.config import StudyConfig
from analysis.studyfile.design import describe_group
from analysis.words import and_list, counted, in_sentence


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


def _level_in_sentence(config: StudyConfig, column: str, level: str) -> str:
    from analysis.studyfile.plan_defaults import level_label

    return in_sentence(level_label(config, column, level))


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


def _uses_response(config: StudyConfig) -> bool:
    """Whether the analysis reads the response at the target month: a response table, or a
    key of the study file naming its column (a subgroup, a criterion, a model's outcome). A
    study with assessments and no such use had its Methods define a response it never showed."""
    from analysis.studyfile.plan_defaults import effective_plan

    if any(t.kind == "response" for t in effective_plan(config).tables.values()):
        return True
    from analysis.clean.columns import RESPONSE_DERIVED

    text = config.model_dump_json()
    d = config.derive
    names = (d.response_column, d.response_date_column, *RESPONSE_DERIVED)
    return any(f'"{name}"' in text for name in names)


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
            f"{e.singular} without a stop date was ongoing at the last contact, unless the "
            "treatment was discontinued at a known date, which ended it."
        )
    if config.sources_for("assessments") and _uses_response(config):
        out.append(
            f"Response at {d.response_target_month:g} months is the "
            f"{in_sentence(variable_label(config, 'response_grade'))} of the assessment "
            f"closest to month {d.response_target_month:g} within months "
            f"{d.response_window_months[0]:g}–{d.response_window_months[1]:g}."
        )
    for name, group in config.groups.items():
        shown = functools.partial(_level_in_sentence, config, name)  # as the tables show it
        out.append(describe_group(name, group, _words(config), shown))
    if config.sources_for("adverse_events"):
        end = (
            f"the last {e.singular}"
            if e.kind == "discrete"
            else f"the end of the last {e.singular}"
        )
        out.append(
            f"Adverse events were treatment-emergent from {e.teae_start_words} to "
            f"{e.teae_days_after_last} "
            f"days after {end}; each was attributed to the last {e.singular} starting on or "
            "before its onset."
        )
    if d.schedule_months:
        out.append(
            f"The first-year schedule is the median interval between first-year "
            f"{e.plural_noun}, rounded to the nearest of "
            f"{and_list([f'{m:g}' for m in d.schedule_months])} months."
        )
    return out


def _unknown_labels(config: StudyConfig) -> str:
    """What a label no vocabulary maps did, as ``cleaning.on_unmapped`` says."""
    if config.cleaning.on_unmapped == "exclude":
        return "records with a label no vocabulary maps were excluded"
    return "unknown labels stop the analysis"


def _implausible(config: StudyConfig) -> str:
    """What the range checks did: set missing, or (``action: exclude``) the records excluded,
    each check named with its limits."""
    words = _words(config)
    excluded = [
        f"{in_sentence(words(c.column))} ({_limits(c.min, c.max)})"
        for c in config.checks
        if c.action == "exclude"
    ]
    if not excluded:
        return "Implausible values were set missing"
    return (
        "Implausible values were set missing, except that records outside the declared "
        f"limits of {and_list(excluded)} were excluded"
    )


def _limits(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low:g} to {high:g}"
    return f"at least {low:g}" if low is not None else f"at most {high:g}"


def methods_paragraphs(config: StudyConfig, ard: pd.DataFrame) -> list[str]:
    """Plain-text paragraphs (the renderer escapes them)."""
    files = sorted({s.file for s in config.sources})
    centres = sorted({v for s in config.sources for k, v in s.constants.items() if k == "centre"})
    paras = [
        f"Design and data. Retrospective cohort of patients treated with "
        f"{config.exposure.treatment}. Records were read from "
        f"{counted(len(files), 'export file')} ({', '.join(files)})"
        + (f" from {len(centres)} centres ({', '.join(centres)})" if centres else "")
        + ". Raw labels were mapped to controlled vocabularies (accent-, case- and "
        f"space-insensitive; {_unknown_labels(config)}). Duplicate patient rows with "
        "agreeing values were merged; patients with conflicting duplicate records were excluded; "
        f"duplicate {_child_records(config)} were merged. {_implausible(config)}; "
        "every excluded or corrected record is listed in the exclusion and audit logs.",
        "Inclusion criteria: "
        + "; ".join(
            c.label if i == 0 else in_sentence(c.label) for i, c in enumerate(config.inclusion)
        )
        + ".",
        "Definitions. " + " ".join(definitions(config)),
    ]
    used, unknown = used_methods(ard.loc[ard["method"] != "", "method"].drop_duplicates())
    if unknown:
        raise ValueError(
            f"methods without a sentence in analysis/report/method_prose.py: {unknown}; add "
            "them to its CATALOGUE (or to COUNT_WORDS if they describe a count)"
        )
    alpha = config.analysis.options.alpha
    paras.append(
        "Statistics. Categorical variables are summarised as n (%) and continuous variables as "
        "mean (SD, denominator n − 1) and median [Q1, Q3] (quartiles by linear interpolation "
        "between order statistics, R's quantile type 7). Adverse events are counted per subject (a subject with "
        "several events of a term counts once; events are counted separately), with the "
        f"subject-level table as denominator.{_exposure_unit_sentence(config)} "
        + " ".join(statistics_sentences(used, alpha=alpha))
        + f" All tests were two-sided at a significance level of {alpha:g}, without adjustment "
        "for multiplicity; analyses used the available data (complete cases), with the "
        "numbers excluded stated under each table."
    )
    versions = package_versions(config.engine.backend)
    python = versions.pop("python", None)
    own = versions.pop("retro_analysis", None)
    paras.append(
        f"Software. The analysis ran in Python {python or 'unknown'} with retro-analysis "
        f"{own or 'unknown'} (this toolkit), "
        + ", ".join(f"{k} {v or 'not installed'}" for k, v in versions.items())
        + "; every number of this report is in its analysis-results data (ARD), each test, "
        "interval, model and count with the method that produced it, and the descriptive "
        "statistics (n, %, mean, SD, median, quartiles, range) as defined above."
    )
    cited = references(used)
    if cited:
        paras += ["References (statistical methods):", *cited]
    return paras


__all__ = ["methods_paragraphs"]
