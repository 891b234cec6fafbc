"""The patient flow of the clean stage: the inclusion criteria applied in the study's order,
a row per step (patients excluded, patients remaining), a row per subgroup the study shows in
it, and a warning for a step that leaves nobody."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.clean import derive
from analysis.clean.shared_text import Shareable
from analysis.clean.step import log_rows
from analysis.studyfile.config import StudyConfig
from analysis.words import counted


def apply_inclusion(
    patients: pd.DataFrame,
    config: StudyConfig,
    n_screened: int,
    conflicts: pd.DataFrame,
    removed: dict[str, tuple[str, str]],
    excluded: list[pd.DataFrame],
    unread: int = 0,
    warnings: list[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The patients meeting every inclusion criterion (in the study's order) and the flow: one
    row per step with the patients it excluded and those remaining. Those excluded are logged
    (``excluded``: the exclusion log's frames) and added to ``removed``. ``n_screened``: the
    unique ids of the patient export(s), ``unread`` of them with every record excluded while
    reading (a required value missing or unreadable: a step of their own). A patient who fails
    a criterion with a value it compares missing is excluded (a comparison with a missing value
    is not met), the reason naming the column, and ``warnings`` gets a line per such step."""
    flow = [flow_row("screened", screened_label(config), 0, n_screened)]
    if unread:
        steps = {step for step, _ in removed.values() if step != "conflict"}
        label = f"Patient records unusable ({unusable_words(steps)})"
        flow.append(flow_row("unreadable", label, unread, n_screened - unread))
    if len(conflicts):
        label = "Conflicting duplicate patient records"
        flow.append(flow_row("conflict", label, len(conflicts), len(patients)))
    for crit in config.inclusion:
        ok = derive.evaluate_conditions(patients, crit.where)
        out = patients.loc[~ok]
        step_name = f"inclusion:{crit.id}"
        absent = derive.missing_in_conditions(out, crit.where)
        reasons = (
            f"not met: {crit.label}" + absent.map(lambda c: f" ({c} missing)" if c else "")
        ).astype(str)
        excluded.append(log_rows(out, "patients", step_name, reasons))
        removed.update(
            zip(out["patient_id"], zip([step_name] * len(out), reasons, strict=True), strict=True)
        )
        if warnings is not None and (absent != "").any():
            n = int((absent != "").sum())
            warnings.append(
                Shareable(
                    f"inclusion.{crit.id} ({crit.label}): {counted(n, 'patient')} excluded because a "
                    "value it "
                    f"compares is missing ({', '.join(sorted(set(absent[absent != ''])))}); a "
                    "comparison with a missing value is not met. To keep them, complete the value "
                    "(or what it is derived from) in the export, or add a criterion that says how "
                    "(e.g. `op: is_missing`)."
                )
            )
        patients = patients.loc[ok]
        flow.append(flow_row(step_name, crit.label, int((~ok).sum()), len(patients)))
    return patients, pd.DataFrame(flow)


#: why a patient's records could not be used, by the step of the exclusion log that took them
#: (a label of an optional column no vocabulary maps, under ``on_unmapped: exclude``, was
#: counted as "a required value missing or unreadable")
_UNUSABLE = {
    "missing": "a required value missing or unreadable",
    "unreadable": "a required value missing or unreadable",
    "vocabulary": "a label no vocabulary maps",
    "id_pattern": "an id not matching `cleaning.ids.pattern`",
    "check": "a value outside a check's limits",
}


def unusable_words(steps: set[str]) -> str:
    """Why records could not be used, in words, for the exclusion-log ``steps`` that took them
    (in the order of :data:`_UNUSABLE`, any other step last)."""
    order = list(_UNUSABLE)
    ranked = sorted(steps, key=lambda s: (order.index(s) if s in order else len(order), s))
    words = [_UNUSABLE.get(s, f"excluded at '{s}'") for s in ranked]
    return ", or ".join(dict.fromkeys(words)) or _UNUSABLE["missing"]


def screened_label(config: StudyConfig) -> str:
    """The first row's label: "the export" when one file holds the patient table (one workbook,
    one CSV), else "the exports" (one file per centre...)."""
    files = {s.file for s in config.sources if s.table == "patients"}
    return f"Patients in the export{'s' if len(files) > 1 else ''} (unique ids)"


def flow_row(step: str, label: str, n_excluded: Any, n_remaining: int) -> dict[str, Any]:
    """One row of the flow."""
    return {"step": step, "label": label, "n_excluded": n_excluded, "n_remaining": n_remaining}


def with_subgroups(flow: pd.DataFrame, patients: pd.DataFrame, config: StudyConfig) -> pd.DataFrame:
    """The flow with a row per subgroup the study shows in it (its size; nobody excluded)."""
    rows = [
        flow_row(
            f"subgroup:{name}",
            sub.label,
            pd.NA,
            int(derive.evaluate_conditions(patients, sub.where).sum()),
        )
        for name, sub in config.subgroups.items()
        if sub.in_flow
    ]
    frames = [flow, *(pd.DataFrame([row]) for row in rows)]
    return pd.concat(frames).reset_index(drop=True)


def flow_warnings(flow: pd.DataFrame) -> list[str]:
    """A warning when the cohort is empty, naming the step that left nobody: an inclusion
    step, or an earlier one (every patient's records conflicting, none read). Only that step:
    an inclusion step after it excludes 0 of 0, and the warning once blamed such a step while
    the conflicting duplicates had removed every patient."""
    before: int | None = None
    for r in flow.itertuples():
        step = str(r.step)
        if step.startswith("subgroup:"):
            break
        if int(r.n_remaining) == 0:
            if step.startswith("inclusion:"):
                return [
                    Shareable(
                        f"inclusion step '{step.removeprefix('inclusion:')}' ({r.label}) "
                        f"excludes every remaining patient ({r.n_excluded}); the cohort is "
                        "empty. Check the criterion and the columns it uses."
                    )
                ]
            if before is None:
                return [
                    Shareable(
                        f"no patient was read ({r.label}: 0); the cohort is empty. Check the "
                        "sources of the patients table and the rows they read."
                    )
                ]
            why = (
                " (rows of one patient disagree: an export of one row per visit repeats the "
                "patient's columns on each row, and they must agree there; a date or number "
                "that changes from visit to visit, such as the last visit, is taken over the "
                "patient's rows with the source's `per_patient`, e.g. "
                "`per_patient: {last_visit_date: latest}`)"
                if step == "conflict"
                else ""
            )
            return [
                Shareable(
                    f"step '{step}' ({r.label}) removes every patient ({before}); the cohort is "
                    f"empty. Its reasons are in the exclusion log, step '{step}'{why}."
                )
            ]
        before = int(r.n_remaining)
    return []


__all__ = [
    "apply_inclusion",
    "flow_row",
    "flow_warnings",
    "screened_label",
    "unusable_words",
    "with_subgroups",
]
