"""The design matrix of a regression model, built once for every model of the package.

``design_matrix`` takes a subject-level frame, the covariates and (optionally) the outcome and
gives the complete cases and their covariate columns: a categorical covariate is treatment
(dummy) coded against an explicit reference level, one 0/1 column ``cov[level]`` per other
observed level; a boolean covariate is categorical with levels ``no``/``yes``; a numeric
covariate is its own column (effect per unit). Every subject left out is counted. The logistic
and proportional-odds models (``stats/regression.py``), the Brant test (``stats/brant.py``) and
the Cox model of the time-to-event table all take their covariates from here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.errors import ArgumentError

__all__ = [
    "Design",
    "Term",
    "design_matrix",
    "is_categorical",
    "levels_of",
    "natural_key",
    "per_unit",
]


@dataclass(frozen=True)
class Term:
    """One column of a design matrix: its covariate, its name and what it contrasts."""

    covariate: str
    column: str  # column of the design matrix: "sex[male]", or the covariate for a numeric one
    contrast: str  # "male vs female", "per year"
    level: str = ""  # the compared level ("male"), or the contrast of a numeric covariate
    reference: str = ""  # the reference level ("female"); "" for a numeric covariate

    @property
    def is_numeric(self) -> bool:
        """A numeric covariate is its own column (effect per unit)."""
        return self.column == self.covariate


@dataclass(frozen=True)
class Design:
    """Complete cases and their design matrix ``X`` (no constant column), with what was left out.

    ``y`` is the outcome of the complete cases (``None`` without an outcome); ``references`` the
    reference level of each categorical covariate; ``missing_by_covariate`` the subjects with an
    outcome but without that covariate; ``dropped_levels`` declared levels without any complete
    case (no column).
    """

    y: pd.Series | None
    X: pd.DataFrame
    terms: list[Term]
    references: dict[str, str]
    n_missing_outcome: int
    n_missing_covariates: int
    missing_by_covariate: dict[str, int]
    dropped_levels: dict[str, list[str]] = field(default_factory=dict)

    @property
    def groups(self) -> dict[str, list[str]]:
        """Covariate -> its columns of ``X`` (a categorical covariate has one per non-reference
        level), for joint tests of a covariate."""
        out: dict[str, list[str]] = {}
        for t in self.terms:
            out.setdefault(t.covariate, []).append(t.column)
        return out

    @property
    def all_categorical(self) -> bool:
        """No numeric covariate: every subject falls in one covariate pattern of few."""
        return not any(t.is_numeric for t in self.terms)


def levels_of(data: pd.DataFrame, column: str) -> list[str]:
    """Declared levels of a categorical column (zero levels kept), else observed values sorted,
    numbers by value ("2" before "10"), then text."""
    s = data[column]
    if isinstance(s.dtype, pd.CategoricalDtype):
        return [str(c) for c in s.cat.categories]
    return sorted(s.dropna().astype(str).unique(), key=natural_key)


def natural_key(text: str) -> tuple[float, str]:
    """Sort key of a level: a number by its value, then text in code-point order."""
    try:
        return (float(text), "")
    except ValueError:
        return (math.inf, text)


def per_unit(name: str, units: Mapping[str, str] | None = None) -> str:
    """Contrast label of a numeric covariate: ``units[name]`` when given (the study's word for
    what the variable counts or measures), else from the unit suffix of its canonical name
    (``age_years`` -> "per year", ``n_sessions`` -> "per session"), else "per unit"."""
    if units and units.get(name):
        return f"per {units[name]}"
    for suffix, unit in (("_years", "year"), ("_months", "month"), ("_days", "day")):
        if name.endswith(suffix):
            return f"per {unit}"
    if name.endswith("_mg"):
        return "per mg"
    if name.startswith("n_") and len(name) > 2:
        return f"per {name[2:].removesuffix('s').replace('_', ' ')}"
    return "per unit"


def is_categorical(s: pd.Series) -> bool:
    """Categorical, boolean or text columns are dummy coded; numeric ones enter linearly."""
    return (
        isinstance(s.dtype, pd.CategoricalDtype)
        or pd.api.types.is_bool_dtype(s)
        or not pd.api.types.is_numeric_dtype(s)
    )


def design_matrix(
    data: pd.DataFrame,
    covariates: Sequence[str],
    *,
    outcome: str | None = None,
    reference: Mapping[str, str | None] | None = None,
    units: Mapping[str, str] | None = None,
) -> Design:
    """Complete cases and their treatment-coded design matrix; every exclusion is counted.

    Parameters
    ----------
    data : subject-level table; not modified.
    covariates : columns, in the order of the matrix.
    outcome : column every modelled subject must have (``None``: no outcome, e.g. a Cox model
        whose time and event are checked by the model itself).
    reference : ``{covariate: level}``; a missing key or ``None`` means the first declared (or
        sorted observed) level observed among the complete cases.
    units : ``{covariate: unit word}`` for the contrast label of numeric covariates.

    Raises
    ------
    ValueError
        Naming the covariate and the fix: empty or repeated covariates, absent columns, a
        reference for a numeric covariate or one without complete cases, a constant covariate,
        too few complete cases, collinear covariates.
    """
    covariates = list(covariates)
    _check_arguments(data, covariates, outcome, reference)
    given = {k: str(v) for k, v in (reference or {}).items() if v is not None}
    has_outcome = (
        data[outcome].notna() if outcome is not None else pd.Series(True, index=data.index)
    )
    missing_by = {c: int((has_outcome & data[c].isna()).sum()) for c in covariates}
    complete = has_outcome & data[covariates].notna().all(axis=1)
    sub = data.loc[complete, [*([outcome] if outcome is not None else []), *covariates]]
    n_used = len(sub)
    if n_used == 0 and int(has_outcome.sum()):
        n_with = int(has_outcome.sum())
        lacking = ", ".join(
            f"`{c}` {missing_by[c]} of {n_with}" for c in covariates if missing_by[c]
        )
        raise ArgumentError(
            f"no subject has a value of every covariate (missing: {lacking}), so the model has "
            "no complete case to fit. Complete the values in the export, or leave the covariate "
            "out of the model."
        )

    columns: dict[str, np.ndarray] = {}
    terms: list[Term] = []
    refs: dict[str, str] = {}
    dropped: dict[str, list[str]] = {}
    for cov in covariates:
        s = sub[cov]
        if is_categorical(s):
            coded, ref, unused = _dummies(data, cov, s, given.get(cov), n_used)
            refs[cov] = ref
            if unused:
                dropped[cov] = unused
            for col, (lv, values) in coded.items():
                columns[col] = values
                terms.append(Term(cov, col, f"{lv} vs {ref}", str(lv), str(ref)))
        else:
            columns[cov] = _numeric(cov, s, given, n_used)
            terms.append(Term(cov, cov, per_unit(cov, units), per_unit(cov, units)))
    X = pd.DataFrame(columns, index=sub.index)
    _check_estimable(X, covariates, n_used)
    return Design(
        y=sub[outcome] if outcome is not None else None,
        X=X,
        terms=terms,
        references=refs,
        n_missing_outcome=int((~has_outcome).sum()),
        n_missing_covariates=int((has_outcome & ~complete).sum()),
        missing_by_covariate=missing_by,
        dropped_levels=dropped,
    )


def _check_arguments(
    data: pd.DataFrame,
    covariates: list[str],
    outcome: str | None,
    reference: Mapping[str, str | None] | None,
) -> None:
    """Refuse covariate lists a model cannot take, naming what is wrong."""
    if not covariates:
        raise ArgumentError("`covariates` is empty; name at least one covariate.")
    dup = sorted({c for c in covariates if covariates.count(c) > 1})
    if dup:
        raise ArgumentError(f"covariate(s) {dup} are listed more than once in `covariates`.")
    wanted = [*([outcome] if outcome is not None else []), *covariates]
    absent = [c for c in wanted if c not in data.columns]
    if absent:
        raise ArgumentError(f"column(s) {absent} are not in the data; it has {list(data.columns)}.")
    if outcome is not None and outcome in covariates:
        raise ArgumentError(f"the outcome `{outcome}` is also listed as a covariate.")
    stray = sorted(set(reference or {}) - set(covariates))
    if stray:
        raise ArgumentError(
            f"`reference` names column(s) {stray} that are not covariates {covariates}."
        )
    if data.empty:
        raise ArgumentError(
            "the data hold no subjects (an empty frame: a filter or subgroup left none), so "
            "there is no model to fit."
        )
    boxed = [c for c in covariates if _numbers_as_objects(data[c])]
    if boxed:
        raise ArgumentError(
            f"covariate(s) {boxed} hold numbers stored as Python objects (dtype object), which a "
            "model could take as a number (per unit) or as levels (one term per value): say "
            f"which. Convert each, e.g. data['{boxed[0]}'] = pd.to_numeric(data['{boxed[0]}']) "
            "for a number, or .astype('category') for levels."
        )


def _numbers_as_objects(s: pd.Series) -> bool:
    """Whether ``s`` is an object column whose values are all numbers (not booleans): a column
    read from a mixed source, or after a fill. Taken as levels, its model silently differed
    from that of the same numbers in a numeric column (HR per unit)."""
    if s.dtype != object:
        return False
    return pd.api.types.infer_dtype(s, skipna=True) in {
        "integer",
        "floating",
        "mixed-integer-float",
        "decimal",
    }


def _dummies(
    data: pd.DataFrame, cov: str, s: pd.Series, reference: str | None, n_used: int
) -> tuple[dict[str, tuple[str, np.ndarray]], str, list[str]]:
    """Treatment coding of one categorical covariate among the complete cases: ``{column:
    (level, 0/1 values)}`` per observed non-reference level, the reference level and the
    declared levels without any complete case."""
    codes, label = _row_labels(s)
    declared = ["no", "yes"] if pd.api.types.is_bool_dtype(s) else levels_of(data, cov)
    present = set(label[np.bincount(codes, minlength=len(label)) > 0])
    observed = [lv for lv in declared if lv in present]
    observed += sorted(present - set(observed))
    if len(observed) < 2:
        raise ArgumentError(
            f"covariate `{cov}` is constant among the {n_used} complete cases (every "
            f"value is {observed[0] if observed else 'missing'!r}); it has no contrast "
            f"to estimate. Drop it from `covariates`."
        )
    ref = str(reference if reference is not None else observed[0])
    if ref not in observed:
        raise ArgumentError(
            f"reference level {ref!r} of `{cov}` has no subject among the complete "
            f"cases; observed levels are {observed}."
        )
    coded = {
        f"{cov}[{lv}]": (lv, (label == lv)[codes].astype(float)) for lv in observed if lv != ref
    }
    return coded, ref, [lv for lv in declared if lv not in observed]


def _row_labels(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each row's level label as an index ``codes`` into ``labels``: "no"/"yes" for booleans,
    else the row's ``astype(str)``. The labels are made once per category or distinct text
    (``astype(str)`` on them gives what it gives value by value); a column of other values (1,
    "1", True: values that compare equal but label apart) is labelled row by row first."""
    if pd.api.types.is_bool_dtype(s):
        codes, uniques = pd.factorize(s.astype(bool))
        return codes, pd.Series(uniques).map({False: "no", True: "yes"}).to_numpy(dtype=object)
    if isinstance(s.dtype, pd.CategoricalDtype):
        n_cat = len(s.cat.categories)
        each = pd.Categorical.from_codes([*range(n_cat), -1], dtype=s.dtype)
        codes = s.cat.codes.to_numpy().astype(np.intp)
        codes[codes < 0] = n_cat  # a missing value: the label astype(str) gives it
        return codes, pd.Series(each).astype(str).to_numpy(dtype=object)
    if not _all_text(s):
        s = s.astype(str)
    codes, uniques = pd.factorize(s, use_na_sentinel=False)
    return codes, pd.Series(uniques).astype(str).to_numpy(dtype=object)


def _all_text(s: pd.Series) -> bool:
    """Whether every value of ``s`` is text (a string dtype, or Python strings only)."""
    return isinstance(s.dtype, pd.StringDtype) or pd.api.types.infer_dtype(s, skipna=False) in (
        "string",
        "empty",
    )


def _numeric(cov: str, s: pd.Series, reference: Mapping[str, str], n_used: int) -> np.ndarray:
    """A numeric covariate's column (effect per unit); it has no reference and must vary."""
    if cov in reference:
        raise ArgumentError(
            f"`reference` gives a level for the numeric covariate `{cov}`; numeric "
            "covariates enter linearly (effect per unit) and have no reference."
        )
    x = s.astype(float).to_numpy()
    if np.unique(x).size < 2:
        raise ArgumentError(
            f"covariate `{cov}` is constant among the {n_used} complete cases (every "
            f"value is {x[0] if x.size else 'missing'!r}); it has no effect to estimate. "
            "Drop it from `covariates`."
        )
    return x


def _check_estimable(X: pd.DataFrame, covariates: list[str], n_used: int) -> None:
    """Enough complete cases for the columns, and no column a combination of the others."""
    if n_used <= X.shape[1] + 1:
        raise ArgumentError(
            f"only {n_used} complete case(s) for {X.shape[1]} covariate column(s); the model "
            "cannot be estimated. Use fewer covariates or impute missing values first."
        )
    with_const = np.column_stack([np.ones(n_used), X.to_numpy()])
    if np.linalg.matrix_rank(with_const) < with_const.shape[1]:
        raise ArgumentError(
            f"the covariates {covariates} are collinear among the {n_used} complete cases "
            "(a column is a combination of others); drop one of them."
        )
