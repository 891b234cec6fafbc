"""The per-table read and validate work of the clean stage, shared with a second process.

Reading and validating a table (``analysis.clean.per_table``) depends only on the study and that
table. When the raw files of a study are large (``MIN_BYTES`` or more, 48 MiB of CSV text: about
120,000 patients of the scaled twin; a workbook or a Parquet, SAS or SPSS file is weighed by
the cells it declares, ``source_size``) and the machine has two cores or more, the tables are
shared between this process and one second process, the largest first (the exposures of a
registry are most of its rows, so the second process does them and this one the other tables).
Small studies (every test study, the shipped ones) are done here, one table after another, as
before. Either way the result is the same to the byte: the logs are put back in the order one
process writes them (every table's reading, the id checks, every table's validation), and when
tables fail, the error one process would raise first is raised (the reads in the order of the
tables, then the id and label checks, then the validations).

``RETRO_CLEAN_WORKERS``: ``1`` does every table in this process (less memory at once; also the
way out when the second process cannot start or dies), ``2`` uses the second process whatever
the size, unset (or ``auto``) decides by size. How the second process is started, fed and
listened to: ``analysis.clean.second_process``. Its reads arrive first, so this process checks
the ids across tables while it validates, then does what needs only its own validated tables
(``meanwhile``: the stage de-duplicates the patients and its tables) until the rest arrives.
An error of that work is raised only once the second process's validations are in, after
theirs: one process would have raised those first.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from typing import TypeVar

from analysis.clean.columns import TABLES_ORDER
from analysis.clean.per_table import (
    ReadTable,
    Reporter,
    ValidTable,
    read_phase,
    run_tables,
    validate_phase,
)
from analysis.clean.second_process import ENV, Parts, Shared, Worker
from analysis.clean.source_size import source_bytes
from analysis.clean.while_waiting import run_offered
from analysis.errors import ConfigError
from analysis.studyfile.config import StudyConfig

T = TypeVar("T")
U = TypeVar("U")

MIN_BYTES = 48 * 2**20  # CSV bytes from which a second process pays (starting it: ~0.5-1 s)


def read_and_validate(
    config: StudyConfig,
    pace: Reporter,
    check: Callable[[dict[str, ReadTable]], T],
    meanwhile: Callable[[dict[str, ReadTable], dict[str, ValidTable]], U | None],
    *,
    prepare: Callable[[dict[str, ReadTable]], object] | None = None,
    min_bytes: int | None = None,
) -> tuple[dict[str, ReadTable], T, dict[str, ValidTable], U | None]:
    """Every table read, ``check(reads)`` (the checks across tables), every table validated.

    ``prepare(reads)``: with a second process, what this process prepares of ``check`` with
    its own reads before it waits for the others' (pure: an error there is not raised, the
    check raises it in its turn).

    ``meanwhile(reads, valid)``: with a second process, what this process does with its own
    validated tables while it waits for the others (not called in one process, nor after a
    failure here). ``min_bytes``: the raw bytes from which a second process is used (default
    ``MIN_BYTES``). Returns the reads (their ``data`` released), what ``check`` gave, the
    validated tables by table in the stage's order, and what ``meanwhile`` gave (None when not
    called). Raises what one process doing it all in order would raise first (see the module
    doc).
    """
    mine, theirs = plan(config, MIN_BYTES if min_bytes is None else min_bytes)
    if not theirs:
        reads = {t: read_phase(config, t, pace) for t in TABLES_ORDER}
        checked = check(reads)
        valid = {t: validate_phase(config, reads[t], pace) for t in TABLES_ORDER}
        return reads, checked, valid, None
    shared, here = Shared(pace), Parts()
    shared.say(f"{', '.join(theirs)} in a second process, {', '.join(mine)} in this one")
    early: U | None = None
    failed: Exception | None = None
    with Worker(config, theirs, shared) as worker:
        for part in run_tables(config, mine, shared):
            here.add(part)
        if prepare is not None and not here.failures:
            with contextlib.suppress(Exception):
                prepare(dict(here.reads))
        parts = here.merged(worker.wait(lambda there: there.reads_known(theirs)))
        parts.raise_first("read")  # (leaving the block stops the second process)
        reads = {t: parts.reads[t] for t in TABLES_ORDER}
        checked = check(reads)  # while the second process validates
        if not here.failures:
            try:
                early = meanwhile(reads, dict(here.valid))
            except Exception as exc:  # raised after the second process's validation errors
                failed = exc
        run_offered()  # this process is done with its own tables: idle until theirs arrive
        parts = here.merged(worker.wait(lambda there: there.valid_known(theirs)))
    parts.raise_first("validate")
    if failed is not None:
        raise failed
    return reads, checked, {t: parts.valid[t] for t in TABLES_ORDER}, early


def plan(config: StudyConfig, min_bytes: int) -> tuple[list[str], list[str]]:
    """The tables for this process and for the second one (none: all here), each in the
    stage's order. Largest first, each table to the process with fewer bytes so far (the second
    process takes the largest)."""
    workers = workers_wanted()
    sizes = table_bytes(config)
    small = sum(sizes.values()) < min_bytes or cores() < 2
    if workers == 1 or (workers is None and small) or os.name != "posix":  # posix: pass_fds
        return list(TABLES_ORDER), []
    loads = {"second": 0, "here": 0}
    where: dict[str, str] = {}
    for table in sorted(TABLES_ORDER, key=lambda t: -sizes[t]):
        side = min(loads, key=lambda s: loads[s])  # ties: the second process
        where[table] = side
        loads[side] += sizes[table]
    mine = [t for t in TABLES_ORDER if where[t] == "here"]
    return mine, [t for t in TABLES_ORDER if where[t] == "second"]


def table_bytes(config: StudyConfig) -> dict[str, int]:
    """The work of each table's sources in bytes of CSV text (``source_size``; a missing file
    counts 0: reading says so)."""
    sizes = dict.fromkeys(TABLES_ORDER, 0)
    for source in config.sources:
        sizes[source.table] += source_bytes(config, source)
    return sizes


def workers_wanted() -> int | None:
    """``RETRO_CLEAN_WORKERS`` as 1 or 2; None when unset or ``auto`` (decide by size)."""
    value = os.environ.get(ENV, "auto").strip().lower()
    if value in ("", "auto"):
        return None
    if value in ("1", "2"):
        return int(value)
    raise ConfigError(
        f"environment variable {ENV}={value!r}: expected 1 (read and validate every table in "
        "one process), 2 (share the tables with a second process) or auto (2 when the raw "
        f"files hold the work of {MIN_BYTES // 2**20} MiB of CSV or more). Set one of these or "
        "unset it."
    )


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


__all__ = [
    "ENV",
    "MIN_BYTES",
    "cores",
    "plan",
    "read_and_validate",
    "table_bytes",
    "workers_wanted",
]
