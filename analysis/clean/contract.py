"""pandera schemas of the analysis-ready tables, checked lazily after derivation.

A failure here means the pipeline produced data that break its own contract (a bug or a
contradictory config), so every failure is collected and the run stops with the whole table.
"""

from __future__ import annotations

import copy

import pandas as pd
import pandera.pandas as pa

from analysis.clean.ordering import in_order
from analysis.errors import PipelineError
from analysis.studyfile.config import StudyConfig
from analysis.write.object_runs import RUNS_FROM, missing_by_runs, python_cells


def _levels(config: StudyConfig, column: str) -> list[str] | None:
    found = config.vocabulary_for(column)
    return found[1].levels if found else None


def analysis_schemas(config: StudyConfig) -> dict[str, pa.DataFrameSchema]:
    """The contract of each analysis table (unique ids, ranges, vocabularies, types)."""
    d = config.derive

    def cat(column: str, **kw: object) -> pa.Column:
        levels = _levels(config, column)
        checks = [pa.Check.isin(levels)] if levels else []
        return pa.Column(checks=checks, nullable=True, **kw)  # type: ignore[arg-type]

    patients = pa.DataFrameSchema(
        {
            "patient_id": pa.Column("string", unique=True, nullable=False),
            "sex": cat("sex", required=False),
            "age_years": pa.Column(float, pa.Check.in_range(0, 120), nullable=True, required=False),
            "n_exposures": pa.Column("int64", pa.Check.ge(0)),
            "followup_months": pa.Column(float, pa.Check.ge(0)),
            "schedule_months_year1": pa.Column(
                "Int64", pa.Check.isin(d.schedule_months or []), nullable=True, required=False
            ),
            d.response_column: cat("response_grade", required=False),
            "is_response_assessable": pa.Column(bool, required=False),
            **{
                name: pa.Column(checks=pa.Check.isin(g.levels), nullable=True)
                for name, g in config.groups.items()
            },
        },
        checks=[
            pa.Check(
                lambda df: (
                    df["is_response_assessable"] == df[d.response_column].notna()
                    if d.response_column in df
                    else pd.Series(True, index=df.index)
                ),
                name="assessable_iff_response",
            ),
        ],
        strict=False,
    )
    exposures = pa.DataFrameSchema(
        {
            "patient_id": pa.Column("string", nullable=False),
            "start_date": pa.Column("datetime64[ns]", nullable=False),
            "exposure_number": pa.Column("int64", pa.Check.ge(1)),
        },
        unique=["patient_id", "start_date"],
        strict=False,
    )
    adverse_events = pa.DataFrameSchema(
        {
            "patient_id": pa.Column("string", nullable=False),
            "ae_term": cat("ae_term"),
            "severity": cat("severity", required=False),
            "is_teae": pa.Column(bool),
        },
        unique=["patient_id", "onset_date", "ae_term"],
        strict=False,
    )
    return {"patients": patients, "exposures": exposures, "adverse_events": adverse_events}


def validate_analysis_tables(tables: dict[str, pd.DataFrame], config: StudyConfig) -> None:
    """Validate lazily; raise ``PipelineError`` listing every failure, located in the raw files.

    Each failing value is named by its table, column, rule and value, and, where the row came
    from a raw file, by that file, sheet and row and the patient id (never an internal index).
    """
    failures = []
    for name, schema in analysis_schemas(config).items():
        # a table sorted by its unique columns with each row after the one before (as the
        # stage makes exposures and adverse events) has no repeated rows: pandas need not
        # hash them all again (1.8 s at 1M); unsorted or with a missing key, pandera decides
        if schema.unique and in_order(tables[name], list(schema.unique), strict=True):
            schema = copy.copy(schema)
            schema.unique = None
        schema = _nulls_checked(schema, tables[name])
        try:
            # inplace: the schemas coerce nothing, so nothing is written; it spares a copy
            schema.validate(tables[name], lazy=True, inplace=True)
        except pa.errors.SchemaErrors as err:
            failures.append(err.failure_cases.assign(table=name))
    if failures:
        fc = pd.concat(failures, ignore_index=True)
        lines = [_failure_line(tables, row) for row in fc.head(20).to_dict("records")]
        more = f"\n... and {len(fc) - 20} more" if len(fc) > 20 else ""
        raise PipelineError(
            f"stage 'clean': the analysis tables break their schema in {len(fc)} place(s):\n"
            + "\n".join(lines)
            + more
            + "\nEither the study file contradicts itself (e.g. a range, a vocabulary or a "
            "derivation that cannot all hold), or this is a bug: correct the values named above "
            "or the study file; if both look right, report this message."
        )


def _nulls_checked(schema: pa.DataFrameSchema, df: pd.DataFrame) -> pa.DataFrameSchema:
    """``schema`` without the not-null check of a text column found here to hold no missing
    value, looking once at each run of one object (a patient's ids, one after another): pandas
    looks at every cell, 0.3 s for the exposures' ids at 1M. A column with a missing value keeps
    the check, and pandera reports it as before."""
    for name, column in schema.columns.items():
        if column.nullable or name not in df or len(df) < RUNS_FROM:
            continue
        cells = python_cells(df[name])
        if cells is not None and not missing_by_runs(cells):
            schema = schema.update_column(name, nullable=True)
    return schema


def _failure_line(tables: dict[str, pd.DataFrame], row: dict[str, object]) -> str:
    """One schema failure in words: table, column, rule, value and where the row came from."""
    table = str(row["table"])
    column = row["column"]
    check = row["check"]
    value = row["failure_case"]
    index = row["index"]
    what = f"{table}.{column}" if isinstance(column, str) and column else table
    text = f"- {what}: rule {check!s}, value {value!r}"
    df = tables.get(table)
    if df is None or index is None or pd.isna(index) or index not in df.index:
        return text + " (table-wide)"
    rec = df.loc[index]
    place = []
    if "source_file" in df and isinstance(rec.get("source_file"), str):
        sheet = rec.get("source_sheet")
        place.append(str(rec["source_file"]) + (f", sheet {sheet!r}" if sheet else ""))
    if "source_row" in df and pd.notna(rec.get("source_row")):
        place.append(f"row {int(rec['source_row'])}")
    if "patient_id" in df and pd.notna(rec.get("patient_id")):
        place.append(f"patient_id {rec['patient_id']!r}")
    return text + (f" at {', '.join(place)}" if place else "")
