"""The hint of the error naming header columns a source maps but its file does not have."""

from __future__ import annotations

from analysis.studyfile.config import Source


def header_hint(source: Source, columns: list[str], wanted: set[str]) -> str:
    """How to fix headers that were not found: the delimiter that splits the header into the
    wanted names when another one does (a CSV re-saved with commas), else the column mapping."""
    if source.inferred_format == "csv":
        joined = columns[0] if len(columns) == 1 else None
        for other in (",", ";", "\t", "|"):
            if joined is not None and other != source.delimiter:
                parts = {p.strip().strip('"') for p in joined.split(other)}
                if len(parts) > 1 and wanted <= parts:
                    return (
                        f"The header holds every wanted name separated by {other!r}: set "
                        f"`delimiter: {other!r}` for source '{source.name}' "
                        + (
                            f"(declared: {source.delimiter!r})."
                            if source.delimiter
                            else "(none declared)."
                        )
                    )
    return f"Fix `sources[{source.name}].columns` to name the header as it appears in the file."


__all__ = ["header_hint"]
