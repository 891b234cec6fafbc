"""What a command writing into a reports folder does to what is already there, said aloud.

A folder written by ``retro run --suppress-below 5`` is meant for sharing. ``retro notebooks``
(its report notebook runs the study again, unsuppressed) replaced it without a word: the banner
gone, ``<5`` cells back to their counts. ``retro tables`` and ``retro figures`` rewrite only
their own files, so after them ``report.html``, ``claims_check.csv`` and ``manifest.json`` of
the earlier run stayed beside tables they no longer describe (a term's 245 patients in the ARD,
246 in the report), also without a word. The manifest of a run records its ``suppress_below``
(``analysis.report.manifest``); these functions read it and give the warning.
"""

from __future__ import annotations

import json
from pathlib import Path

#: the files a whole run writes that ``retro tables`` / ``retro figures`` do not
RUN_FILES = ("report.html", "report.pdf", "tables.docx", "claims_check.csv", "manifest.json")


def earlier_suppression(reports_dir: Path) -> int | None:
    """The ``k`` the folder's current outputs were suppressed below (its ``manifest.json``);
    None when not suppressed, or no readable manifest."""
    try:
        manifest = json.loads((Path(reports_dir) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    k = manifest.get("suppress_below") if isinstance(manifest, dict) else None
    return int(k) if isinstance(k, int) and not isinstance(k, bool) else None


def replaced_suppression(reports_dir: Path, suppress_below: int | None) -> str | None:
    """The warning of a whole run replacing a folder suppressed below another ``k`` (or not
    suppressed at all); None when nothing changes in that respect."""
    earlier = earlier_suppression(reports_dir)
    if earlier is None or earlier == suppress_below:
        return None
    now = f"suppressed below {suppress_below}" if suppress_below else "NOT suppressed"
    return (
        f"{reports_dir} held outputs suppressed below {earlier} (--suppress-below {earlier}); "
        f"this run replaces them with outputs {now}. Before sharing the folder, rerun "
        f"`retro run --suppress-below {earlier}`, or write this run elsewhere (a notebook: "
        "`reports_dir`)."
    )


def stale_run_files(reports_dir: Path, what: str) -> str | None:
    """The warning after ``retro tables`` / ``retro figures`` (``what``: "tables", "figures")
    rewrote part of a folder: the files of an earlier whole run still there, no longer
    describing them, and a suppression they do not have. None when there are none."""
    folder = Path(reports_dir)
    stale = [name for name in RUN_FILES if (folder / name).is_file()]
    if not stale:
        return None
    earlier = earlier_suppression(folder)
    mixed = (
        f" That run was suppressed below {earlier}; the {what} just written are not, so the "
        "folder now mixes the two: do not share it as it is."
        if earlier
        else ""
    )
    return (
        f"{', '.join(stale)} in {folder} are from an earlier `retro run` and do not show the "
        f"{what} just written.{mixed} Run `retro run` to bring the whole folder up to date."
    )


__all__ = ["RUN_FILES", "earlier_suppression", "replaced_suppression", "stale_run_files"]
