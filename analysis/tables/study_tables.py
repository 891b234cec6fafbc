"""The tables of one study, as its analysis plan (``analysis.tables`` of the study file) lists them."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.ard import concat_ard, published
from analysis.clean.stage import CleanResult
from analysis.errors import UnknownNameError
from analysis.studyfile.config import StudyConfig
from analysis.studyfile.plan_defaults import effective_plan
from analysis.tables.plan_tables import build_table
from analysis.tables.render import TableResult, escape
from analysis.tables.suppress_across import coordinated
from analysis.tables.suppress_sets import Cell
from analysis.write.safe_cells import neutralise_frame


def options(config: StudyConfig) -> dict[str, Any]:
    """The statistical options of the study's plan (``analysis.options``), as a dict."""
    return config.analysis.options.model_dump()


def table_builders(
    config: StudyConfig, result: CleanResult
) -> dict[str, Callable[[], TableResult]]:
    """How to build every table of the study's plan, in report order (nothing is computed here)."""
    plan = effective_plan(config)
    return {
        name: functools.partial(build_table, config, result, name, spec)
        for name, spec in plan.tables.items()
    }


class StudyTables(Mapping[str, TableResult]):
    """The tables of a study, in report order, each built the first time it is used.

    ``tables["ae_incidence"]`` builds only that table (a notebook about adverse events does not
    fit the response models); iterating over ``values()``/``items()`` builds them all.
    """

    def __init__(self, builders: Mapping[str, Callable[[], TableResult]]) -> None:
        self._builders = dict(builders)
        self._built: dict[str, TableResult] = {}
        self._linked: dict[int, dict[str, frozenset[Cell]]] = {}

    def _table(self, name: str) -> TableResult:
        if name not in self._built:
            if name not in self._builders:
                raise UnknownNameError(
                    f"no table {name!r} in this study; its tables are {list(self._builders)}"
                )
            self._built[name] = self._builders[name]()
        return self._built[name]

    def __getitem__(self, name: str) -> TableResult:
        # the caller's own copy of the numbers: changing a table's ``.frame`` in a notebook
        # changed the cached table, the study's ARD and the files written after it
        built = self._table(name)
        return dataclasses.replace(
            built,
            frame=built.frame.copy(),
            _displayed={},
            linked=functools.partial(self._linked_cells, name),
        )

    def _linked_cells(self, name: str, k: int) -> frozenset[Cell]:
        """The cells of table ``name`` that another table of the study gives away under
        suppression with ``k`` (``suppress_across``; every table is built for it)."""
        if k not in self._linked:
            tables = {n: self._table(n) for n in self._builders}
            self._linked[k], _ = coordinated(
                {n: t.frame for n, t in tables.items()},
                k,
                {n: t.source_counts for n, t in tables.items()},
            )
        return self._linked[k][name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._builders)

    def __len__(self) -> int:
        return len(self._builders)

    def __repr__(self) -> str:
        built = [n for n in self._builders if n in self._built]
        return f"StudyTables({list(self._builders)}, built={built})"


def build_tables(config: StudyConfig, result: CleanResult) -> dict[str, TableResult]:
    """Every table of the study, in report order, built now (suppressed together, as the
    study's tables are: ``StudyTables``)."""
    tables = StudyTables(table_builders(config, result))
    return {name: tables[name] for name in tables}


def study_ard(tables: Mapping[str, TableResult]) -> pd.DataFrame:
    """One long ARD of every table, as published (``analysis.ard.published``)."""
    return published(concat_ard(t.frame for t in tables.values()))


def shown_ard(tables: Mapping[str, TableResult], suppress_below: int) -> pd.DataFrame:
    """One long ARD of every table as shown under suppression: hidden values NaN, with the
    columns ``suppressed``, ``suppression``, ``suppress_k`` and ``suppression_reason``."""
    frames = [t.shown(suppress_below=suppress_below) for t in tables.values()]
    return published(concat_ard(frames))


def write_tables(
    tables: Mapping[str, TableResult],
    out_dir: Path,
    *,
    suppress_below: int | None = None,
    unsuppressed_dir: Path | None = None,
    synthetic: bool = False,
    notice: str | None = None,
    numbers: Mapping[str, int] | None = None,
) -> list[Path]:
    """Each table as HTML, DOCX, XLSX and CSV under ``out_dir/tables``; ARD as Parquet + CSV.
    ``numbers``: each table's number in the report, which its Word file's title gives (a
    table's own file was "Table 1." whatever its number); 1 for a table it does not list.
    ``synthetic``: each table's files say so (``analysis.synthetic``) and ``SYNTHETIC-DATA.txt``
    is written beside the ARD, which keeps its plain form.

    With ``suppress_below`` the ARD written to ``out_dir`` (the folder meant for sharing) is the
    suppressed one (``shown_ard``); the full ARD goes to ``unsuppressed_dir`` (the study's
    processed-data folder, kept by the study team) as ``ard_unsuppressed.parquet`` / ``.csv``,
    or nowhere when it is None.
    """
    from analysis.tables.office import write_docx, write_xlsx
    from analysis.write.atomic import write_text_atomic

    tdir = out_dir / "tables"
    tdir.mkdir(parents=True, exist_ok=True)
    written = []
    from analysis import synthetic as syn

    mark = syn.MARK if synthetic else None
    sentence = notice or syn.NOTICE
    for name, t in tables.items():
        html = t.to_html(suppress_below=suppress_below)
        html = html_file(t.heading, syn.html_line(sentence) + html if mark else html)
        written += [
            write_text_atomic(tdir / f"{name}.html", html),
            t.to_csv(
                tdir / f"{name}.csv",
                suppress_below=suppress_below,
                first_line=syn.csv_line(sentence) if mark else "",
            ),
            write_docx(
                [t],
                tdir / f"{name}.docx",
                suppress_below=suppress_below,
                page_header=mark,
                first_number=(numbers or {}).get(name, 1),
            ),
            write_xlsx([t], tdir / f"{name}.xlsx", suppress_below=suppress_below, page_header=mark),
        ]
    if synthetic:
        written.append(write_text_atomic(out_dir / syn.SIDECAR, syn.sidecar_text(sentence)))
    full = study_ard(tables)
    ard = shown_ard(tables, suppress_below) if suppress_below else full
    written += _write_ard(ard, out_dir, "ard")
    if suppress_below and unsuppressed_dir is not None:
        written += _write_ard(full, unsuppressed_dir, "ard_unsuppressed")
    return written


def _write_ard(ard: pd.DataFrame, out_dir: Path, stem: str) -> list[Path]:
    from analysis.write.atomic import write_atomic
    from analysis.write.parquet import write_parquet

    safe = neutralise_frame(ard)
    return [
        write_atomic(out_dir / f"{stem}.parquet", lambda p: write_parquet(ard, p)),
        write_atomic(
            out_dir / f"{stem}.csv", lambda p: safe.to_csv(p, index=False, float_format="%.10g")
        ),
    ]


def html_file(title: str, body: str) -> str:
    """A table's HTML fragment as a page of its own: declared UTF-8, titled, readable on a
    phone, its text (the synthetic-data line too) in the table's font."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        "<style>body { font-family: Helvetica, Arial, sans-serif; margin: 1em; }</style>\n"
        f"</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
