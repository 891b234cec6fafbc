"""The peers of ``retro clean`` at scale: the same cleaning as a user would write it in plain
pandas, and in polars, and the floor (a process that only imports pandas, pyarrow and duckdb and
reads the CSV files).

    python benchmarks/scale_peers.py {floor,pandas,polars} SPEC.json OUT_DIR

``SPEC.json`` (written by ``bench_scale.py`` from the study file, so the peers hard-code nothing
of the study) lists each source: file, delimiter, encoding, constants, ``{raw header:
column}``, and per column its kind and, for labels, ``{lower-cased label: level}``. Steps, the
ones a user writes first: read every file as text, trim, map labels (lower case, dictionary),
parse dates (each format of the export tried in turn, vectorised), numbers (decimal comma),
drop duplicate patients (first kept) and records, drop orphans, derive day 0, number of
exposures and follow-up per patient, the treatment-emergent flag per event, apply the two
inclusion criteria, write Parquet. What they do not do, which ours does: log every excluded
row and corrected value with its reason, check the accounting of every raw record, detect
conflicting duplicates, near-duplicate ids, ambiguous numbers, unmapped labels, dates outside
the study window.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

T0 = time.perf_counter()
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y")
DAYS_PER_MONTH = 30.4375
DUPLICATE_KEYS = {
    "exposures": ["patient_id", "start_date"],
    "adverse_events": ["patient_id", "onset_date", "ae_term"],
    "concomitant": ["patient_id", "drug", "start_date"],
    "assessments": ["patient_id", "assessment_date"],
}


def floor(spec: dict[str, Any], out: Path) -> dict[str, int]:
    """Import pandas, pyarrow, duckdb; read every CSV file as text (pyarrow), nothing else."""
    import duckdb  # noqa: F401
    import pandas  # noqa: F401
    import pyarrow.csv as pacsv

    rows = {}
    for s in spec["sources"]:
        table = pacsv.read_csv(
            s["path"],
            read_options=pacsv.ReadOptions(encoding=s["encoding"]),
            parse_options=pacsv.ParseOptions(delimiter=s["delimiter"]),
            convert_options=pacsv.ConvertOptions(column_types={h: "string" for h in s["columns"]}),
        )
        rows[s["name"]] = table.num_rows
    return rows


# ----------------------------------------------------------------------------- pandas
def pandas_clean(spec: dict[str, Any], out: Path) -> dict[str, int]:
    import pandas as pd

    tables: dict[str, list[pd.DataFrame]] = {}
    for s in spec["sources"]:
        df = pd.read_csv(
            s["path"], sep=s["delimiter"], encoding=s["encoding"], dtype=str,
            keep_default_na=False,
        )  # fmt: skip
        df = df.rename(columns=s["columns"])[list(s["columns"].values())]
        for column, value in s["constants"].items():
            df[column] = value
        for column, kind in s["kinds"].items():
            text = df[column].str.strip().replace("", None)
            if kind == "label":
                df[column] = text.str.lower().map(s["labels"][column])
            elif kind == "date":
                parsed = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
                for fmt in DATE_FORMATS:
                    parsed = parsed.fillna(pd.to_datetime(text, format=fmt, errors="coerce"))
                df[column] = parsed
            elif kind == "number":
                df[column] = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
            else:
                df[column] = text
        tables.setdefault(s["table"], []).append(df)
    t = {name: pd.concat(parts, ignore_index=True) for name, parts in tables.items()}
    patients = t["patients"].dropna(subset=["patient_id"]).drop_duplicates("patient_id")
    ids = set(patients["patient_id"])
    for name, keys in DUPLICATE_KEYS.items():
        df = t[name]
        t[name] = df[df["patient_id"].isin(ids)].drop_duplicates(keys)
    exp = t["exposures"].dropna(subset=["start_date"])
    per = exp.groupby("patient_id")["start_date"].agg(["min", "max", "size"])
    patients = patients.join(per, on="patient_id")
    patients["n_exposures"] = patients["size"].fillna(0).astype(int)
    patients["day0_date"] = patients["min"]
    patients["followup_months"] = (
        patients["last_visit_date"] - patients["min"]
    ).dt.days / DAYS_PER_MONTH
    patients = patients[(patients["n_exposures"] >= 1) & (patients["followup_months"] >= 6)]
    patients = patients.drop(columns=["min", "max", "size"])
    ae = t["adverse_events"].merge(per, left_on="patient_id", right_index=True, how="inner")
    ae["is_teae"] = (ae["onset_date"] >= ae["min"]) & (
        ae["onset_date"] <= ae["max"] + pd.Timedelta(days=90)
    )
    t["adverse_events"] = ae.drop(columns=["min", "max", "size"])
    kept = set(patients["patient_id"])
    teae = t["adverse_events"].loc[t["adverse_events"]["is_teae"], "patient_id"]
    patients["has_teae"] = patients["patient_id"].isin(set(teae))
    t["patients"] = patients
    out.mkdir(parents=True, exist_ok=True)
    rows = {}
    for name, df in t.items():
        df = df[df["patient_id"].isin(kept)]
        df.to_parquet(out / f"{name}.parquet", index=False)
        rows[name] = len(df)
    return rows


# ----------------------------------------------------------------------------- polars
def polars_clean(spec: dict[str, Any], out: Path) -> dict[str, int]:
    import io

    import polars as pl

    tables: dict[str, list[pl.DataFrame]] = {}
    for s in spec["sources"]:
        data = Path(s["path"]).read_bytes()
        if s["encoding"].lower() not in ("utf-8", "utf8"):
            data = data.decode(s["encoding"]).encode("utf-8")  # polars reads UTF-8 only
        df = pl.read_csv(io.BytesIO(data), separator=s["delimiter"], infer_schema=False)
        df = df.rename(s["columns"]).select(list(s["columns"].values()))
        exprs = [pl.lit(v).alias(k) for k, v in s["constants"].items()]
        for column, kind in s["kinds"].items():
            text = pl.col(column).str.strip_chars()
            text = pl.when(text == "").then(None).otherwise(text)
            if kind == "label":
                labels = s["labels"][column]
                expr = text.str.to_lowercase().replace_strict(labels, default=None)
            elif kind == "date":
                expr = pl.coalesce([text.str.to_date(f, strict=False) for f in DATE_FORMATS])
            elif kind == "number":
                expr = text.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
            else:
                expr = text
            exprs.append(expr.alias(column))
        tables.setdefault(s["table"], []).append(df.with_columns(exprs))
    t = {name: pl.concat(parts, how="diagonal") for name, parts in tables.items()}
    patients = t["patients"].drop_nulls("patient_id").unique("patient_id", keep="first",
                                                               maintain_order=True)  # fmt: skip
    ids = patients["patient_id"]
    for name, keys in DUPLICATE_KEYS.items():
        t[name] = (
            t[name].filter(pl.col("patient_id").is_in(ids.implode()))
            .unique(keys, keep="first", maintain_order=True)
        )  # fmt: skip
    per = (
        t["exposures"].drop_nulls("start_date").group_by("patient_id")
        .agg(pl.col("start_date").min().alias("first"), pl.col("start_date").max().alias("last"),
             pl.len().alias("n_exposures"))
    )  # fmt: skip
    patients = patients.join(per, on="patient_id", how="left").with_columns(
        pl.col("n_exposures").fill_null(0),
        ((pl.col("last_visit_date") - pl.col("first")).dt.total_days() / DAYS_PER_MONTH).alias(
            "followup_months"
        ),
    )
    patients = patients.filter((pl.col("n_exposures") >= 1) & (pl.col("followup_months") >= 6))
    ae = t["adverse_events"].join(per, on="patient_id", how="inner")
    ae = ae.with_columns(
        (
            (pl.col("onset_date") >= pl.col("first"))
            & (pl.col("onset_date") <= pl.col("last") + pl.duration(days=90))
        ).alias("is_teae")
    ).drop("first", "last", "n_exposures")
    teae = ae.filter(pl.col("is_teae"))["patient_id"].unique()
    patients = patients.with_columns(pl.col("patient_id").is_in(teae.implode()).alias("has_teae"))
    t["adverse_events"], t["patients"] = ae, patients
    kept = patients["patient_id"].implode()
    out.mkdir(parents=True, exist_ok=True)
    rows = {}
    for name, df in t.items():
        df = df.filter(pl.col("patient_id").is_in(kept))
        df.write_parquet(out / f"{name}.parquet")
        rows[name] = df.height
    return rows


def main() -> None:
    which, spec_path, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    run = {"floor": floor, "pandas": pandas_clean, "polars": polars_clean}[which]
    rows = run(spec, out)
    print(json.dumps({"peer": which, "seconds": time.perf_counter() - T0, "rows": rows}))


if __name__ == "__main__":
    main()
