"""The tables of one study, with the choices read from the study YAML's ``analysis`` section."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.ard import concat_ard
from analysis.config import StudyConfig
from analysis.design import slug
from analysis.pipeline import CleanResult
from analysis.tables import models
from analysis.tables.adverse_events import ae_incidence
from analysis.tables.ae_detail import ae_by_exposure, ae_duration, ae_severity
from analysis.tables.baseline import baseline_table
from analysis.tables.render import TableResult
from analysis.tables.response import response_table
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
        "n_exposures": "Sessions, n",
        "schedule_months_year1": "First-year interval, months",
        "followup_months": "Follow-up, months",
    }
    for group in config.groups.values():
        for drug in group.concomitant_overlap.treatments if group.concomitant_overlap else ():
            variables[f"has_{slug(drug)}"] = f"Concomitant {drug}"
    return variables


def table_builders(
    config: StudyConfig, result: CleanResult
) -> dict[str, Callable[[], TableResult]]:
    """How to build every table of the study, in report order (nothing is computed here)."""
    opt = options(config)
    p = result.patients
    ae = result.tables["adverse_events"]
    seed = config.seed_for("exact-tests")
    alpha = float(opt["alpha"])
    variables = baseline_variables(config)
    vocab = config.vocabularies.get("ae_term")

    def baseline(by: str) -> TableResult:
        return baseline_table(
            p,
            by=by,
            variables={k: v for k, v in variables.items() if k != by},
            categorical=["schedule_months_year1"],
            categorical_test=opt["categorical_test"],
            continuous_test=opt["continuous_test"],
            seed=seed,
        )

    @functools.cache  # both logistic models use it; built once, only when one is built
    def with_pain() -> pd.DataFrame:
        return p.assign(has_pain=models.subjects_with_term(p, ae, "pain").to_numpy())

    def logistic(outcome: str, name: str) -> TableResult:
        return models.logistic_model(
            with_pain(),
            outcome=outcome,
            covariates=("sex", "age_years", "therapy_group", "n_exposures"),
            table=name,
            units={"n_exposures": config.exposure.singular},
        )

    return {
        "baseline_sex": lambda: baseline("sex"),
        "baseline_therapy_group": lambda: baseline("therapy_group"),
        "ae_incidence": lambda: ae_incidence(
            p,
            ae,
            by=["sex", "therapy_group"],
            categories=vocab.categories if vocab else None,
            terms=vocab.levels if vocab else None,
            ci=opt["ci_method"],
            alpha=alpha,
            test=opt["ae_test"],
            seed=seed,
        ),
        "ae_severity": lambda: ae_severity(
            p, ae, by=["sex", "therapy_group"], test=opt["ae_test"], seed=seed
        ),
        "ae_by_exposure": lambda: ae_by_exposure(
            ae,
            result.tables["exposures"],
            ci=opt["ci_method"],
            alpha=alpha,
            noun=config.exposure.singular,
        ),
        "ae_duration": lambda: ae_duration(ae),
        "response": lambda: response_table(
            p,
            by="sex",
            within="therapy_group",
            improvement_levels=tuple(config.derive.improvement_levels),
            ci=opt["ci_method"],
            alpha=alpha,
            trend_test=opt["response_trend_test"],
            seed=seed,
        ),
        "po_model": lambda: models.proportional_odds(p),
        "logistic_any_ae": lambda: logistic("has_teae", "logistic_any_ae"),
        "logistic_pain": lambda: logistic("has_pain", "logistic_pain"),
        "time_to_discontinuation": lambda: time_to_event_table(
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
            origin=config.exposure.day0_words,
        ),
    }


class StudyTables(Mapping[str, TableResult]):
    """The tables of a study, in report order, each built the first time it is used.

    ``tables["ae_incidence"]`` builds only that table (a notebook about adverse events does not
    fit the response models); iterating over ``values()``/``items()`` builds them all.
    """

    def __init__(self, builders: Mapping[str, Callable[[], TableResult]]) -> None:
        self._builders = dict(builders)
        self._built: dict[str, TableResult] = {}

    def __getitem__(self, name: str) -> TableResult:
        if name not in self._built:
            if name not in self._builders:
                raise KeyError(
                    f"no table {name!r} in this study; its tables are {list(self._builders)}"
                )
            self._built[name] = self._builders[name]()
        return self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._builders)

    def __len__(self) -> int:
        return len(self._builders)

    def __repr__(self) -> str:
        built = [n for n in self._builders if n in self._built]
        return f"StudyTables({list(self._builders)}, built={built})"


def build_tables(config: StudyConfig, result: CleanResult) -> dict[str, TableResult]:
    """Every table of the study, in report order, built now."""
    return {name: build() for name, build in table_builders(config, result).items()}


def study_ard(tables: Mapping[str, TableResult]) -> pd.DataFrame:
    """One long ARD of every table."""
    return concat_ard(t.frame for t in tables.values())


def write_tables(
    tables: Mapping[str, TableResult], out_dir: Path, *, suppress_below: int | None = None
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
