"""The hint of the error naming header columns a source maps but its file does not have: the
delimiter that splits the header, or the row where the header seems to be (title rows above it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.clean.header_row import find_header_row
from analysis.studyfile.config import Source

if TYPE_CHECKING:
    from analysis.studyfile.config import StudyConfig


def header_hint(
    source: Source, columns: list[str], wanted: set[str], *, config: StudyConfig | None = None
) -> str:
    """How to fix headers that were not found: the headers of the file equal to a wanted name
    but for case and white space (:func:`spacing_hint`), then the delimiter that splits the
    header into the wanted names when another one does (a CSV re-saved with commas), else the
    row holding them (:func:`header_row_hint`, given ``config``), else the column mapping."""
    spacing = spacing_hint(wanted, columns)
    other = _other_hint(source, columns, wanted, config)
    return f"{spacing} {other}" if spacing else other


def _other_hint(
    source: Source, columns: list[str], wanted: set[str], config: StudyConfig | None
) -> str:
    """:func:`header_hint` but for the headers written otherwise in case or white space."""
    if source.inferred_format == "csv":
        # the header as one line, whichever mark split it (a ';' file whose header holds a
        # comma, "weight, kg", was split at that comma); names compared without spaces
        lines = {used.join(columns) for used in (",", ";", "\t", "|")}
        want = {_bare(w) for w in wanted}
        for other in (",", ";", "\t", "|"):
            for joined in lines if other != source.delimiter else ():
                parts = {_bare(p.strip().strip('"')) for p in joined.split(other)}
                if len(parts) > len(columns) and want <= parts:
                    return (
                        f"The header holds every wanted name separated by {other!r}: set "
                        f"`delimiter: {other!r}` for source '{source.name}' "
                        + (
                            f"(declared: {source.delimiter!r})."
                            if source.delimiter
                            else "(none declared)."
                        )
                    )
    found = header_row_hint(config, source, wanted) if config is not None else ""
    if found:
        return found
    keys = _keys_naming(config, source, set(columns)) if config is not None else []
    if keys:
        return f"Fix {'; '.join(keys)}: name the header as it appears in the file."
    return f"Fix `sources[{source.name}].columns` to name the header as it appears in the file."


def _folded(text: str) -> str:
    """A header without case and with any run of white space (line break, tab, no-break
    space) as one space."""
    return " ".join(text.split()).casefold()


def spacing_hint(wanted: set[str], columns: list[str]) -> str:
    """The wanted headers the file writes otherwise only in case or white space, said: a
    probe's "Fecha\\nsesión" (a line break in the cell) and "FECHA SESIÓN" were refused with
    the header list alone, the difference invisible in it."""
    by_fold: dict[str, list[str]] = {}
    for c in columns:
        by_fold.setdefault(_folded(c), []).append(c)
    pairs = [
        (w, by_fold[_folded(w)][0])
        for w in sorted(wanted)
        if w not in columns and _folded(w) in by_fold
    ]
    if not pairs:
        return ""
    said = "; ".join(f"{found!r} for {w!r}" for w, found in pairs)
    return (
        f"The file writes {said}: the same name but for case or white space (a line break, a "
        "tab or a no-break space inside the header cell). Name the header as the file writes "
        "it (in quotes, with \\n for a line break), or correct it in the export."
    )


def _keys_naming(config: StudyConfig, source: Source, columns: set[str]) -> list[str]:
    """The keys of the study file (with their lines) naming a header the file lacks: a
    ``columns`` entry or ``records_when.column``."""
    at = config.sources.index(source)
    indexes: list[int | str | None] = list(source.repeat) if source.repeat else [None]
    keys = [
        config.key_at("sources", at, "columns", canon)
        for canon, header in source.columns.items()
        if any(header.replace("{i}", str(i)) not in columns for i in indexes)
    ]
    when = source.records_when
    if when is not None and any(when.column.replace("{i}", str(i)) not in columns for i in indexes):
        keys.append(config.key_at("sources", at, "records_when", "column"))
    return keys


def _bare(name: str) -> str:
    return name.replace(" ", "")


def header_row_hint(config: StudyConfig, source: Source, wanted: set[str]) -> str:
    """ "The header seems to be on row 4: set `header_row: 4`..." when another of the first rows
    of the source's file holds every ``wanted`` header and its declared header row does not
    (``header_row.find_header_row``); else ``""``."""
    row = find_header_row(
        config.source_path(source),
        fmt=source.inferred_format,
        wanted=wanted,
        header_row=source.header_row,
        sheet=source.sheet,
        encoding=source.encoding,
        delimiter=source.delimiter,
    )
    if row is None:
        return ""
    unit = "line" if source.inferred_format == "csv" else "row"
    key = f"sources[{config.sources.index(source)}].header_row"
    skip = f"the {unit}s above it are then skipped as titles" if row > 1 else "the default"
    return (
        f"The header seems to be on {unit} {row}: set `header_row: {row}` for source "
        f"'{source.name}' (`{key}` in the study file; {skip})."
    )


__all__ = ["header_hint", "header_row_hint"]
