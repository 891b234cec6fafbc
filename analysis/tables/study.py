"""The tables of one study, with the choices read from the study YAML's ``analysis`` section."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from analysis.ard import concat_ard
from analysis.config import StudyConfig
from analysis.derive import slug
from analysis.pipeline import CleanResult
from analysis.tables.adverse_events import ae_incidence
from analysis.tables.ae_detail import ae_by_session, ae_duration, ae_severity
from analysis.tables.baseline import baseline_table
from analysis.tables.render import TableResult
from analysis.tables.time_to_event import time_to_event_table

DEFAULTS: dict[str, Any] = {
    "alpha": 0.05,
    "ci_method": "wilson",
    "categorical_test": "chi2",
    "continuous_test": "welch",
    "ae_test": "fisher",
    "response_trend_test": "cochran_armitage",
    "km_conf_type": "log",
    "km_times_months": [12, 24],
}


def options(config: StudyConfig) -> dict[str, Any]:
    """The ``analysis`` options of the study, over the documented defaults."""
    return {**DEFAULTS, **config.analysis}


def baseline_variables(config: StudyConfig) -> dict[str, str]:
    variables = {
        "age_years": "Age, years",
        "sex": "Sex",
        "centre": "Centre",
        "baseline_severity": "Baseline severity",
        "baseline_grade": "Baseline grade",
        "n_sessions": "Sessions, n",
        "schedule_months_year1": "First-year interval, months",
        "followup_months": "Follow-up, months",
    }
    for drug in config.derive.hair_loss_treatments:
        variables[f"has_{slug(drug)}"] = f"Concomitant {drug}"
    return variables


def build_tables(config: StudyConfig, result: CleanResult) -> dict[str, TableResult]:
    """Every table of the study, in report order."""
    opt = options(config)
    p = result.patients
    ae = result.tables["adverse_events"]
    seed = config.seed_for("exact-tests")
    alpha = float(opt["alpha"])
    tables: dict[str, TableResult] = {}
    variables = baseline_variables(config)
    for by in ("sex", "therapy_group"):
        chosen = {k: v for k, v in variables.items() if k != by}
        tables[f"baseline_{by}"] = baseline_table(
            p,
            by=by,
            variables=chosen,
            categorical=["schedule_months_year1"],
            categorical_test=opt["categorical_test"],
            continuous_test=opt["continuous_test"],
            seed=seed,
        )
    vocab = config.vocabularies.get("ae_term")
    tables["ae_incidence"] = ae_incidence(
        p,
        ae,
        by=["sex", "therapy_group"],
        categories=vocab.categories if vocab else None,
        terms=vocab.levels if vocab else None,
        ci=opt["ci_method"],
        alpha=alpha,
        test=opt["ae_test"],
        seed=seed,
    )
    tables["ae_severity"] = ae_severity(
        p, ae, by=["sex", "therapy_group"], test=opt["ae_test"], seed=seed
    )
    tables["ae_by_session"] = ae_by_session(
        ae, result.tables["sessions"], ci=opt["ci_method"], alpha=alpha
    )
    tables["ae_duration"] = ae_duration(ae)
    tables.update(_response_tables(config, result, opt, seed))
    tables["time_to_discontinuation"] = time_to_event_table(
        p,
        time="time_to_discontinuation_months",
        event="is_discontinued",
        by="therapy_group",
        covariates={"therapy_group": "monotherapy", "sex": "female", "age_years": None},
        times=opt["km_times_months"],
        conf_type=opt["km_conf_type"],
        alpha=alpha,
        title="Time to treatment discontinuation by therapy group",
        name="time_to_discontinuation",
    )
    return tables


def _response_tables(
    config: StudyConfig, result: CleanResult, opt: dict[str, Any], seed: int
) -> dict[str, TableResult]:
    """Response grades and models (added when those builders are available)."""
    try:
        from analysis.tables import models, response
    except ImportError:
        return {}
    p = result.patients
    out = {
        "response": response.response_table(
            p,
            by="sex",
            within="therapy_group",
            improvement_levels=tuple(config.derive.improvement_levels),
            ci=opt["ci_method"],
            alpha=float(opt["alpha"]),
            trend_test=opt["response_trend_test"],
            seed=seed,
        ),
        "po_model": models.proportional_odds(p),
    }
    pain = models.subjects_with_term(p, result.tables["adverse_events"], "pain")
    data = p.assign(has_pain=pain.to_numpy())
    out["logistic_any_ae"] = models.logistic_model(
        data,
        outcome="has_teae",
        covariates=("sex", "age_years", "therapy_group", "n_sessions"),
        table="logistic_any_ae",
    )
    out["logistic_pain"] = models.logistic_model(
        data,
        outcome="has_pain",
        covariates=("sex", "age_years", "therapy_group", "n_sessions"),
        table="logistic_pain",
    )
    return out


def study_ard(tables: dict[str, TableResult]) -> pd.DataFrame:
    """One long ARD of every table."""
    return concat_ard(t.frame for t in tables.values())


def write_tables(
    tables: dict[str, TableResult], out_dir: Path, *, suppress_below: int | None = None
) -> list[Path]:
    """Each table as HTML, DOCX, XLSX and CSV under ``out_dir/tables``; ARD as Parquet + CSV."""
    from analysis.io import write_parquet
    from analysis.tables.office import write_docx, write_xlsx

    tdir = out_dir / "tables"
    tdir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, t in tables.items():
        html = tdir / f"{name}.html"
        html.write_text(t.to_html(suppress_below=suppress_below), encoding="utf-8")
        written += [
            html,
            t.to_csv(tdir / f"{name}.csv", suppress_below=suppress_below),
            write_docx([t], tdir / f"{name}.docx", suppress_below=suppress_below),
            write_xlsx([t], tdir / f"{name}.xlsx", suppress_below=suppress_below),
        ]
    ard = study_ard(tables)
    written.append(write_parquet(ard, out_dir / "ard.parquet"))
    ard.to_csv(out_dir / "ard.csv", index=False, float_format="%.10g")
    written.append(out_dir / "ard.csv")
    return written
