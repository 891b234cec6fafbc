"""The package holds general mechanisms only: no shipped study, drug or study term is named in
``analysis/`` outside the synthetic twins (``analysis/datasets/``). A study lives in its file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis.studyfile.config import StudyConfig

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "analysis"
STUDIES = sorted(
    p for p in (REPO / "studies").glob("*.yaml") if not p.name.endswith(".claims.yaml")
)


def _study_words(path: Path) -> set[str]:
    cfg = StudyConfig.load(path)
    words = {cfg.study.name, cfg.exposure.treatment, *cfg.study.name.split("_")}
    for vocab in ("drug", "ae_term", "baseline_grade", "diagnosis"):
        found = cfg.vocabularies.get(vocab)
        if found is not None:
            words |= set(found.levels) | set(found.categories.values())
    # generic words that a study may also use as a level stay allowed
    generic = {"low", "dose", "oral", "other", "the study treatment"}
    return {w for w in words if len(w) > 3 and w.casefold() not in generic}


def _package_files() -> list[Path]:
    return sorted(
        p
        for p in PACKAGE.rglob("*")
        if p.suffix in (".py", ".css", ".html")
        and "datasets" not in p.relative_to(PACKAGE).parts
        and "__pycache__" not in p.parts
    )


@pytest.mark.parametrize("study", STUDIES, ids=lambda p: p.stem)
def test_the_package_names_no_shipped_study_drug_or_term(study):
    words = _study_words(study)
    assert words, "the study file gives no words to look for"
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b",
        re.IGNORECASE,
    )
    found = []
    for path in _package_files():
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = pattern.search(line)
            if m:
                found.append(f"{path.relative_to(REPO)}:{i}: {m.group(0)!r}: {line.strip()}")
    assert not found, "study words in package code:\n" + "\n".join(found)


def test_the_package_names_no_reference_study_in_its_examples():
    stems = ("mesotherap", "dutasterid", "minoxidil", "alopecia", "norwood", "ludwig")
    found = [
        f"{p.relative_to(REPO)}:{i}"
        for p in _package_files()
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if any(s in line.casefold() for s in stems)
    ]
    assert not found, found
