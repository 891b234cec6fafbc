"""Work offered for the time the clean stage waits on its second process
(``while_waiting``; ``retro run`` offers the imports of its later stages): it runs once, only
when the stage waits, changes no result, and a failing offer stops nothing."""

from __future__ import annotations

import importlib
import sys

import pytest

from analysis.clean import two_process
from analysis.clean.stage import clean_study
from analysis.clean.while_waiting import offered, run_offered
from analysis.run.later_imports import LATER_STAGES, import_later_stages
from analysis.studyfile.config import StudyConfig


def test_an_offer_runs_once_and_is_withdrawn_at_the_end_of_its_block():
    calls: list[str] = []
    with offered(lambda: calls.append("a"), lambda: calls.append("b")):
        assert run_offered() == 2
        assert run_offered() == 0  # once
    assert calls == ["a", "b"]
    with offered(lambda: calls.append("late")):
        pass
    assert run_offered() == 0 and calls == ["a", "b"]  # never waited: withdrawn


def test_a_failing_offer_stops_neither_the_others_nor_the_caller():
    calls: list[str] = []

    def broken() -> None:
        raise ImportError("no such module")

    with offered(broken, lambda: calls.append("after")):
        assert run_offered() == 2
    assert calls == ["after"]


def _clean(mini_study, monkeypatch, workers: str):
    monkeypatch.setenv(two_process.ENV, workers)
    monkeypatch.setattr(two_process, "cores", lambda: 2)
    calls: list[int] = []
    with offered(lambda: calls.append(1)):
        result = clean_study(StudyConfig.load(mini_study()))
    return result, calls


def test_the_stage_runs_offers_only_when_it_waits_on_a_second_process(mini_study, monkeypatch):
    alone, calls_alone = _clean(mini_study, monkeypatch, "1")
    shared, calls_shared = _clean(mini_study, monkeypatch, "2")
    assert calls_alone == [] and calls_shared == [1]
    assert alone.accounting().equals(shared.accounting())


def test_the_later_stages_import_every_module_of_their_packages(monkeypatch):
    names = import_later_stages()
    for package in LATER_STAGES:
        assert any(n.startswith(package + ".") for n in names), package
    assert "analysis.tables.study_tables" in names and "analysis.report.pdf" in names
    assert all(n in sys.modules for n in names)
    # a module that cannot be imported fails the offer in silence: the stage imports it again
    monkeypatch.setattr(importlib, "import_module", _refuse)
    with offered(import_later_stages):
        assert run_offered() == 1
    with pytest.raises(ImportError, match="cannot import analysis.stats"):
        import_later_stages()


def _refuse(name: str):
    raise ImportError(f"cannot import {name}")
