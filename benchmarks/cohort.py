"""A synthetic cohort for benchmarks: one row per patient and one row per adverse event.

Everything is vectorised numpy and deterministic from ``seed`` (one ``numpy.random.Generator``,
fixed order of draws), so a benchmark on 1,000,000 patients and 10,000,000 events is generated
in a few seconds and is the same on every machine.

Column types follow what the cleaning step hands to the tables (``analysis.clean`` /
``analysis.clean.derive``): controlled vocabularies are pandas ``Categorical`` with declared levels,
measurements are ``float64`` (``NaN`` = missing), counts ``int64``.

``patient_id`` is ``int64``, not a string: it is the join and ``nunique`` key of every AE count,
and an 8-byte integer hashes and compares several times faster than a Python string object
(about 60 bytes each) in both pandas and DuckDB; 10,000,000 string ids would also cost ~0.6 GB
more memory. The tables do not care about the id's type, only its equality.

Not a clinical simulation: distributions are only plausible enough that tables look like real
ones (skewed AE terms, ~22% of patients without any event, ~2% non-treatment-emergent events,
~0.1% serious, small sex differences in some baseline variables and none in others).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEXES = ["female", "male"]
THERAPIES = ["monotherapy", "combined"]
CENTRES = ["Buenos Aires", "Cordoba", "Rosario", "Mendoza", "La Plata"]
SEVERITIES = ["mild", "moderate", "severe"]
SCHEDULES = ["weekly", "fortnightly", "monthly", "bimonthly", "quarterly"]
#: Ten AE terms with skewed frequencies (share of events), most common first.
AE_TERMS = {
    "pain": 0.46,
    "edema": 0.20,
    "burning": 0.12,
    "erythema": 0.08,
    "headache": 0.05,
    "pruritus": 0.04,
    "hematoma": 0.025,
    "folliculitis": 0.015,
    "paradoxical alopecia": 0.007,
    "acute dermatitis": 0.003,
}
AE_SEVERITIES = ["mild", "moderate", "severe"]

CONTINUOUS = ["age_years", "followup_months", "n_exposures", "bmi", "dose_mg", "baseline_score"]
CATEGORICAL = ["therapy_group", "centre", "baseline_severity", "schedule"]
#: The ten Table-1 variables (by sex): six continuous, four categorical.
TABLE1_VARIABLES = CONTINUOUS + CATEGORICAL


def _categorical(codes: np.ndarray, levels: list[str]) -> pd.Categorical:
    """Codes -> Categorical without building any string (code -1 = missing)."""
    return pd.Categorical.from_codes(codes.astype(np.int8), categories=levels)


def _choice(rng: np.random.Generator, n: int, p: list[float]) -> np.ndarray:
    """``n`` draws of 0..len(p)-1 with probabilities ``p`` (inverse CDF, vectorised)."""
    cdf = np.cumsum(np.asarray(p, dtype=float))
    cdf /= cdf[-1]
    return np.searchsorted(cdf, rng.random(n), side="right")


def _with_missing(rng: np.random.Generator, x: np.ndarray, share: float) -> np.ndarray:
    x = x.astype(float)
    x[rng.random(len(x)) < share] = np.nan
    return x


def make_cohort(
    n_patients: int = 1_000_000, n_events: int = 10_000_000, seed: int = 20240501
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(patients, events)``: one row per patient, one row per adverse event.

    patients: ``patient_id`` (int64, 1..n), ``sex``, ``therapy_group``, ``age_years`` (~1% NaN),
    ``followup_months``, ``n_exposures`` (int64), ``bmi`` (~0.5% NaN), ``dose_mg``,
    ``baseline_score``, ``centre`` (5 levels), ``baseline_severity`` (3 levels, ~2% missing),
    ``schedule`` (5 levels).

    events (sorted by patient): ``patient_id``, ``ae_term`` (10 terms), ``severity``, ``is_teae``
    (~98% True), ``is_serious`` (~0.1% True). Event counts per patient are over-dispersed
    (gamma-Poisson), so many patients have none and a few have dozens.
    """
    rng = np.random.default_rng(seed)
    n = int(n_patients)
    sex = _choice(rng, n, [0.56, 0.44])
    male = sex == 1
    therapy = _choice(rng, n, [0.6, 0.4])
    age = np.clip(rng.normal(44.0, 13.0, n) + 0.15 * male, 18, 90).round(1)
    followup = rng.gamma(4.0, 3.0, n).round(1)
    sessions = rng.poisson(6.0, n).astype(np.int64) + 1
    bmi = (rng.normal(25.5, 4.2, n) + 0.06 * male).round(1)
    dose = np.exp(rng.normal(np.log(2.5), 0.35, n)).round(2)
    score = np.clip(rng.normal(50.0, 12.0, n), 0, 100).round(0)
    centre = _choice(rng, n, [0.30, 0.25, 0.20, 0.15, 0.10])
    # baseline severity depends a little on sex (a real difference for the chi-square to find)
    sev_f = _choice(rng, n, [0.50, 0.35, 0.15])
    sev_m = _choice(rng, n, [0.494, 0.353, 0.153])
    severity = np.where(male, sev_m, sev_f)
    severity[rng.random(n) < 0.02] = -1
    schedule = _choice(rng, n, [0.25, 0.35, 0.25, 0.10, 0.05])
    patients = pd.DataFrame(
        {
            "patient_id": np.arange(1, n + 1, dtype=np.int64),
            "sex": _categorical(sex, SEXES),
            "therapy_group": _categorical(therapy, THERAPIES),
            "age_years": _with_missing(rng, age, 0.01),
            "followup_months": followup,
            "n_exposures": sessions,
            "bmi": _with_missing(rng, bmi, 0.005),
            "dose_mg": dose,
            "baseline_score": score,
            "centre": _categorical(centre, CENTRES),
            "baseline_severity": _categorical(severity, SEVERITIES),
            "schedule": _categorical(schedule, SCHEDULES),
        }
    )

    m = int(n_events)
    # gamma-Poisson: patient propensities, slightly higher with combined therapy
    propensity = rng.gamma(0.5, 1.0, n) * np.where(therapy == 1, 1.2, 1.0)
    cdf = np.cumsum(propensity)
    cdf /= cdf[-1]
    patient_idx = np.sort(np.searchsorted(cdf, rng.random(m), side="right"))
    events = pd.DataFrame(
        {
            "patient_id": patient_idx.astype(np.int64) + 1,
            "ae_term": _categorical(_choice(rng, m, list(AE_TERMS.values())), list(AE_TERMS)),
            "severity": _categorical(_choice(rng, m, [0.80, 0.17, 0.03]), AE_SEVERITIES),
            "is_teae": rng.random(m) < 0.98,
            "is_serious": rng.random(m) < 0.001,
        }
    )
    return patients, events


def cohort_paths(directory: str | Path, n_patients: int, n_events: int, seed: int) -> dict:
    """Where :func:`write_cohort_parquet` puts (or finds) the two files."""
    d = Path(directory)
    stem = f"p{n_patients}_e{n_events}_s{seed}"
    return {"patients": d / f"patients_{stem}.parquet", "events": d / f"events_{stem}.parquet"}


def write_cohort_parquet(
    directory: str | Path = Path(__file__).parent / ".data",
    n_patients: int = 1_000_000,
    n_events: int = 10_000_000,
    seed: int = 20240501,
    *,
    overwrite: bool = False,
) -> dict[str, Path]:
    """Write the cohort as ``patients_*.parquet`` and ``events_*.parquet`` (cached by size/seed).

    Returns ``{"patients": path, "events": path}``. Existing files are reused unless
    ``overwrite``; categoricals are stored dictionary-encoded, so reading them back with pandas
    gives the same dtypes.
    """
    paths = cohort_paths(directory, n_patients, n_events, seed)
    if not overwrite and all(p.exists() for p in paths.values()):
        return paths
    Path(directory).mkdir(parents=True, exist_ok=True)
    patients, events = make_cohort(n_patients, n_events, seed)
    for key, frame in (("patients", patients), ("events", events)):
        tmp = paths[key].with_suffix(".tmp")
        frame.to_parquet(tmp, index=False, row_group_size=1_000_000)
        tmp.replace(paths[key])
    return paths
