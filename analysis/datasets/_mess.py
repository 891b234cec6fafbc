"""Messy rendering of the synthetic twin (private helper of :mod:`analysis.datasets.dutasteride_mesotherapy`).

Turns clean canonical records into the cells a clinic export really holds: synonyms and
Spanish labels, random case and stray spaces, dropped accents, Excel date cells mixed with text
dates, decimal commas, identifiers with trailing blanks. Every label drawn is checked against the
vocabulary rules of ``docs/derivations.md`` (source synonyms win over study-wide ones). Also
holds the byte-stable XLSX and CSV writers.

Over 400 lines as one job: every way the twin's cells are made messy, kept together so that each is
checked against the same vocabulary rules.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook

from analysis.studyfile.config import Source, StudyConfig
from analysis.studyfile.text import normalize_label
from analysis.write.ooxml import normalise_zip

#: Labels a clinic of each language writes for each level (drawn ~85% of the time; otherwise any
#: label valid for the source). Every entry must map to its level in the source it is used in.
PREFERRED: Mapping[str, Mapping[str, Mapping[str, tuple[str, ...]]]] = {
    "en": {
        "sex": {"male": ("M", "M", "Male", "male", "man"), "female": ("F", "F", "Female", "woman")},
        "yes_no": {"no": ("No", "no", "N"), "yes": ("Yes", "yes", "Y")},
        "ae_term": {
            "pain": ("pain", "pain", "injection pain", "painful injection", "pian"),
            "edema": ("edema", "frontal edema", "oedema", "frontal oedema", "edma"),
            "burning": ("burning", "burning sensation"),
            "erythema": ("erythema", "redness", "erithema"),
            "pruritus": ("pruritus", "itch", "itching"),
            "hematoma": ("hematoma", "bruise"),
            "headache": ("headache", "head ache"),
            "paradoxical alopecia": ("paradoxical alopecia", "shedding", "paradoxical shedding"),
            "acute dermatitis": ("acute dermatitis", "contact dermatitis"),
        },
        "severity": {"mild": ("mild", "Mild", "G1", "Grade 1"), "moderate": ("moderate", "mod")},
        "action_taken": {
            "none": ("none", "no action", "-"),
            "symptomatic treatment": ("symptomatic treatment", "analgesic", "ice", "paracetamol"),
            "treatment discontinued": ("treatment discontinued", "stopped"),
        },
        "drug": {
            "oral minoxidil": ("oral minoxidil", "Minoxidil 1mg oral", "minoxidil 0.5 mg oral"),
            "topical minoxidil": ("topical minoxidil", "minoxidil topical", "minoxidil 5%"),
            "oral finasteride": ("oral finasteride", "finasteride 1mg", "finasteride"),
            "oral dutasteride": ("oral dutasteride", "dutasteride 0.5mg", "Avodart"),
            "platelet-rich plasma": ("PRP", "platelet-rich plasma", "P.R.P."),
            "low-level laser": ("low-level laser", "LLLT", "laser helmet"),
            "nutritional supplement": ("nutritional supplement", "biotin", "multivitamin"),
            "vitamin D": ("vitamin D", "vit D"),
        },
        "response_grade": {
            "worsening": ("worsening", "worse", "worsened"),
            "stabilization": ("stabilization", "stable", "stabilisation", "no change"),
            "mild improvement": ("mild improvement", "slight improvement", "mild improvment"),
            "marked improvement": ("marked improvement", "marked", "significant improvement"),
        },
        "discontinuation_reason": {
            "adverse event": ("adverse event", "AE", "side effects"),
            "lack of efficacy": ("lack of efficacy", "no response"),
            "cost": ("cost", "economic"),
            "lost to follow-up": ("lost to follow-up", "lost"),
            "other": ("other", "personal"),
        },
    },
    "es": {
        "sex": {"male": ("V", "H", "Varón", "Hombre"), "female": ("M", "M", "Mujer")},
        "yes_no": {"no": ("No", "no", "N"), "yes": ("Sí", "Sí", "S")},
        "ae_term": {
            "pain": ("dolor", "dolor", "Dolor leve", "dolor en la inyección", "dolr"),
            "edema": ("edema", "edema frontal", "inflamación frontal"),
            "burning": ("escozor", "quemazón", "ardor"),
            "erythema": ("eritema", "enrojecimiento"),
            "pruritus": ("picor", "prurito"),
            "hematoma": ("hematoma", "moratón", "hematoma leve"),
            "headache": ("cefalea", "dolor de cabeza", "cefalia"),
            "paradoxical alopecia": ("efluvio", "caída paradójica"),
            "acute dermatitis": ("dermatitis aguda", "dermatitis"),
        },
        "severity": {"mild": ("leve", "leve", "lev"), "moderate": ("moderada", "moderado")},
        "action_taken": {
            "none": ("ninguna", "nada", "-"),
            "symptomatic treatment": ("paracetamol", "frío local", "tratamiento sintomático"),
            "treatment discontinued": ("suspensión", "tratamiento suspendido"),
        },
        "drug": {
            "oral minoxidil": ("minoxidil oral", "minoxidil VO", "MXO"),
            "topical minoxidil": ("minoxidil tópico", "minoxidil 5% tópico", "MXT"),
            "oral finasteride": ("finasterida", "finasterida oral"),
            "oral dutasteride": ("dutasterida oral", "Avodart"),
            "platelet-rich plasma": ("PRP", "plasma rico en plaquetas"),
            "low-level laser": ("láser baja potencia", "LLLT"),
            "nutritional supplement": ("biotina", "complejo vitamínico"),
            "vitamin D": ("vitamina D", "colecalciferol"),
        },
        "response_grade": {
            "worsening": ("empeoramiento", "peor"),
            "stabilization": ("estabilización", "estable", "sin cambios"),
            "mild improvement": ("mejoría leve", "leve mejoría", "mejoria ligera"),
            "marked improvement": ("mejoría marcada", "mejoría importante", "gran mejoría"),
        },
        "discontinuation_reason": {
            "adverse event": ("efecto adverso", "efectos secundarios"),
            "lack of efficacy": ("falta de eficacia", "ineficacia", "no mejora"),
            "cost": ("coste", "precio", "económico"),
            "lost to follow-up": ("pérdida de seguimiento", "perdido", "no acude"),
            "other": ("otro", "otros", "personal"),
        },
    },
}

#: Labels never drawn: a reader that infers types turns them into numbers or booleans.
_TYPE_AMBIGUOUS = frozenset({"0", "1", "true", "false"})
#: Strings pandas reads as missing by default; a messed label must never become one of them.
_PANDAS_NA = frozenset(
    {"", "#N/A", "#NA", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"}
)
#: Dates of the export: share of Excel date cells (centre A) / of dd/mm/YYYY text (centre B).
_XLSX_DATE_CELL_SHARE = 0.95
_FIXED_ZIP_TIME = (2022, 7, 7, 0, 0, 0)


@dataclass(frozen=True)
class LabelBook:
    """Labels valid in one source: ``maps[vocab][normalised label] -> level``."""

    maps: Mapping[str, Mapping[str, str]]
    candidates: Mapping[str, Mapping[str, tuple[str, ...]]]
    language: str


def label_book(config: StudyConfig, source: Source, language: str) -> LabelBook:
    """Build the label map of ``source`` with the rules of ``docs/derivations.md``.

    Parameters
    ----------
    config : the study.
    source : the source whose synonyms apply (they win over study-wide synonyms).
    language : ``"en"`` or ``"es"``, the key of :data:`PREFERRED` used for this source.

    Returns
    -------
    LabelBook
    """
    maps: dict[str, dict[str, str]] = {}
    cands: dict[str, dict[str, tuple[str, ...]]] = {}
    for name, vocab in config.vocabularies.items():
        local = source.synonyms.get(name, {})
        labels = {lv: [lv, *vocab.synonyms.get(lv, []), *local.get(lv, [])] for lv in vocab.levels}
        m = {normalize_label(lab): lv for lv in vocab.levels for lab in labels[lv]}
        m.update({normalize_label(lab): lv for lv, labs in local.items() for lab in labs})
        maps[name] = m
        cands[name] = {
            lv: tuple(
                lab
                for lab in labels[lv]
                if m[normalize_label(lab)] == lv and normalize_label(lab) not in _TYPE_AMBIGUOUS
            )
            for lv in vocab.levels
        }
    return LabelBook(maps=maps, candidates=cands, language=language)


def strip_accents(text: str) -> str:
    """``"Mejoría"`` -> ``"Mejoria"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def mess_label(label: str, rng: np.random.Generator, *, accents: bool = True) -> str:
    """Random case, stray spaces and (optionally) dropped accents: all invisible to matching."""
    out = label
    u = rng.random(6)
    if u[0] < 0.25:
        out = [str.upper, str.lower, str.title, str.capitalize][int(rng.integers(4))](out)
    if accents and u[1] < 0.15:
        out = strip_accents(out)
    if u[2] < 0.04 and " " in out.strip():
        out = out.replace(" ", "  ", 1)
    if u[3] < 0.08:
        out += " " * int(rng.integers(1, 3))
    if u[4] < 0.03:
        out = " " + out
    if out.strip() in _PANDAS_NA:
        out = label.lower() if label.lower() not in _PANDAS_NA else label
    return out


def draw_label(book: LabelBook, vocab: str, level: str, rng: np.random.Generator) -> str:
    """Draw a raw label for ``level`` valid in the source of ``book``; checked before return."""
    preferred = PREFERRED[book.language].get(vocab, {}).get(level, ())
    pool = preferred if preferred and rng.random() < 0.85 else book.candidates[vocab][level]
    label = mess_label(str(pool[int(rng.integers(len(pool)))]), rng)
    check_label(book, vocab, label, level)
    return label


def check_label(book: LabelBook, vocab: str, label: str, level: str | None = None) -> None:
    """Raise if ``label`` does not map (to ``level``, when given) under the vocabulary rules."""
    found = book.maps[vocab].get(normalize_label(label))
    if found is None or (level is not None and found != level):
        raise ValueError(
            f"synthetic label {label!r} of vocabulary '{vocab}' maps to {found!r}, expected "
            f"{level!r}; fix analysis/datasets/_mess.PREFERRED or the study synonyms"
        )


def render_date(
    value: dt.date | None, fmt: str, rng: np.random.Generator
) -> dt.datetime | str | None:
    """A date as an Excel cell (``fmt="xlsx"``) or as day-first text (``fmt="csv"``)."""
    if value is None:
        return None if fmt == "xlsx" else ""
    u = rng.random()
    if fmt == "xlsx":
        if u < _XLSX_DATE_CELL_SHARE:
            return dt.datetime(value.year, value.month, value.day)
        return value.isoformat() if u < 0.975 else value.strftime("%d/%m/%Y")
    if u < 0.85:
        return value.strftime("%d/%m/%Y")
    return f"{value.day}-{value.month}-{value.year}" if u < 0.93 else value.isoformat()


def render_number(value: float | None, fmt: str, rng: np.random.Generator) -> Any:
    """A number as an Excel number or as text with a decimal comma (most of the time)."""
    if value is None or pd.isna(value):
        return None if fmt == "xlsx" else ""
    if fmt == "xlsx":
        return int(value) if float(value).is_integer() else float(value)
    text = f"{float(value):g}"
    return text.replace(".", ",") if rng.random() < 0.9 else text


def render_id(patient_id: str, rng: np.random.Generator) -> str:
    """Identifiers keep a trailing blank now and then (the pipeline trims text cells)."""
    return patient_id + " " if rng.random() < 0.04 else patient_id


def respace(value: Any, rng: np.random.Generator) -> Any:
    """Re-mess an already rendered label: case and spacing only (for duplicate rows)."""
    if not isinstance(value, str) or not value.strip() or value.strip() == "-":
        return value
    return mess_label(value.strip(), rng, accents=False)


# ----------------------------------------------------------------------------- tables
def render_table(
    records: pd.DataFrame,
    source: Source,
    book: LabelBook,
    config: StudyConfig,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Render clean canonical ``records`` (plus ``_plant`` / ``_dups`` marks) as raw rows.

    ``_dups`` = n writes the row n more times (re-rendered dates, re-messed case and spacing);
    patient copies go to the end of the table, child copies right after the original.
    """
    fmt = "xlsx" if source.inferred_format == "xlsx" else "csv"
    kinds = config.columns_for(source.table)
    rows: list[dict[str, Any]] = []
    tail: list[dict[str, Any]] = []
    for raw_rec in records.to_dict("records"):
        rec = {str(k): v for k, v in raw_rec.items()}
        row = {
            col: _render_cell(rec, col, kinds[col].kind, fmt, book, config, rng)
            for col in source.columns
        }
        rows.append(row)
        for _ in range(int(rec.get("_dups", 0) or 0)):
            copy = dict(row)
            for col in source.columns:
                kind = kinds[col].kind
                if kind == "date":
                    copy[col] = render_date(None if _missing(rec[col]) else rec[col], fmt, rng)
                elif kind in ("category", "bool"):
                    copy[col] = respace(row[col], rng)
            copy["patient_id"] = render_id(str(rec["patient_id"]), rng)
            (tail if source.table == "patients" else rows).append(copy)
    order = rng.permutation(len(tail))
    rows += [tail[i] for i in order]
    frame = pd.DataFrame(rows, columns=list(source.columns), dtype=object)
    return frame.rename(columns=dict(source.columns))


def _render_cell(
    rec: Mapping[str, Any],
    col: str,
    kind: str,
    fmt: str,
    book: LabelBook,
    config: StudyConfig,
    rng: np.random.Generator,
) -> Any:
    value = rec.get(col)
    plant = rec.get("_plant") or ""
    if kind == "id":
        return render_id(str(value), rng)
    if kind == "date":
        if plant == "bad_date" and col == "start_date":
            return "31/02/2021"
        return render_date(None if _missing(value) else value, fmt, rng)
    if kind == "number":
        if plant == "dose_na" and col == "dose_mg":
            return "n/a"
        return render_number(None if _missing(value) else float(str(value)), fmt, rng)
    if _missing(value):
        return None if fmt == "xlsx" else ""
    found = config.vocabulary_for(col)
    if found is None:
        raise ValueError(f"column '{col}' has no vocabulary; cannot render {value!r}")
    level = ("yes" if value else "no") if kind == "bool" else str(value)
    return draw_label(book, found[0], level, rng)


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, str | dt.date) and bool(pd.isna(value)))


def check_raw_labels(
    frame: pd.DataFrame, source: Source, book: LabelBook, config: StudyConfig
) -> None:
    """Raise if any label cell of a rendered table does not map under the vocabulary rules."""
    for col, header in source.columns.items():
        found = config.vocabulary_for(col)
        if found is None:
            continue
        for value in frame[header]:
            if isinstance(value, str) and value.strip():
                check_label(book, found[0], value)


# ----------------------------------------------------------------------------- planted mess
def plant_mess(
    tables: Mapping[str, pd.DataFrame],
    people: Sequence[Mapping[str, Any]],
    rng: np.random.Generator,
    *,
    plants: Mapping[str, int],
    impossible_ages: Sequence[int],
    id_prefix: Mapping[str, str],
) -> dict[str, pd.DataFrame]:
    """Add the records and values the pipeline must remove or correct.

    Marks rows with ``_plant`` (``conflict_copy``, ``orphan``, ``bad_date``, ``dose_na``,
    ``invalid_stop``) or ``_dups`` (written twice), sets impossible or blank values, and returns
    new tables (the input is not modified).

    Parameters
    ----------
    tables : clean canonical records per table, with ``centre``, ``_plant`` and ``_dups``.
    people : the planted patients (``id``, ``role``, ``therapy``, ``centre``, ``fs``).
    rng : the generator.
    plants : how many of each kind of mess (keys as in ``analysis.datasets.dutasteride_mesotherapy.PLANTS``).
    impossible_ages : ages written for included patients that the range check sets missing.
    id_prefix : centre -> patient-id prefix (orphan ids are numbered past the last patient).
    """
    t = {k: v.copy() for k, v in tables.items()}
    inc = sorted(p["id"] for p in people if p["role"] == "included")
    pts = t["patients"].astype({"age_years": float}).sort_values("patient_id", ignore_index=True)
    ages = rng.choice(inc, len(impossible_ages) + plants["age_blank"], replace=False)
    values = [*impossible_ages, *[np.nan] * plants["age_blank"]]
    pts.loc[pts["patient_id"].isin(ages), "age_years"] = values
    pts.loc[
        pts["patient_id"].isin(rng.choice(inc, plants["grade_blank"], replace=False)),
        "baseline_grade",
    ] = None
    pts.loc[rng.random(len(pts)) < 0.02, "first_visit_date"] = None
    pts.loc[
        pts["patient_id"].isin(rng.choice(inc, plants["patient_dups"], replace=False)), "_dups"
    ] = 1
    copies = []
    for n, pid in enumerate(sorted(p["id"] for p in people if p["role"] == "conflict")):
        row = pts[pts["patient_id"] == pid].iloc[0].copy()
        if n == 0:
            row["sex"] = "female" if row["sex"] == "male" else "male"
        else:
            row["age_years"] = int(row["age_years"]) + 7
        row["_plant"] = "conflict_copy"
        copies.append(row)
    t["patients"] = pd.concat([pts, pd.DataFrame(copies)], ignore_index=True)

    s = t["exposures"]
    inc_rows = np.flatnonzero(s["patient_id"].isin(inc).to_numpy())
    s.loc[rng.choice(inc_rows, plants["session_dups"], replace=False), "_dups"] = 1
    b_rows = np.flatnonzero(
        (s["centre"] == "Centre B").to_numpy() & s["dose_mg"].notna().to_numpy()
    )
    na_rows = rng.choice(b_rows, plants["dose_na"], replace=False)
    s.loc[na_rows, "dose_mg"] = None
    s.loc[na_rows, "_plant"] = "dose_na"
    n_ids = {c: sum(p["centre"] == c for p in people) for c in id_prefix}
    orphan = [
        f"HA-{n_ids['Centre A'] + 33:04d}",
        f"HA-{n_ids['Centre A'] + 51:04d}",
        f"HB-{n_ids['Centre B'] + 12:04d}",
    ]
    extra = [
        s.iloc[int(i)].copy() for i in rng.choice(len(s), plants["orphan_sessions"], replace=False)
    ]
    for row, pid in zip(extra, orphan, strict=True):
        row[["patient_id", "centre", "_plant", "_dups"]] = [
            pid,
            _centre_of(pid, id_prefix),
            "orphan",
            0,
        ]
    a_2021 = s[
        (s["centre"] == "Centre A")
        & s["patient_id"].isin(inc)
        & (s["start_date"].map(lambda x: x.year) == 2021)
    ]
    bad = a_2021.iloc[int(rng.integers(len(a_2021)))].copy()
    bad[["start_date", "_plant", "_dups"]] = [None, "bad_date", 0]
    s = pd.concat([s, pd.DataFrame([*extra, bad])], ignore_index=True)
    key = s["start_date"].map(lambda x: dt.date(2021, 3, 1) if x is None else x)
    t["exposures"] = s.iloc[np.argsort(key.to_numpy(), kind="stable")].reset_index(drop=True)

    a = t["adverse_events"]
    teae = np.flatnonzero(a["patient_id"].isin(inc).to_numpy())
    a.loc[rng.choice(teae, plants["ae_dups"], replace=False), "_dups"] = 1
    extra = [a.iloc[int(i)].copy() for i in rng.choice(len(a), plants["orphan_aes"], replace=False)]
    for row, pid in zip(extra, orphan[1:], strict=True):
        row[["patient_id", "centre", "_plant", "_dups"]] = [
            pid,
            _centre_of(pid, id_prefix),
            "orphan",
            0,
        ]
    a = pd.concat([a, pd.DataFrame(extra)], ignore_index=True)
    t["adverse_events"] = a.sort_values("onset_date", kind="stable").reset_index(drop=True)

    c = t["concomitant"]
    combined = {p["id"] for p in people if p["role"] == "included" and p["therapy"] == "combined"}
    topical = set(c.loc[c["drug"] == "topical minoxidil", "patient_id"])
    hosts = sorted(combined - topical)
    bad_rows = []
    for pid in rng.choice(hosts, plants["invalid_stop"], replace=False):
        p = next(q for q in people if q["id"] == pid)
        start = int(rng.integers(30, 121))
        bad_rows.append(
            {
                "patient_id": pid,
                "centre": p["centre"],
                "drug": "topical minoxidil",
                "start_date": p["fs"] + dt.timedelta(days=start),
                "stop_date": p["fs"] + dt.timedelta(days=start - int(rng.integers(10, 91))),
                "_plant": "invalid_stop",
                "_dups": 0,
            }
        )
    c = pd.concat([c, pd.DataFrame(bad_rows)], ignore_index=True)
    t["concomitant"] = c.sort_values(["patient_id", "start_date"], kind="stable").reset_index(
        drop=True
    )
    t["assessments"] = (
        t["assessments"].sort_values("assessment_date", kind="stable").reset_index(drop=True)
    )
    return t


def _centre_of(patient_id: str, id_prefix: Mapping[str, str]) -> str:
    return next(c for c, prefix in id_prefix.items() if patient_id.startswith(prefix))


# ----------------------------------------------------------------------------- writers
def xlsx_bytes(sheets: Sequence[tuple[str, pd.DataFrame]]) -> bytes:
    """An XLSX workbook whose bytes depend only on ``sheets`` (fixed timestamps, sorted zip)."""
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    fixed = dt.datetime(*_FIXED_ZIP_TIME)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "retro synth"
    for title, frame in sheets:
        ws = wb.create_sheet(title)
        ws.append([str(c) for c in frame.columns])
        for r, values in enumerate(frame.itertuples(index=False), start=2):
            for c, value in enumerate(values, start=1):
                if value is None or (isinstance(value, float) and np.isnan(value)):
                    continue
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, dt.datetime):
                    cell.number_format = "dd/mm/yyyy"
    buf = io.BytesIO()
    wb.save(buf)
    return normalise_zip(buf.getvalue(), date_time=_FIXED_ZIP_TIME)


def csv_bytes(frame: pd.DataFrame, *, delimiter: str, encoding: str) -> bytes:
    """A delimited text file with ``\\n`` line endings in ``encoding`` (blank cells empty)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow([str(c) for c in frame.columns])
    for values in frame.itertuples(index=False):
        writer.writerow(["" if v is None else str(v) for v in values])
    return buf.getvalue().encode(encoding)


def write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path``, creating folders."""
    from analysis.write.atomic import write_bytes_atomic

    return write_bytes_atomic(path, data)
