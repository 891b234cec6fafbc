"""The peers of ``retro clean`` at scale: the same cleaning as a user would write it in plain
pandas, and in polars, and the floor (a process that only imports pandas, pyarrow and duckdb and
reads the CSV files).

    python benchmarks/scale_peers.py {floor,pandas,polars} SPEC.json OUT_DIR

``SPEC.json`` (written by ``bench_scale.py`` from the study file, so the peers hard-code nothing
of the study) lists each source: file, delimiter, encoding, constants, ``{raw header:
column}``, its required columns, and per column its kind and, for labels and yes/no flags,
``{folded label: level}``; and the study's range checks. Steps, the ones a user writes from the
study's rules: read every file as text, trim, map labels (folded as the dictionaries are: NFKD
without accents, white space collapsed, case-folded; each distinct label once), parse
dates (each format of the export tried in turn, vectorised), numbers (decimal comma), drop
records missing a required value, clear values outside a range check (or drop the record, as
the check says), drop periods stopped before they started, drop every row of a patient whose
duplicate rows disagree and merge agreeing ones (first non-missing value), drop duplicate
records and orphans, derive day 0, number of exposures and follow-up per patient, the
treatment-emergent flag per event, apply the two inclusion criteria, write Parquet. On the scaled
twin their tables equal ours (``scale_check.py``; the benchmark checks it at every size). What
they do not do, which ours does: log every excluded row and corrected value with its reason,
check the accounting of every raw record, normalise near-duplicate ids, flag ambiguous numbers
and unmapped labels, check dates against the study window, the files' dates and each other,
derive the study's other variables.
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
COMBINING = "[\u0300-\u036f]"  # accents left apart by NFKD


def _fold_pandas(text: Any) -> Any:
    """Labels folded as the study file's dictionaries are: NFKD without accents, white space
    collapsed and trimmed, case-folded."""
    return (
        text.str.normalize("NFKD").str.replace(COMBINING, "", regex=True)
        .str.replace(r"\s+", " ", regex=True).str.strip().str.casefold()
    )  # fmt: skip


def _required(spec: dict[str, Any]) -> dict[str, list[str]]:
    """Each table's required columns (those of any of its sources)."""
    out: dict[str, list[str]] = {}
    for s in spec["sources"]:
        out.setdefault(s["table"], [])
        out[s["table"]] += [c for c in s["required"] if c not in out[s["table"]]]
    return out


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
            if kind in ("label", "flag"):  # fold and look up each distinct label once
                distinct = pd.Series(text.dropna().unique())
                labels = _fold_pandas(distinct).map(s["labels"][column])
                lookup = dict(zip(distinct, labels, strict=True))
                df[column] = text.map(lookup)
                if kind == "flag":
                    df[column] = df[column].map({"yes": True, "no": False}).astype("boolean")
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
    for name, required in _required(spec).items():  # required values, range and period checks
        df = t[name].dropna(subset=required)
        for chk in (c for c in spec["checks"] if c["table"] == name and c["column"] in df):
            values = df[chk["column"]]
            bad = pd.Series(False, index=df.index)
            if chk["min"] is not None:
                bad |= values < chk["min"]
            if chk["max"] is not None:
                bad |= values > chk["max"]
            if chk["action"] == "exclude":
                df = df[~bad]
            else:
                df = df.assign(**{chk["column"]: values.mask(bad)})
        if "stop_date" in df:
            df = df[~(df["stop_date"] < df["start_date"])]
        t[name] = df
    patients = _merge_duplicates_pandas(t["patients"])
    ids = set(patients["patient_id"])
    for name, keys in DUPLICATE_KEYS.items():
        df = t[name]
        t[name] = df[df["patient_id"].isin(ids)].drop_duplicates(keys)
    exp = t["exposures"]
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


def _merge_duplicates_pandas(patients: Any) -> Any:
    """Duplicate patient rows: every row of an id whose rows disagree (two different non-missing
    values in a column) is dropped; agreeing rows become one (the first non-missing value of
    each column)."""
    import pandas as pd

    repeated = patients["patient_id"].duplicated(keep=False)
    dups = patients[repeated]
    values = [c for c in patients.columns if c != "patient_id"]
    differ = dups.groupby("patient_id", sort=False)[values].nunique().gt(1).any(axis=1)
    agreeing = dups[~dups["patient_id"].isin(differ.index[differ])]
    merged = agreeing.groupby("patient_id", sort=False).first().reset_index()
    return pd.concat([patients[~repeated], merged], ignore_index=True)


# ----------------------------------------------------------------------------- polars
def _fold_polars(text: Any) -> Any:
    """As `_fold_pandas`, in polars expressions."""
    return (
        text.str.normalize("NFKD").str.replace_all(r"\p{M}", "")
        .str.replace_all(r"\s+", " ").str.strip_chars().str.to_lowercase()
    )  # fmt: skip


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
            if kind in ("label", "flag"):  # fold and look up each distinct label once
                distinct = df.select(text.alias("raw")).unique().drop_nulls()
                levels = distinct.select(
                    _fold_polars(pl.col("raw")).replace_strict(s["labels"][column], default=None)
                )  # fmt: skip
                lookup = dict(zip(distinct["raw"], levels["raw"], strict=True))
                expr = text.replace_strict(lookup, default=None, return_dtype=pl.String)
                if kind == "flag":
                    expr = expr == "yes"
            elif kind == "date":
                expr = pl.coalesce([text.str.to_date(f, strict=False) for f in DATE_FORMATS])
            elif kind == "number":
                expr = text.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
            else:
                expr = text
            exprs.append(expr.alias(column))
        tables.setdefault(s["table"], []).append(df.with_columns(exprs))
    t = {name: pl.concat(parts, how="diagonal") for name, parts in tables.items()}
    for name, required in _required(spec).items():
        df = t[name].drop_nulls(required)
        for chk in (c for c in spec["checks"] if c["table"] == name and c["column"] in df.columns):
            value = pl.col(chk["column"])
            bad = pl.lit(False)
            if chk["min"] is not None:
                bad = bad | (value < chk["min"])
            if chk["max"] is not None:
                bad = bad | (value > chk["max"])
            if chk["action"] == "exclude":
                df = df.filter(~bad.fill_null(False))
            else:
                df = df.with_columns(pl.when(bad).then(None).otherwise(value).alias(chk["column"]))
        if "stop_date" in df.columns:
            df = df.filter(~(pl.col("stop_date") < pl.col("start_date")).fill_null(False))
        t[name] = df
    patients = _merge_duplicates_polars(t["patients"])
    ids = patients["patient_id"]
    for name, keys in DUPLICATE_KEYS.items():
        t[name] = (
            t[name].filter(pl.col("patient_id").is_in(ids.implode()))
            .unique(keys, keep="first", maintain_order=True)
        )  # fmt: skip
    per = (
        t["exposures"].group_by("patient_id")
        .agg(pl.col("start_date").min().alias("first"), pl.col("start_date").max().alias("last"),
             pl.len().alias("n_exposures"))
    )  # fmt: skip
    patients = patients.join(per, on="patient_id", how="left").with_columns(
        pl.col("n_exposures").fill_null(0),
        pl.col("first").alias("day0_date"),
        ((pl.col("last_visit_date") - pl.col("first")).dt.total_days() / DAYS_PER_MONTH).alias(
            "followup_months"
        ),
    )
    patients = patients.filter(
        (pl.col("n_exposures") >= 1) & (pl.col("followup_months") >= 6)
    ).drop("first", "last")
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


def _merge_duplicates_polars(patients: Any) -> Any:
    """As `_merge_duplicates_pandas`, in polars."""
    import polars as pl

    values = [c for c in patients.columns if c != "patient_id"]
    repeated = pl.col("patient_id").is_duplicated()
    dups = patients.filter(repeated)
    counts = dups.group_by("patient_id").agg(pl.col(c).drop_nulls().n_unique() for c in values)
    differ = counts.filter(pl.any_horizontal(pl.col(c) > 1 for c in values))["patient_id"]
    merged = (
        dups.filter(~pl.col("patient_id").is_in(differ.implode()))
        .group_by("patient_id", maintain_order=True)
        .agg(pl.col(c).drop_nulls().first() for c in values)
    )  # fmt: skip
    return pl.concat([patients.filter(~repeated), merged], how="diagonal")


def main() -> None:
    which, spec_path, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    run = {"floor": floor, "pandas": pandas_clean, "polars": polars_clean}[which]
    rows = run(spec, out)
    print(json.dumps({"peer": which, "seconds": time.perf_counter() - T0, "rows": rows}))


if __name__ == "__main__":
    main()
