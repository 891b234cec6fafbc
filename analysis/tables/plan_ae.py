"""The adverse-event tables of the plan: incidence (per patient or per patient-exposure, by
patient or exposure columns, with event filters), highest severity, by exposure number and
duration."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.studyfile.plan import (
    AeByExposureTable,
    AeDurationTable,
    AeIncidenceTable,
    AeSeverityTable,
)
from analysis.studyfile.plan_defaults import level_label
from analysis.tables.adverse_events import ae_incidence
from analysis.tables.ae_detail import ae_by_exposure, ae_duration
from analysis.tables.ae_pairwise import Pairwise
from analysis.tables.ae_severity import ae_severity
from analysis.tables.render import TableResult
from analysis.words import counted, in_sentence

if TYPE_CHECKING:
    pass

from analysis.tables.plan_context import (
    EXPOSURE_ID_SEP,
    Context,
    condition_words,
    usable_by,
    with_notes,
)
from analysis.tables.undated_events import undated_events_note


def _levels_of_numbers(values: pd.Series) -> pd.Series:
    """A numeric exposure column as ordered levels ("0.21", "0.5", "1"), for grouping: each
    distinct value a level of its own, written with 2 decimals or as many more as it takes to
    keep two values apart (0.2142857 and 0.21 were one level "0.21", their periods pooled)."""
    if not pd.api.types.is_numeric_dtype(values):
        return values
    distinct = np.sort(values.dropna().unique())
    digits = 2
    while digits < 12 and len({round(float(v), digits) for v in distinct}) < len(distinct):
        digits += 1
    shown = values.map(lambda v: None if pd.isna(v) else _shown_number(float(v), digits))
    # values apart by less than 1e-12 (float noise: 0.1 + 0.2 and 0.3) are one level
    order = list(dict.fromkeys(_shown_number(float(v), digits) for v in distinct))
    return pd.Series(pd.Categorical(shown, categories=order, ordered=True), index=values.index)


def _shown_number(value: float, digits: int) -> str:
    """``value`` rounded to ``digits`` decimals, without trailing zeros (0.5, 1, 0.21)."""
    text = f"{round(value, digits):.{digits}f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def exposure_subjects(
    patients: pd.DataFrame, exposures: pd.DataFrame, events: pd.DataFrame, by: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Patient-exposures as subjects (id ``patient_id#exposure_number``, the patient's groups)
    and the events with the same id from their ``exposure_number``."""

    def key(frame: pd.DataFrame) -> pd.Series:
        number = frame["exposure_number"].astype("Int64").astype("string")
        return frame["patient_id"].astype("string") + EXPOSURE_ID_SEP + number

    ids = patients["patient_id"]
    # a `by` column of the exposures table (the dose of the period) is the period's own value
    own = [c for c in by if c in exposures.columns and c not in patients.columns]
    periods = exposures.loc[
        exposures["patient_id"].isin(ids), ["patient_id", "exposure_number", *own]
    ]
    periods = periods.assign(**{c: _levels_of_numbers(periods[c]) for c in own})
    from_patients = [c for c in by if c not in own]
    subjects = periods.merge(patients[["patient_id", *from_patients]], on="patient_id", how="left")
    subjects = subjects.assign(patient_id=key(subjects).to_numpy())[["patient_id", *by]]
    events = events.loc[events["exposure_number"].notna()]
    return subjects.reset_index(drop=True), events.assign(patient_id=key(events).to_numpy())


def _sex_specific(ctx: Context, term: str) -> dict[str, str]:
    """The terms of one sex of the vocabulary of ``term`` (``sex_specific``): term -> sex."""
    vocab = ctx.config.vocabularies.get(term)
    return dict(vocab.sex_specific) if vocab else {}


def build_ae_incidence(ctx: Context, name: str, spec: AeIncidenceTable) -> TableResult:
    subjects = ctx.subjects(spec)
    undated = undated_events_note(ctx.result.exclusions, subjects["patient_id"])
    events = ctx.events(subjects, spec)
    vocab = ctx.config.vocabularies.get(spec.term)
    sex_specific = _sex_specific(ctx, spec.term)
    if spec.unit == "exposures":
        exposures = ctx.result.tables["exposures"]
        sex = ["sex"] if sex_specific and "sex" not in spec.by else []
        subjects, events = exposure_subjects(subjects, exposures, events, [*spec.by, *sex])
        e = ctx.config.exposure
        # a period without its own `by` value (a dose left unreadable, audited) cannot be put in
        # a group, and no population of patients can leave it out: left out here, and said
        own = [c for c in spec.by if c in exposures.columns and c != "patient_id"]
        blank = subjects[own].isna().any(axis=1) if own else pd.Series(False, subjects.index)
        left_out = int(blank.sum())
        if left_out:
            gone = set(subjects.loc[blank, "patient_id"])
            subjects = subjects.loc[~blank].reset_index(drop=True)
            events = events.loc[~events["patient_id"].isin(gone)]
        subjects, by, notes = usable_by(subjects, list(spec.by), ctx.label)
        if left_out:
            what = " or ".join(in_sentence(ctx.label(c)) for c in own)
            notes.append(
                f"{counted(left_out, e.singular)} without a {what} (missing or unreadable in the "
                f"export; see the audit log) {'is' if left_out == 1 else 'are'} left out, with "
                f"{'its' if left_out == 1 else 'their'} events."
            )
        patients = subjects["patient_id"].str.rpartition(EXPOSURE_ID_SEP)[0].nunique()
        notes.append(
            f"Unit of analysis: patient-{e.singular} ({e.plural_noun} of each patient counted "
            f"apart); N = {len(subjects)} {e.plural_noun} of {patients} patients. The tests "
            f"and intervals take the {e.plural_noun} as independent; those of one patient are "
            f"not, so they look more precise than they are."
        )
    else:
        subjects, by, notes = usable_by(subjects, list(spec.by), ctx.label)
    if spec.where:
        notes.append(f"Events counted: those whose {condition_words(ctx, spec.where)}.")
    pairwise = (
        Pairwise(
            spec.pairwise.reference,
            spec.pairwise.adjust,
            reference_words=level_label(ctx.config, by[0], spec.pairwise.reference),
            compare_words=ctx.label(by[0]),
        )
        if spec.pairwise and by
        else None
    )
    t = ae_incidence(
        subjects,
        events,
        by=by,
        term=spec.term,
        categories=vocab.categories if vocab else None,
        terms=vocab.levels if vocab else None,
        ci=ctx.options.ci_method,
        alpha=ctx.options.alpha,
        test=spec.test or ctx.options.ae_test,
        seed=ctx.seed,
        unit=ctx.config.exposure.plural_noun if spec.unit == "exposures" else "patients",
        sex_specific=sex_specific,
        pairwise=pairwise,
        reference=pairwise.reference if pairwise else None,
    )
    title = spec.title
    if title is None and spec.unit == "exposures":
        title = f"Adverse events: patient-{ctx.config.exposure.plural_noun} with at least one event"
    if title:
        t = dataclasses.replace(t, title=title)
    return with_notes(t, [*notes, *undated], name=name)


def build_ae_severity(ctx: Context, name: str, spec: AeSeverityTable) -> TableResult:
    subjects = ctx.subjects(spec)
    undated = undated_events_note(ctx.result.exclusions, subjects["patient_id"])
    events = ctx.events(subjects, spec)
    subjects, by, notes = usable_by(subjects, list(spec.by), ctx.label)
    t = ae_severity(
        subjects,
        events,
        by=by,
        test=spec.test or ctx.options.ae_test,
        seed=ctx.seed,
        sex_specific=_sex_specific(ctx, "ae_term"),
    )
    if spec.title:
        t = dataclasses.replace(t, title=spec.title)
    return with_notes(t, [*notes, *undated], name=name)


def build_ae_by_exposure(ctx: Context, name: str, spec: AeByExposureTable) -> TableResult:
    subjects = ctx.subjects(spec)
    exposures = ctx.result.tables["exposures"]
    if spec.population is not None:
        exposures = exposures.loc[exposures["patient_id"].isin(subjects["patient_id"])]
    t = ae_by_exposure(
        ctx.events(subjects, spec),
        exposures,
        term=spec.term,
        max_exposure=spec.max_exposure,
        pool_below=(spec.pool_below.fraction, spec.pool_below.minimum),
        ci=ctx.options.ci_method,
        alpha=ctx.options.alpha,
        noun=ctx.config.exposure.singular,
        subjects=subjects,
        sex_specific=_sex_specific(ctx, spec.term),
    )
    title = spec.title or f"Adverse events by {ctx.config.exposure.singular} number"
    undated = undated_events_note(ctx.result.exclusions, subjects["patient_id"])
    return with_notes(dataclasses.replace(t, title=title), undated, name=name)


def build_ae_duration(ctx: Context, name: str, spec: AeDurationTable) -> TableResult:
    subjects = ctx.subjects(spec)
    t = ae_duration(
        ctx.events(subjects, spec),
        term=spec.term,
        subjects=subjects,
        sex_specific=_sex_specific(ctx, spec.term),
    )
    if spec.title:
        t = dataclasses.replace(t, title=spec.title)
    return with_notes(
        t, undated_events_note(ctx.result.exclusions, subjects["patient_id"]), name=name
    )
