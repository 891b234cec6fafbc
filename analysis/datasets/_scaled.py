"""A scaled synthetic twin: the reference twin's raw export replicated to any number of patients.

``write_scaled_twin(config, folder, patients=N)`` builds the study's reference twin once (seeded
by the study file, so the output is deterministic) and writes it ``ceil(N / P)`` times, where
``P`` is the number of patient ids in the reference twin's patient sheets; the last copy keeps
only some patients (ids spread evenly over the sorted reference ids, so every centre keeps its
share; with their rows in every table; its orphan rows are left out), so the export holds
exactly ``N`` patient ids. Each copy's ids get a copy number after their letters (``HB-0001``
-> ``HB-0170001``, all of one width, so folding leading zeros never makes two ids alike).
Every other cell is the reference twin's, so the layouts (headers, column order, encodings,
delimiters) and the rate of every kind of mess (duplicates, orphans, bad dates, unmapped
spellings, decimal commas) are those of the reference export; the distinct values of a date or
label column are those of the reference twin too.

Formats: ``csv`` (default) writes every table as delimited text, the CSV sources as they are and
each workbook sheet as ``<workbook folder>/<sheet>.csv`` (UTF-8, comma, dates ``dd/mm/yyyy`` as
Excel shows them), written by copying the rendered text of the reference rows (no per-row
Python). ``xlsx`` keeps the workbooks (one cell at a time through openpyxl: slow above ~100,000
rows) and refuses a sheet over Excel's 1,048,576 rows (header included). Beside the raw folder
``folder/studies/<study>.yaml`` is the study file pointing at it (``paths`` under ``folder``),
still marked ``synthetic: true``, so every output says the data are synthetic.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from analysis.errors import ConfigError

if TYPE_CHECKING:
    from analysis.studyfile.config import Source, StudyConfig

#: Rows of one Excel worksheet, the header row included.
EXCEL_MAX_ROWS = 1_048_576
#: Stands for the copy number inside a rendered id until each copy is written.
_MARK = "\x01"
_PREFIX = re.compile(r"^(\D*)")
Format = Literal["csv", "xlsx"]


@dataclass(frozen=True)
class Table:
    """One raw table of the scaled export: where it goes and its reference rows.

    ``frame`` holds the reference cells with :data:`_MARK` in every id; ``keys`` the stripped
    reference id of each row (what decides which rows the last, partial copy keeps); ``origin``
    the reference source's ``(file, sheet)``.
    """

    file: str
    sheet: str | None
    id_header: str
    frame: pd.DataFrame
    keys: np.ndarray
    delimiter: str
    encoding: str
    origin: tuple[str, str | None]


@dataclass(frozen=True)
class Plan:
    """How many whole copies, which reference ids the partial copy keeps, the id width."""

    copies: int
    partial: frozenset[str]
    width: int
    reference_patients: int


def reference_patients(tables: Sequence[Table], config: StudyConfig) -> list[str]:
    """The distinct stripped ids of the reference twin's patient tables, sorted."""
    patient_files = {(s.file, s.sheet) for s in config.sources if s.table == "patients"}
    ids: set[str] = set()
    for t in tables:
        if t.origin in patient_files:
            ids.update(str(k) for k in t.keys)
    return sorted(ids)


def plan_copies(reference: Sequence[str], patients: int) -> Plan:
    """``patients`` as whole copies of the ``reference`` ids plus ``rest`` ids of one more,
    spread evenly over the sorted ids (the first ``rest`` were all of centre A below 383 of the
    reference's 589 patients: centre B's file was empty and the twin could not be cleaned)."""
    if patients < 1:
        raise ConfigError(f"--patients must be at least 1; found {patients}.")
    per_copy = len(reference)
    copies, rest = divmod(patients, per_copy)
    width = len(str(copies + (rest > 0) - 1))
    spread = (np.arange(rest, dtype=np.int64) * per_copy) // max(rest, 1)
    return Plan(copies, frozenset(reference[int(i)] for i in spread), width, per_copy)


def refuse_too_few(tables: Sequence[Table], reference: Sequence[str], patients: int) -> None:
    """``ConfigError`` when ``patients`` (fewer than one whole copy) leave a raw file or sheet
    of the twin without a record: ``retro clean`` then stops on it ("has a header but no
    records"), so the twin could not be cleaned. Names the first such file and the fewest
    patients that give every file a record."""
    if patients >= len(reference):
        return
    keys = [(t, set(map(str, t.keys))) for t in tables]

    def empty(n: int) -> list[Table]:
        partial = plan_copies(reference, n).partial
        return [t for t, k in keys if k.isdisjoint(partial)]

    lacking = empty(patients)
    if not lacking:
        return
    # the fewest from which every larger number gives each file a record (10 may fail where 7
    # does not: the partial copy's ids are spread anew for each number)
    fewest = next(n + 1 for n in range(len(reference) - 1, 0, -1) if empty(n))
    first = lacking[0]
    where = f"{first.file}" + (f", sheet {first.sheet!r}" if first.sheet else "")
    raise ConfigError(
        f"retro synth --patients {patients:,}: too few for the twin's layout: {where} would "
        f"hold no record ({len(lacking)} file(s) or sheet(s) in all), and a twin with an empty "
        f"file cannot be cleaned. Ask for {fewest:,} patients or more."
    )


def refuse_beyond_disk(config: StudyConfig, folder: Path, patients: int, per_copy: int) -> None:
    """``ConfigError`` when the scaled export would not fit on ``folder``'s disk: its size is
    about the reference raw files' times ``patients / per_copy`` (a huge ``--patients`` ran out
    of memory, or would have written for days, before saying anything)."""
    import shutil

    files = {config.raw_dir / s.file for s in config.sources}
    reference = sum(p.stat().st_size for p in files if p.is_file())
    need = reference * patients / max(per_copy, 1)
    place = folder.resolve()
    while not place.exists():
        place = place.parent
    free = shutil.disk_usage(place).free
    if need > free:
        raise ConfigError(
            f"retro synth --patients {patients:,}: the scaled export would take about "
            f"{_size(need)}, and {place} has {_size(free)} free. Ask for fewer patients, or "
            "pass an --out folder on a disk with room."
        )


def _size(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB", "PB"):
        if n < 1024 or unit == "PB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:,.1f} PB"


def mark_ids(ids: pd.Series) -> pd.Series:
    """Each id with :data:`_MARK` after its leading non-digits (``HB-0001`` -> ``HB-\\x010001``)."""
    return ids.map(
        lambda v: v if _missing(v) else _PREFIX.sub(lambda m: m.group(1) + _MARK, str(v))
    )


def reference_tables(config: StudyConfig, *, fmt: Format) -> list[Table]:
    """The reference twin's raw tables, one per written file (and sheet), ids marked."""
    from analysis.datasets import build_twin

    raw = build_twin(config).raw
    out, seen = [], set()
    for source in config.sources:
        where = (source.file, source.sheet)
        if where in seen:
            continue
        seen.add(where)
        frame = raw.get(source.name, raw.get(source.sheet or "")) if raw else None
        if frame is None:
            raise ConfigError(f"the twin of {config.study.name!r} has no table for {source.name}")
        out.append(_table(source, frame, fmt=fmt))
    return out


def _table(source: Source, frame: pd.DataFrame, *, fmt: Format) -> Table:
    header = source.columns["patient_id"]
    frame = frame.copy()
    keys = frame[header].map(lambda v: "" if _missing(v) else str(v).strip()).to_numpy()
    frame[header] = mark_ids(frame[header])
    is_csv = source.inferred_format == "csv"
    if fmt == "csv" and not is_csv:
        frame = frame.map(_excel_text)
        file = str(Path(source.file).parent / f"{source.sheet or source.name}.csv")
        return Table(file, None, header, frame, keys, ",", "utf-8", (source.file, source.sheet))
    sheet = None if is_csv else (source.sheet or source.name)
    delimiter, encoding = source.delimiter or ",", source.encoding or "utf-8"
    return Table(
        source.file, sheet, header, frame, keys, delimiter, encoding, (source.file, source.sheet)
    )


def _excel_text(value: Any) -> str:
    """A workbook cell as a CSV export of it shows it (dates as their ``dd/mm/yyyy`` format)."""
    if _missing(value):
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _codes(plan: Plan) -> list[str]:
    return [f"{r:0{plan.width}d}" for r in range(plan.copies + bool(plan.partial))]


# ----------------------------------------------------------------------------- writing
def write_csv(table: Table, plan: Plan, path: Path) -> int:
    """Write ``table`` scaled by ``plan`` as delimited text to ``path``; the data rows written.

    The reference rows are rendered once (as :func:`analysis.datasets._mess.csv_bytes` does);
    each copy is that text with its copy number put in the ids.
    """
    lines = _csv_lines(table.frame, table.delimiter)
    body = "".join(lines[1:])
    codes = _codes(plan)
    keep = [i for i, k in enumerate(table.keys) if k in plan.partial]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(lines[0].encode(table.encoding))
        for code in codes[: plan.copies]:
            fh.write(body.replace(_MARK, code).encode(table.encoding))
        if plan.partial:
            part = "".join(lines[1 + i] for i in keep)
            fh.write(part.replace(_MARK, codes[-1]).encode(table.encoding))
    return len(table.keys) * plan.copies + (len(keep) if plan.partial else 0)


def _csv_lines(frame: pd.DataFrame, delimiter: str) -> list[str]:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    lines = []
    for row in [[str(c) for c in frame.columns], *frame.itertuples(index=False)]:
        writer.writerow(["" if v is None else str(v) for v in row])
        lines.append(buf.getvalue())
        buf.seek(0)
        buf.truncate()
    return lines


def scaled_frame(table: Table, plan: Plan) -> pd.DataFrame:
    """``table`` scaled by ``plan`` as a frame (copies stacked, ids numbered)."""
    n = len(table.frame)
    keep = np.flatnonzero(np.isin(table.keys, list(plan.partial)))
    rows = np.concatenate([np.tile(np.arange(n), plan.copies), keep])
    copy = np.concatenate([np.repeat(np.arange(plan.copies), n), np.full(len(keep), plan.copies)])
    out = table.frame.iloc[rows].reset_index(drop=True)
    codes = np.asarray(_codes(plan) or ["0"], dtype=object)[copy]
    ids = out[table.id_header]
    present = ids.notna().to_numpy()
    parts = ids[present].astype(str).str.split(_MARK, n=1, expand=True)
    if parts.shape[1] == 2:
        out.loc[present, table.id_header] = (parts[0] + codes[present] + parts[1]).to_numpy()
    return out


def write_xlsx(tables: Sequence[Table], plan: Plan, path: Path) -> list[int]:
    """Write the sheets ``tables`` of one workbook scaled by ``plan``; data rows per sheet."""
    from analysis.datasets import _mess as mess

    frames = [(t.sheet or "Sheet1", scaled_frame(t, plan)) for t in tables]
    for (sheet, frame), t in zip(frames, tables, strict=True):
        if len(frame) + 1 > EXCEL_MAX_ROWS:
            raise ConfigError(
                f"retro synth: sheet {sheet!r} of {t.file} would hold {len(frame) + 1:,} rows; "
                f"Excel caps a sheet at {EXCEL_MAX_ROWS:,} rows (header included). Write the "
                f"scaled twin as CSV (`--format csv`, the default) or ask for fewer patients."
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(mess.xlsx_bytes(frames))
    return [len(f) for _, f in frames]


def write_tables(tables: Sequence[Table], plan: Plan, folder: Path) -> dict[str, int]:
    """Write every table under ``folder``: ``{file or file:sheet: data rows}``."""
    rows: dict[str, int] = {}
    books: dict[str, list[Table]] = {}
    for t in tables:
        if t.sheet is None:
            rows[t.file] = write_csv(t, plan, folder / t.file)
        else:
            books.setdefault(t.file, []).append(t)
    for file, sheets in books.items():
        for t, n in zip(sheets, write_xlsx(sheets, plan, folder / file), strict=True):
            rows[f"{file}:{t.sheet}"] = n
    return rows


# ----------------------------------------------------------------------------- study file
def scaled_study_text(config: StudyConfig, tables: Iterable[Table], patients: int) -> str:
    """The study file of the scaled twin: ``config``'s file with ``paths`` under the scaled
    folder (``raw``, ``processed``, ``reports``) and sources pointing at the files written."""
    import yaml

    assert config.path is not None
    data = yaml.safe_load(config.path.read_text(encoding="utf-8"))
    data["paths"] = {"raw": "raw", "processed": "processed", "reports": "reports"}
    study = data["study"]
    who = f"{patients:,} patient" + ("" if patients == 1 else "s")
    study["title"] = f"{study['title']} (scaled synthetic twin, {who})"
    study["synthetic"] = True
    by_sheet = {t.origin for t in tables if t.sheet is not None}
    for src in data["sources"]:
        if src.get("sheet") is None or (src["file"], src["sheet"]) in by_sheet:
            continue
        src["file"] = str(Path(src["file"]).parent / f"{src['sheet']}.csv")
        src["format"] = "csv"
        src.pop("sheet")
        src.update(encoding="utf-8", delimiter=",")
    header = (
        f"{HEADER} {config.path.name}: {who}, written by\n"
        f"# `retro synth --patients {patients}`. Regenerated (overwritten) by each such run.\n"
    )
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


#: the first words of a study file synth wrote
HEADER = "# Scaled synthetic twin of"


def refuse_foreign_study_file(path: Path) -> None:
    """``ConfigError`` when ``path`` is a study file synth did not write (someone's own, kept):
    it was overwritten without a word, while a raw file synth did not write is refused."""
    if not path.exists():
        return
    try:
        first = path.read_text(encoding="utf-8")[: len(HEADER)]
    except (OSError, UnicodeDecodeError):
        first = ""
    if first != HEADER or path.is_symlink():
        raise ConfigError(
            f"retro synth: {path} is a study file synth did not write (it does not start with "
            f"{HEADER!r}); synth writes nothing over it. Move it elsewhere, or pass another "
            "--out folder."
        )


def refuse_shipped_folder(config: StudyConfig, folder: Path) -> None:
    """``ConfigError`` if ``folder`` is, holds or lies inside the study's data or output folders."""
    guarded = [config.root.resolve() / "data", config.raw_dir, config.processed_dir]
    guarded += [config.reports_dir, *([config.path.parent] if config.path else [])]
    # where the files go, links followed: a FOLDER/raw linked to the shipped raw folder wrote
    # the scaled files over the shipped twin
    for target in (folder.resolve(), (folder / "raw").resolve(), (folder / "studies").resolve()):
        for place in guarded:
            place = Path(place).resolve()
            if target == place or target.is_relative_to(place) or place.is_relative_to(target):
                raise ConfigError(
                    f"retro synth --out {folder}: {target} is, holds or lies inside {place}, "
                    "where the study's shipped data, study files or outputs live; a scaled "
                    "twin is written only to a folder of its own (its raw/ and studies/ "
                    "folders not links elsewhere). Pass another folder, e.g. --out "
                    "/tmp/scaled_62k."
                )


__all__ = [
    "EXCEL_MAX_ROWS",
    "Plan",
    "Table",
    "plan_copies",
    "reference_patients",
    "reference_tables",
    "refuse_beyond_disk",
    "refuse_foreign_study_file",
    "refuse_shipped_folder",
    "scaled_frame",
    "scaled_study_text",
    "write_tables",
]
