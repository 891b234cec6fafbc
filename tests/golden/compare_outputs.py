"""Compare two `make report` output folders: the numbers, the claims, the figures and the text.

    python -m tests.golden.compare_outputs BEFORE AFTER [--allow-relabel] [--allow-reworded]
        [--moved-table OLD=NEW ...]

Run it around a change that must not move any output (a refactor): keep a copy of
``reports/`` from before (``cp -r reports /tmp/before``), make the change, ``make report``, then
compare. For each study folder found in both it prints:

- **ARD**: every number keyed by (table, variable, level, groups, stat), whatever the ARD's
  layout (the packed ``group`` column, or the explicit ``group1``/``group1_level``... columns),
  with values to 10 significant digits: rows equal, rows whose value or method changed, and rows
  only before or only after. A denominator written beside every level before and once after
  (``level`` ``""``, ``analysis.ard.one_denominator``) counts as equal when its value and method
  are the same. With ``--allow-relabel`` a row only before and a row only after of the same
  table, stat, value and method count as one number under a new key and are all listed
  ("relabelled"), for a change that moves keys on purpose (review the list); with
  ``--moved-table OLD=NEW`` as well, a row of table OLD may be found under table NEW (a table
  split in two: the Cox rows of a time-to-event table moved to ``<name>_cox``). With
  ``--allow-reworded`` a row whose value is the same and only its ``method`` text changed
  ("reworded", e.g. method names in words) does not fail, and a relabelled row may also be
  reworded when its table, stat and value are found once only before and once only after;
- **claims**: every claim's id, computed value and verdict;
- **figures**: the PNG files, byte for byte (and the share of pixels that differ when not);
- **text**: the visible text of ``report.html``, ``report.pdf`` (``pdftotext``) and
  ``tables.docx``, line by line (lines only before / only after).

Exit status 0 when ARD values, claims and figures are equal (text differences are listed but
do not fail: a layout change may move words), 1 otherwise.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

from tests.golden.snapshot import _round

ACROSS = "*"  # the packed layout's "every level of this group" marker


def _packed(row: pd.Series) -> tuple[tuple[tuple[str, str], ...], str, str]:
    """(groups, level, reference) of a row of the packed layout: ``sex=*`` is the group with an
    empty level, ``sex=male vs female`` the level ``male`` with reference ``female``, and a
    model contrast ``level`` ``combined vs monotherapy`` the level ``combined`` with reference
    ``monotherapy`` (as the explicit layout spells them)."""
    text, level, reference = str(row["group"]), str(row["level"]), ""
    pairs = []
    if text not in ("", "overall", "nan"):
        for part in text.split(";"):
            name, _, value = part.partition("=")
            if value == ACROSS:
                value = ""
            elif " vs " in value:
                value, _, reference = value.partition(" vs ")
            pairs.append((name, value))
    elif " vs " in level:
        level, _, reference = level.partition(" vs ")
    return tuple(sorted(pairs)), level, reference


def _explicit(row: pd.Series) -> tuple[tuple[tuple[str, str], ...], str, str]:
    """(groups, level, reference) of a row of the explicit layout."""
    pairs = []
    i = 1
    while f"group{i}" in row.index:
        name = str(row[f"group{i}"])
        if name and name != "nan":
            level = str(row.get(f"group{i}_level", ""))
            pairs.append((name, "" if level in ("nan", "<NA>") else level))
        i += 1
    return tuple(sorted(pairs)), str(row["level"]), str(row.get("reference", ""))


def ard_numbers(path: Path) -> dict[tuple, tuple[str, str]]:
    """``{(table, variable, level, groups, reference, stat): (value, method)}`` of an ard.csv,
    whichever its layout; rows that share that key (two contexts) add their ``context``."""
    ard = pd.read_csv(path, dtype=str, keep_default_na=False)
    spell = _packed if "group" in ard.columns else _explicit
    rows: dict[tuple, list[tuple[str, tuple[str, str]]]] = {}
    for _, row in ard.iterrows():
        groups, level, reference = spell(row)
        key = (row["table"], row["variable"], level, groups, reference, row["stat"])
        value = _round(float(row["value"])) if row["value"] not in ("", "nan") else ""
        rows.setdefault(key, []).append((row.get("context", ""), (value, row.get("method", ""))))
    out: dict[tuple, tuple[str, str]] = {}
    for key, found in rows.items():
        if len(found) == 1:
            out[key] = found[0][1]
        else:  # two computations on one cell (a Cox p-value and its PH test's): by context
            out.update({(*key, context): number for context, number in found})
    return out


def _one_denominator(key: tuple) -> tuple:
    """The key of the one ``N`` row a per-level ``N`` row folds into (``level`` ``""``)."""
    return (key[0], key[1], "", *key[3:])


def fold_denominators(
    a: dict[tuple, tuple[str, str]], b: dict[tuple, tuple[str, str]]
) -> tuple[set[tuple], set[tuple]]:
    """The rows of ``a`` (before) only there that are a per-level ``N`` now held once in ``b``
    with ``level`` ``""`` and the same value and method (``analysis.ard.one_denominator``), and
    the rows of ``b`` they fold into."""
    folded, into = set(), set()
    for key in a.keys() - b.keys():
        one = _one_denominator(key)
        if key[5] == "N" and key[2] and b.get(one) == a[key]:
            folded.add(key)
            into.add(one)
    return folded, into - a.keys()


def relabelled(
    a: dict[tuple, tuple[str, str]],
    only_a: list[tuple],
    b: dict[tuple, tuple[str, str]],
    only_b: list[tuple],
    moved_tables: dict[str, str] | None = None,
) -> list[tuple[tuple, tuple]]:
    """Pairs (before key, after key) of rows only before and only after with the same table,
    stat, value and method: the same number under a new key (a row whose ``level`` held what
    is not a level of its variable, moved to ``variable`` / ``reference`` / its groups).
    ``moved_tables`` (old -> new table): a row of the old table may also be found under the
    new one."""
    moved = moved_tables or {}
    pool: dict[tuple, list[tuple]] = {}
    for key in only_b:
        pool.setdefault((key[0], key[5], *b[key]), []).append(key)
    pairs = []
    for key in only_a:
        for table in (key[0], moved.get(key[0])):
            same = pool.get((table, key[5], *a[key])) if table else None
            if same:
                pairs.append((key, same.pop(0)))
                break
    return pairs


def reworded_relabels(
    a: dict[tuple, tuple[str, str]],
    only_a: list[tuple],
    b: dict[tuple, tuple[str, str]],
    only_b: list[tuple],
) -> list[tuple[tuple, tuple]]:
    """Pairs of rows only before and only after with the same table, stat and value (the method
    text reworded too), where that (table, stat, value) is found exactly once on each side."""

    def unique(keys: list[tuple], numbers: dict[tuple, tuple[str, str]]) -> dict[tuple, tuple]:
        seen: dict[tuple, list[tuple]] = {}
        for key in keys:
            seen.setdefault((key[0], key[5], numbers[key][0]), []).append(key)
        return {k: v[0] for k, v in seen.items() if len(v) == 1}

    ua, ub = unique(only_a, a), unique(only_b, b)
    return [(ua[k], ub[k]) for k in sorted(ua.keys() & ub.keys(), key=str)]


def compare_ard(
    before: Path,
    after: Path,
    *,
    allow_relabel: bool = False,
    allow_reworded: bool = False,
    moved_tables: dict[str, str] | None = None,
) -> tuple[bool, list[str]]:
    a, b = ard_numbers(before), ard_numbers(after)
    differ = [k for k in a.keys() & b.keys() if a[k] != b[k]]
    reworded = [k for k in differ if allow_reworded and a[k][0] == b[k][0]]
    changed = [k for k in differ if k not in set(reworded)]
    folded, into = fold_denominators(a, b)
    only_a = sorted(a.keys() - b.keys() - folded, key=str)
    only_b = sorted(b.keys() - a.keys() - into, key=str)
    moved = relabelled(a, only_a, b, only_b, moved_tables) if allow_relabel else []
    only_a = [k for k in only_a if k not in {x for x, _ in moved}]
    only_b = [k for k in only_b if k not in {y for _, y in moved}]
    both = reworded_relabels(a, only_a, b, only_b) if allow_relabel and allow_reworded else []
    only_a = [k for k in only_a if k not in {x for x, _ in both}]
    only_b = [k for k in only_b if k not in {y for _, y in both}]
    lines = [
        f"ARD: {len(a)} rows before, {len(b)} after; {len(a.keys() & b.keys()) - len(differ)} "
        f"equal, {len(folded)} per-level N rows now one N row ({len(into)} new level-'' N "
        f"rows), {len(moved)} relabelled, {len(reworded)} reworded (method text only), "
        f"{len(both)} relabelled and reworded, {len(changed)} changed, {len(only_a)} only "
        f"before, {len(only_b)} only after"
    ]
    lines += [f"  changed {k}: {a[k]} -> {b[k]}" for k in sorted(changed, key=str)[:20]]
    lines += [f"  reworded {k}: {a[k][1]!r} -> {b[k][1]!r}" for k in sorted(reworded, key=str)]
    lines += [f"  relabelled {x} -> {y}" for x, y in moved]
    lines += [f"  relabelled and reworded {x}: {a[x]} -> {y}: {b[y]}" for x, y in both]
    lines += [f"  only before {k}: {a[k]}" for k in only_a[:20]]
    lines += [f"  only after {k}: {b[k]}" for k in only_b[:20]]
    return not changed and not only_a and not only_b, lines


def compare_claims(before: Path, after: Path) -> tuple[bool, list[str]]:
    cols = ["id", "computed", "passed"]
    a = pd.read_csv(before, dtype=str, keep_default_na=False)[cols]
    b = pd.read_csv(after, dtype=str, keep_default_na=False)[cols]
    same = (
        a.sort_values("id")
        .reset_index(drop=True)
        .equals(b.sort_values("id").reset_index(drop=True))
    )
    passed = (b["passed"] == "True").sum()
    return same, [
        f"claims: {'equal' if same else 'DIFFERENT'} ({passed}/{len(b)} reproduced after)"
    ]


def _pixels_differing(a: Path, b: Path) -> str:
    from PIL import Image, ImageChops

    with Image.open(a) as ia, Image.open(b) as ib:
        if ia.size != ib.size:
            return f"size {ia.size} -> {ib.size}"
        diff = ImageChops.difference(ia.convert("RGB"), ib.convert("RGB")).convert("L")
        changed = sum(1 for v in diff.getdata() if v)
        return f"{changed / (ia.size[0] * ia.size[1]):.2%} of pixels differ"


def _figures(study: Path) -> dict[str, Path]:
    """The PNG figures a run wrote (those its manifest lists: a folder may hold stale files)."""
    manifest = study / "manifest.json"
    listed = json.loads(manifest.read_text())["outputs"] if manifest.exists() else None
    return {
        p.name: p
        for p in sorted((study / "figures").glob("*.png"))
        if listed is None or any(k.endswith(f"figures/{p.name}") for k in listed)
    }


def compare_figures(before: Path, after: Path) -> tuple[bool, list[str]]:
    a, b = _figures(before), _figures(after)
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    differ = [n for n in sorted(a.keys() & b.keys()) if digest(a[n]) != digest(b[n])]
    missing = sorted(a.keys() ^ b.keys())
    lines = [f"figures: {len(a.keys() & b.keys()) - len(differ)}/{len(a)} PNG byte-identical"]
    lines += [f"  {n}: {_pixels_differing(a[n], b[n])}" for n in differ]
    lines += [f"  only in one run: {n}" for n in missing]
    return not differ and not missing, lines


def _html_text(path: Path) -> list[str]:
    text = re.sub(r"<(script|style)\b.*?</\1>", "", path.read_text(encoding="utf-8"), flags=re.S)
    text = re.sub(r"<[^>]+>", "\n", text)
    return [ln for ln in (html.unescape(s).strip() for s in text.splitlines()) if ln]


def _pdf_text(path: Path) -> list[str]:
    if not shutil.which("pdftotext"):
        return []
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True)
    return [" ".join(ln.split()) for ln in done.stdout.splitlines() if ln.strip()]


def _docx_text(path: Path) -> list[str]:
    from docx import Document

    doc = Document(str(path))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        lines += [" | ".join(c.text for c in row.cells) for row in table.rows]
    return [ln.strip() for ln in lines if ln.strip()]


def compare_text(before: Path, after: Path) -> list[str]:
    lines = []
    for name, reader in (
        ("report.html", _html_text),
        ("report.pdf", _pdf_text),
        ("tables.docx", _docx_text),
    ):
        if not (before / name).exists() or not (after / name).exists():
            continue
        a, b = reader(before / name), reader(after / name)
        only_a = [ln for ln in a if ln not in set(b)]
        only_b = [ln for ln in b if ln not in set(a)]
        lines.append(
            f"{name}: {len(a)} text lines before, {len(b)} after; "
            f"{len(only_a)} only before, {len(only_b)} only after"
        )
        lines += [f"  - {ln[:110]}" for ln in only_a[:8]]
        lines += [f"  + {ln[:110]}" for ln in only_b[:8]]
    return lines


def compare_study(
    before: Path,
    after: Path,
    *,
    allow_relabel: bool = False,
    allow_reworded: bool = False,
    moved_tables: dict[str, str] | None = None,
) -> bool:
    ok_ard, ard_lines = compare_ard(
        before / "ard.csv",
        after / "ard.csv",
        allow_relabel=allow_relabel,
        allow_reworded=allow_reworded,
        moved_tables=moved_tables,
    )
    ok_claims, claim_lines = compare_claims(before / "claims_check.csv", after / "claims_check.csv")
    ok_fig, fig_lines = compare_figures(before, after)
    print(f"== {before.name}")
    for line in [*ard_lines, *claim_lines, *fig_lines, *compare_text(before, after)]:
        print(line)
    return ok_ard and ok_claims and ok_fig


def main(argv: list[str]) -> int:
    allow_relabel = "--allow-relabel" in argv
    allow_reworded = "--allow-reworded" in argv
    argv = [a for a in argv if a not in ("--allow-relabel", "--allow-reworded")]
    moved: dict[str, str] = {}
    while "--moved-table" in argv:
        i = argv.index("--moved-table")
        old, _, new = (argv[i + 1] if i + 1 < len(argv) else "").partition("=")
        if not old or not new:
            print("--moved-table needs OLD=NEW (two table names)")
            return 2
        moved[old] = new
        del argv[i : i + 2]
    if len(argv) != 2:
        print(__doc__)
        return 2
    before, after = (Path(a) for a in argv)
    studies = sorted(
        p.name for p in before.iterdir() if (p / "ard.csv").exists() and (after / p.name).is_dir()
    )
    if not studies:
        print(f"no study folder with an ard.csv in both {before} and {after}")
        return 2
    results = [
        compare_study(
            before / s,
            after / s,
            allow_relabel=allow_relabel,
            allow_reworded=allow_reworded,
            moved_tables=moved,
        )
        for s in studies
    ]
    print("EQUAL" if all(results) else "DIFFERENT (see above)")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
