"""The per-table read and validate work shared with a second process (``two_process``): the
same result as one process to the value, dtype, attrs and log order; the same error first."""

from __future__ import annotations

import pickle

import pandas as pd
import pytest

from analysis.clean import dedupe_tables, per_table, second_process, two_process
from analysis.clean.stage import CleanResult, clean_study
from analysis.errors import (
    ConfigError,
    PipelineError,
    RetroError,
    SourceError,
    UnmappedValuesError,
)
from analysis.stats._km import SurvivalInputError
from analysis.studyfile.config import StudyConfig
from tests.conftest import MINI_FILES, MINI_YAML

# Messy records in several tables: excluded and audit rows from reading and from validating.
MESSY = {
    "patients.csv": MINI_FILES["patients.csv"].rstrip()
    + "\n        P5,F,230,HN III,2021-02-01,no,,\n        ,F,40,HN III,2021-02-01,no,,\n",
    "sessions.csv": MINI_FILES["sessions.csv"].rstrip()
    + "\n        P2,not a date,0.1\n        ,2020-05-01,0.1\n        P3,2020-06-01,lots\n",
    "aes.csv": MINI_FILES["aes.csv"].rstrip() + "\n        P4,2020-03-02,itchy,mild,no\n",
    "assess.csv": MINI_FILES["assess.csv"].rstrip() + "\n        P3,2021-13-45,stable\n",
}
EXCLUDE = "cleaning: {on_unmapped: exclude}\n"


def _serial(monkeypatch: pytest.MonkeyPatch, config: StudyConfig, **kw) -> CleanResult:
    monkeypatch.setenv(two_process.ENV, "1")
    return clean_study(config, **kw)


def _parallel(monkeypatch: pytest.MonkeyPatch, config: StudyConfig, **kw) -> CleanResult:
    """Over the threshold (lowered to 0 bytes, two cores), as ``auto`` decides."""
    monkeypatch.delenv(two_process.ENV, raising=False)
    monkeypatch.setattr(two_process, "MIN_BYTES", 0)
    monkeypatch.setattr(two_process, "cores", lambda: 2)
    return clean_study(config, **kw)


def _assert_same(a: CleanResult, b: CleanResult) -> None:
    assert a.tables.keys() == b.tables.keys()
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], check_exact=True)
        assert a.tables[name].attrs == b.tables[name].attrs, name
    for field in ("exclusions", "audit", "flow", "raw_counts", "conflicts"):
        left, right = getattr(a, field), getattr(b, field)
        pd.testing.assert_frame_equal(left, right, check_exact=True)  # row order included
        assert left.attrs == right.attrs
    assert a.warnings == b.warnings
    pd.testing.assert_frame_equal(a.accounting(), b.accounting())


def test_two_processes_give_what_one_gives_on_a_messy_study(mini_study, monkeypatch):
    config = StudyConfig.load(mini_study(files=MESSY, yaml=MINI_YAML + EXCLUDE))
    said: list[str] = []
    shared = _parallel(monkeypatch, config, progress=said.append)
    theirs = two_process.plan(config, 0)[1]
    one = _serial(monkeypatch, config)
    _assert_same(one, shared)
    # messy: records excluded and values set missing in both processes, reading and validating
    assert theirs == ["patients", "concomitant", "assessments"], theirs
    logged = set(one.exclusions["table"] + ":" + one.exclusions["step"])
    assert {"patients:missing", "assessments:parse", "exposures:parse"} <= logged, logged
    assert {"patients", "exposures"} <= set(one.audit["table"])
    second = [m for m in said if m.endswith("(in the second process)")]
    assert any(m.startswith("reading ") for m in second)
    assert any(m.startswith("validating ") for m in second)
    assert sum(m.startswith("validated ") for m in said) == 5


def test_two_processes_give_what_one_gives_on_the_reference_twin(
    reference_config, reference_clean, monkeypatch
):
    _assert_same(reference_clean, _parallel(monkeypatch, reference_config))


def test_the_plan_puts_the_largest_table_in_the_second_process(mini_study, monkeypatch):
    big = "id,date,dose\n" + "".join(f"P1,2020-01-{d:02d},0.1\n" for d in range(1, 29)) * 50
    config = StudyConfig.load(mini_study(files={"sessions.csv": big}))
    monkeypatch.delenv(two_process.ENV, raising=False)
    monkeypatch.setattr(two_process, "cores", lambda: 2)
    sizes = two_process.table_bytes(config)
    assert max(sizes, key=lambda t: sizes[t]) == "exposures"
    total = sum(sizes.values())
    assert two_process.plan(config, total + 1) == (list(per_table_order()), [])
    mine, theirs = two_process.plan(config, total)
    assert theirs == ["exposures"] and "exposures" not in mine and len(mine) == 4
    monkeypatch.setattr(two_process, "cores", lambda: 1)
    assert two_process.plan(config, 0)[1] == []  # one core: all here
    monkeypatch.setenv(two_process.ENV, "2")
    assert two_process.plan(config, total + 1)[1] == ["exposures"]  # forced, whatever the size
    monkeypatch.setenv(two_process.ENV, "1")
    assert two_process.plan(config, 0)[1] == []
    monkeypatch.setenv(two_process.ENV, "3")
    with pytest.raises(ConfigError, match="RETRO_CLEAN_WORKERS='3'"):
        two_process.plan(config, 0)


def per_table_order() -> list[str]:
    from analysis.clean.columns import TABLES_ORDER

    return TABLES_ORDER


def _split(monkeypatch: pytest.MonkeyPatch, theirs: list[str]) -> None:
    """The tables ``theirs`` done in the second process, the others here."""
    mine = [t for t in per_table_order() if t not in theirs]
    monkeypatch.setattr(two_process, "plan", lambda config, min_bytes: (mine, theirs))


NO_DATE = {"sessions.csv": "id,dose\nP1,0.1\n"}  # exposures: a mapped column missing
NO_TERM = {"aes.csv": "id,onset,severity,serious\nP1,2020-01-11,mild,no\n"}
NO_SEX = {"patients.csv": "id,age,grade,last_visit,discontinued,disc_date,disc_reason\n"}


@pytest.mark.parametrize(
    "theirs",
    [["exposures"], ["adverse_events"], ["exposures", "adverse_events"], ["patients"]],
)
def test_of_two_tables_failing_to_read_the_first_in_order_is_raised(
    mini_study, monkeypatch, theirs
):
    config = StudyConfig.load(mini_study(files={**NO_DATE, **NO_TERM}))
    with pytest.raises(SourceError) as one:
        _serial(monkeypatch, config)
    assert "sessions.csv" in str(one.value)
    _split(monkeypatch, theirs)
    monkeypatch.setenv(two_process.ENV, "2")
    with pytest.raises(SourceError) as shared:
        clean_study(config)
    assert str(shared.value) == str(one.value)


def test_a_read_failure_comes_before_the_id_checks_and_those_before_validation(
    mini_study, monkeypatch
):
    """Serial order: every read, then the id and label checks, then the validations."""
    orphans = {"assess.csv": "id,date,grade\nQ8,2021-01-08,stable\nQ9,2021-01-20,stable\n"}
    _split(monkeypatch, ["exposures"])
    monkeypatch.setenv(two_process.ENV, "2")
    config = StudyConfig.load(mini_study(files={**orphans, **NO_TERM}))
    with pytest.raises(SourceError, match="aes.csv"):
        clean_study(config)
    config = StudyConfig.load(mini_study(files={**orphans, "aes.csv": MINI_FILES["aes.csv"]}))
    with pytest.raises(SourceError) as shared:
        clean_study(config)
    with pytest.raises(SourceError) as one:
        _serial(monkeypatch, config)
    assert str(shared.value) == str(one.value) and "assess.csv" in str(one.value)


def test_a_worker_exception_comes_back_with_its_traceback(mini_study, monkeypatch):
    """An unexpected error in the second process: raised here, the child's traceback as its
    cause (what --debug shows and retro-error.log holds). Validation failures in two tables:
    the first in order, although the other was raised here earlier."""
    config = StudyConfig.load(mini_study())
    _exposures_fail_in_the_second_process(monkeypatch)
    _fail_validating(monkeypatch, "concomitant", "concomitant went wrong")
    _split(monkeypatch, ["exposures"])
    monkeypatch.setenv(two_process.ENV, "2")
    with pytest.raises(KeyError, match="exposures went wrong") as caught:
        clean_study(config)
    cause = caught.value.__cause__
    assert isinstance(cause, second_process.ChildTraceback)
    assert "in patched" in str(cause) and "KeyError" in str(cause)
    import traceback

    text = "".join(traceback.format_exception(caught.value))
    assert "the second process of the clean stage" in text and "in patched" in text


# Conflicting and exact duplicate patients, a patient excluded (an unmapped sex: P6), orphans
# in every child table.
DUPLICATES = {
    **MESSY,
    "patients.csv": MESSY["patients.csv"].rstrip()
    + "\n        P4,F,33,HN IV,2021-02-01,no,,\n        P1,F,55,Ludwig I,2021-01-10,no,,\n"
    + "        P6,xyz,50,HN III,2021-02-01,no,,\n"
    # compared after reading: P2 lacking its sex (merged), P3 lacking its last visit and of
    # another sex (a conflict); P7 with a record of a label no vocabulary covers (a conflict)
    + "        P2,,40,HN III,2021-03-01,yes,2020-12-01,cost\n"
    + "        P3,M,61,Ludwig II,,no,,\n"
    + "        P7,F,45,HN III,2021-02-01,no,,\n        P7,qq,45,HN III,2021-02-01,no,,\n",
    "sessions.csv": MESSY["sessions.csv"].rstrip()
    + "\n        P9,2020-01-10,0.1\n        P1,2020-01-10,0.1\n        P4,2020-03-01,0.1\n"
    + "        P6,2020-02-01,0.1\n",
    "aes.csv": MESSY["aes.csv"].rstrip() + "\n        P9,2020-01-11,pain,mild,no\n",
    "conc.csv": MINI_FILES["conc.csv"].rstrip() + "\n        P9,biotin,2020-01-01,\n",
    "assess.csv": MESSY["assess.csv"].rstrip() + "\n        P5,2021-01-25,stable\n",
}


@pytest.mark.parametrize(
    "theirs",
    [["exposures"], ["adverse_events", "assessments"], ["exposures", "concomitant"], ["patients"]],
)
@pytest.mark.parametrize("keys", [True, False], ids=["by key", "by id"])
def test_what_is_de_duplicated_while_waiting_gives_what_one_process_gives(
    mini_study, monkeypatch, theirs, keys
):
    """The patients and this process's tables de-duplicated while the second process validates
    the others: the same tables, logs (in order), flow and conflicts as in one process."""
    config = StudyConfig.load(
        mini_study(
            files=DUPLICATES,
            yaml=MINI_YAML + "cleaning: {on_unmapped: exclude, max_orphan_fraction: 1}\n",
        )
    )
    if not keys:
        monkeypatch.setattr(dedupe_tables, "patient_keys", lambda patients: None)
    one = _serial(monkeypatch, config)
    steps = one.exclusions["step"] + ":" + one.exclusions["reason"].str[:30]
    assert len(one.conflicts) and {"orphan", "duplicate", "patient_excluded"} <= set(
        one.exclusions["step"]
    ), steps.value_counts()
    assert one.exclusions["reason"].str.startswith("patient excluded at step 'vocabulary'").any()
    assert set(one.conflicts["patient_id"]) == {"P3", "P4", "P7"}
    assert "P2" in set(one.patients["patient_id"])
    early: list[list[str]] = []
    real = dedupe_tables.early

    def spy(excluded, valid, config, lookups):
        early.append(list(valid))
        return real(excluded, valid, config, lookups)

    monkeypatch.setattr(dedupe_tables, "early", spy)
    _split(monkeypatch, theirs)
    _assert_same(one, clean_study(config))
    assert early == [[t for t in per_table_order() if t not in theirs]]


def test_an_error_of_the_work_while_waiting_comes_after_the_second_process_errors(
    mini_study, monkeypatch
):
    config = StudyConfig.load(mini_study())

    def fail(excluded, valid, config, lookups):
        raise RuntimeError("de-duplication went wrong")

    monkeypatch.setattr(dedupe_tables, "early", fail)
    _split(monkeypatch, ["exposures"])
    with pytest.raises(RuntimeError, match="de-duplication went wrong"):
        clean_study(config)
    _exposures_fail_in_the_second_process(monkeypatch)
    with pytest.raises(KeyError, match="exposures went wrong"):  # one process: this first
        clean_study(config)


def test_a_worker_that_dies_gives_a_pipeline_error_saying_how_to_run_in_one_process(
    mini_study, monkeypatch
):
    config = StudyConfig.load(mini_study())
    monkeypatch.setattr(second_process, "_BOOT", "import os, signal; os.kill(os.getpid(), 9)")
    monkeypatch.setenv(two_process.ENV, "2")
    with pytest.raises(PipelineError) as caught:
        clean_study(config)
    message = str(caught.value)
    assert "killed by signal 9" in message and "memory" in message
    assert "RETRO_CLEAN_WORKERS=1" in message


def _all_errors() -> list[BaseException]:
    table = pd.DataFrame({"column": ["sex"], "value": ["x"], "count": [1]})
    return [
        ConfigError("bad study"),
        SourceError("bad file raw/a.csv, column 'x' missing"),
        PipelineError("stage 'clean': bad"),
        UnmappedValuesError("unmapped 'x'", table),
        SurvivalInputError("bad times"),
        RetroError("base"),
    ]


@pytest.mark.parametrize("error", _all_errors(), ids=lambda e: type(e).__name__)
def test_the_errors_survive_pickling_with_their_message_and_fields(error):
    back = pickle.loads(pickle.dumps(error, protocol=5))
    assert type(back) is type(error) and str(back) == str(error) and back.args == error.args
    assert back.__dict__.keys() == error.__dict__.keys()
    if isinstance(error, UnmappedValuesError):
        pd.testing.assert_frame_equal(back.table, error.table)


def test_an_exception_that_does_not_pickle_becomes_a_pipeline_error():
    class Odd(Exception):
        def __init__(self, a, b):
            super().__init__(f"{a}/{b}")

    failure = per_table.Failure("exposures", "validate", Odd(1, 2), "Traceback ...")
    portable = second_process._portable(failure)
    back = pickle.loads(pickle.dumps(portable.error))
    assert isinstance(back, PipelineError) and "Odd: 1/2" in str(back)
    assert portable.trace == "Traceback ..."


def test_study_config_pickles(reference_config):
    back = pickle.loads(pickle.dumps(reference_config, protocol=5))
    assert back == reference_config and back.raw_dir == reference_config.raw_dir


def test_run_tables_stops_after_a_read_failure_and_only_reads_after_a_validation_failure(
    mini_study, monkeypatch
):
    config = StudyConfig.load(mini_study(files=NO_TERM))
    _fail_validating(monkeypatch, "patients", "patients")
    tables = ["patients", "exposures", "adverse_events", "assessments"]
    parts = list(per_table.run_tables(config, tables, _Quiet()))
    kinds = [(type(p).__name__, p.table) for p in parts]
    assert kinds == [
        ("ReadTable", "patients"),
        ("Failure", "patients"),
        ("ReadTable", "exposures"),  # only read: a validation failed before
        ("Failure", "adverse_events"),  # a read failure: nothing after it
    ]
    assert parts[1].phase == "validate" and parts[3].phase == "read"
    assert "Traceback" in parts[1].trace and parts[0].data is None


class _Quiet:
    def say(self, message: str) -> None: ...
    def read(self, table: str, rows: int) -> None: ...
    def validated(self, table: str, rows: int) -> None: ...


def _same_frame(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert a.attrs == b.attrs and list(a.dtypes) == list(b.dtypes)


def test_what_the_second_process_sends_equals_what_is_made_here(mini_study):
    """Every part (reads: counts, ids, unmapped labels, logs; validated tables and their
    logs) arrives with the same values, dtypes, index and attrs."""
    config = StudyConfig.load(mini_study(files=MESSY, yaml=MINI_YAML + EXCLUDE))
    tables = per_table_order()
    here = second_process.Parts()
    for part in per_table.run_tables(config, tables, _Quiet()):
        here.add(part)
    with second_process.Worker(config, tables, second_process.Shared(_Quiet())) as worker:
        there = worker.wait(lambda parts: parts.valid_known(tables))
    assert not here.failures and not there.failures
    for table in tables:
        mine, theirs = here.reads[table], there.reads[table]
        assert theirs.data is None
        for name in ("counts", "ids", "unmapped"):
            _same_frame(getattr(mine, name), getattr(theirs, name))
        for a, b in zip(
            [*mine.logs.excluded, *mine.logs.audit, here.valid[table].data],
            [*theirs.logs.excluded, *theirs.logs.audit, there.valid[table].data],
            strict=True,
        ):
            _same_frame(a, b)
        valid_mine, valid_theirs = here.valid[table].logs, there.valid[table].logs
        for a, b in zip(
            [*valid_mine.excluded, *valid_mine.audit],
            [*valid_theirs.excluded, *valid_theirs.audit],
            strict=True,
        ):
            _same_frame(a, b)
    assert here.valid["exposures"].data.attrs  # the frames do carry attrs across


def test_a_warning_in_the_second_process_is_issued_here(mini_study, monkeypatch):
    config = StudyConfig.load(mini_study())
    _second_process_validates_after(monkeypatch, "warnings.warn('odd values', FutureWarning)")
    _split(monkeypatch, ["exposures"])
    monkeypatch.setenv(two_process.ENV, "2")
    with pytest.warns(FutureWarning, match=r"odd values \(in the second process\)"):
        clean_study(config)


def test_parts_that_cannot_be_read_here_stop_the_second_process(mini_study, monkeypatch):
    """No hang: the second process may be waiting to write when this one cannot read."""

    def no_room(self, part):
        raise MemoryError("no room for the part")

    monkeypatch.setattr(second_process.Worker, "_keep", no_room)
    monkeypatch.setenv(two_process.ENV, "2")
    with pytest.raises(PipelineError, match="could not be read in this process") as caught:
        clean_study(StudyConfig.load(mini_study()))
    assert "MemoryError: no room for the part" in str(caught.value.__cause__)
    assert "RETRO_CLEAN_WORKERS=1" in str(caught.value)


def _second_process_validates_after(monkeypatch, statement: str) -> None:
    """The second process runs ``statement`` (one line; ``read`` is the table read) before it
    validates each table: code put in its boot script, after ``sys.path`` is set."""
    code = (
        "import warnings, analysis.clean.per_table as p; v = p.validate_phase\n"
        "def patched(config, read, pace):\n"
        f"    {statement}\n"
        "    return v(config, read, pace)\n"
        "p.validate_phase = patched\n"
    )
    boot = second_process._BOOT.replace("; ", "\n")
    at = boot.index("from analysis.clean.second_process import work")
    monkeypatch.setattr(second_process, "_BOOT", boot[:at] + code + boot[at:])


def _exposures_fail_in_the_second_process(monkeypatch) -> None:
    """Validating the exposures in the second process raises ``KeyError('exposures went
    wrong')``."""
    statement = "if read.table == 'exposures': raise KeyError('exposures went wrong')"
    _second_process_validates_after(monkeypatch, statement)


def _fail_validating(monkeypatch, table: str, message: str) -> None:
    """Validating ``table`` in this process raises ``ValueError(message)``."""
    original = per_table.validate_phase

    def fail(config, read, pace):
        if read.table == table:
            raise ValueError(message)
        return original(config, read, pace)

    monkeypatch.setattr(per_table, "validate_phase", fail)
