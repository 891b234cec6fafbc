"""Text dates that prove a source's ``date_order`` wrong.

A day-first export declared ``date_order: MDY`` read every date whose day is 12 or less with
its day and month swapped (2 July as 7 February), in silence, and lost the records of the dates
it could not read (day 31 as a month): a probe's run exited 0 with 17 patients fewer and at
least 17 dates swapped. A date such as ``31/05/2016`` can only be day first, ``05/31/2016`` only
month first. When the text dates of one source include some that can only be written in the
other order and none that can only be written in the declared one, the declaration is wrong
(or the dates are mixed beyond telling), and the run stops naming the source, its key, the
evidence and the fix, before any date is read the wrong way round.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis.clean.distinct import map_distinct
from analysis.clean.shown_value import shown_value
from analysis.clean.step import audit_rows
from analysis.errors import SourceError

#: a numeric day-month date (either order), a two- or four-digit year, a time after it or not
_DAY_MONTH = re.compile(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-]\d{2}(?:\d{2})?(?:[T ].*)?\s*")
_SHOWN = 3


def order_proof(value: object) -> int:
    """+1 when ``value`` is a text date that can only be day first (its first number above
    12, its second not), -1 when it can only be month first, 0 otherwise."""
    if not isinstance(value, str):
        return 0
    found = _DAY_MONTH.fullmatch(value)
    if found is None:
        return 0
    first, second = int(found.group(1)), int(found.group(2))
    if 12 < first <= 31 and 1 <= second <= 12:
        return 1
    if 12 < second <= 31 and 1 <= first <= 12:
        return -1
    return 0


def evidence(
    proofs: list[tuple[str, pd.Series, pd.Series]],
) -> tuple[dict[tuple[str, int], int], dict[tuple[str, int], list[str]]]:
    """Per (source, +1 day first / -1 month first): how many text dates can only be written
    that way, and the first few of them (``column`` and text). ``proofs`` as
    :func:`wrong_orders` takes them."""
    # counted and sampled by source on the engine, not cell by cell: at a million patients a
    # day-first source has millions of such cells
    found: dict[tuple[str, int], int] = {}
    shown: dict[tuple[str, int], list[str]] = {}
    for column, proof, raw in proofs:
        cells = pd.DataFrame(
            {
                "source": pd.Index(proof.index).astype(str),
                "sign": np.sign(proof.to_numpy()),
                "text": raw.to_numpy(),
            }
        )
        cells = cells.loc[cells["sign"] != 0]
        for (source, sign), n in cells.groupby(["source", "sign"], sort=False).size().items():
            found[(source, int(sign))] = found.get((source, int(sign)), 0) + int(n)
        firsts = cells.drop_duplicates(["source", "sign", "text"])
        firsts = firsts.groupby(["source", "sign"], sort=False).head(_SHOWN)
        for source, sign, text in firsts.itertuples(index=False):
            shown.setdefault((source, int(sign)), []).append(f"`{column}` {text!r}")
    return found, shown


def wrong_orders(
    proofs: list[tuple[str, pd.Series, pd.Series]],
    declared: dict[str, str],
    where: dict[str, str],
    counted: tuple[dict[tuple[str, int], int], dict[tuple[str, int], list[str]]] | None = None,
) -> list[str]:
    """One paragraph per source whose text dates (``proofs``: per date column, its name, the
    :func:`order_proof` of each cell and each cell's text, on the table's rows with their
    ``_source`` as the index) prove only the order it does not declare (``declared``: source
    -> ``date_order``; ``where``: source -> how to name it and its key; ``counted``: what
    :func:`evidence` gave for ``proofs``, when it has run)."""
    found, shown = counted if counted is not None else evidence(proofs)
    paragraphs = []
    for source, order in declared.items():
        for proves, against, other in ((1, -1, "DMY"), (-1, 1, "MDY")):
            if order == other or (source, proves) not in found or (source, against) in found:
                continue
            if order == "YMD":
                continue  # its text is year first: a day-month date is no evidence of it
            examples = ", ".join(shown[(source, proves)][:_SHOWN])
            paragraphs.append(
                f"  - {where[source]} declares `date_order: {order}`, but "
                f"{found[(source, proves)]} of its "
                f"text dates can only be written {_WORDS[other]} ({examples}) and none can only "
                f"be written {_WORDS[order]}: the dates that fit both orders would be read with "
                f"day and month swapped. Set `date_order: {other}` for this source; if those "
                "dates are typing errors, correct them in the export."
            )
    return paragraphs


def order_ambiguous(value: object) -> bool:
    """Whether ``value`` is a numeric day-month text date that reads as two different days
    (both numbers 12 or less, and unequal: ``10/04/2020``)."""
    if not isinstance(value, str):
        return False
    found = _DAY_MONTH.fullmatch(value)
    if found is None:
        return False
    first, second = int(found.group(1)), int(found.group(2))
    return 1 <= first <= 12 and 1 <= second <= 12 and first != second


def mixed_order_audit(
    data: pd.DataFrame,
    table: str,
    found: dict[tuple[str, int], int],
    read: list[tuple[str, pd.Series, pd.Series]],
    declared: dict[str, str],
    *,
    dropped: set[object] | None = None,
) -> list[pd.DataFrame]:
    """Audit rows (``flagged``) for the dates read in the declared order that could be read
    the other way, in the sources whose text dates are written both ways: some can only be day
    first, some only month first. Such a source does not stop the run (which way is wrong
    cannot be told), and its dates of day 12 or less were read as declared without a word (a
    probe: ``12/31/2020``, ``31/12/2020`` and ``10/04/2020`` in one column). ``read``: per date
    column, its name, its raw cells and which of them were read (on ``data``'s index);
    ``found``: the counts of :func:`evidence`; ``dropped``: the index labels of records
    excluded meanwhile, not flagged)."""
    mixed = {
        s: (found[(s, 1)], found[(s, -1)])
        for s, order in declared.items()
        if order != "YMD" and (s, 1) in found and (s, -1) in found
    }
    if not mixed:
        return []
    sources = data["_source"].astype(str)
    kept = ~data.index.isin(list(dropped or ()))
    frames = []
    for column, raw, ok in read:
        rows = ok & kept & sources.isin(list(mixed))
        if not rows.any():
            continue
        cells = raw[rows]
        cells = cells[map_distinct(order_ambiguous, cells).astype(bool)]
        if cells.empty:
            continue
        messages = []
        for value, source in zip(cells, sources[cells.index], strict=True):
            day, month = mixed[source]
            order = declared[source]
            messages.append(
                f"`{column}` value {shown_value(value)} can be read {_WORDS['DMY']} or {_WORDS['MDY']} "
                f"(two different days), and source '{source}' writes its dates both ways ({day} "
                f"can only be {_WORDS['DMY']}, {month} only {_WORDS['MDY']}): read "
                f"{_WORDS[order]}, as its `date_order: {order}` says. Check this date in the "
                "export."
            )
        frames.append(
            audit_rows(
                data.loc[cells.index],
                table,
                column,
                "date_order",
                cells,
                "flagged",
                pd.Series(messages, index=cells.index),
            )
        )
    return frames


_WORDS = {"DMY": "day first", "MDY": "month first"}


def stop_on_wrong_order(paragraphs: list[str]) -> None:
    """Raise one ``SourceError`` for every paragraph of :func:`wrong_orders`."""
    if paragraphs:
        raise SourceError(
            "text dates that contradict their source's `date_order`:\n" + "\n".join(paragraphs)
        )


__all__ = [
    "evidence",
    "mixed_order_audit",
    "order_ambiguous",
    "order_proof",
    "stop_on_wrong_order",
    "wrong_orders",
]
