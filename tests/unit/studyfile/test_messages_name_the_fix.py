"""Errors of the study file say how to fix them: the closest key to a misspelt one, the form of
a date, a list where one mapping was written, and which source entry names a missing file or
sheet (pydantic's "Datetimes provided to dates should have zero time", a bare "Input should be
a valid list", a raw file's path with no source or line)."""

from __future__ import annotations

import pytest

from analysis.clean.stage import clean_study
from analysis.errors import ConfigError, SourceError
from tests.study_files import shipped_study_changed


def _refused(tmp_path, change) -> str:  # noqa: ANN001
    with pytest.raises(ConfigError) as err:
        shipped_study_changed(tmp_path, "dutasteride_mesotherapy", change)
    return str(err.value)


def test_an_unknown_key_gets_the_closest_known_one(tmp_path):
    said = _refused(tmp_path, lambda d: d["exposure"].update(min_interval_day=3))
    assert "unknown key `exposure.min_interval_day` (line " in said
    assert "(did you mean `min_interval_days`?)" in said


def test_the_closest_key_of_a_top_level_typo(tmp_path):
    assert "(did you mean `inclusion`?)" in _refused(tmp_path, lambda d: d.update(inclusions=[]))


@pytest.mark.parametrize("written", ["31/12/2021", 20211231])
def test_a_date_that_is_not_one_says_how_to_write_it(tmp_path, written):
    said = _refused(tmp_path, lambda d: d["study"].update(export_date=written))
    assert "`study.export_date` (line " in said
    assert "not a date; write it as YYYY-MM-DD, e.g. 2021-12-31" in said


def test_one_mapping_where_a_list_belongs_says_to_write_a_list(tmp_path):
    def change(d: dict) -> None:
        d["inclusion"][0]["where"] = d["inclusion"][0]["where"][0]

    said = _refused(tmp_path, change)
    assert "found one mapping (`key: value` pairs): write it as a list of one" in said


def test_a_missing_raw_file_names_its_source_entry_and_line(tmp_path):
    def change(d: dict) -> None:
        stem, dot, suffix = d["sources"][1]["file"].rpartition(".")
        d["sources"][1]["file"] = f"{stem}_missing{dot}{suffix}"

    config = shipped_study_changed(tmp_path, "dutasteride_mesotherapy", change)
    with pytest.raises(SourceError) as err:
        clean_study(config)
    assert str(err.value).startswith("raw file not found: ")
    assert "Check the file of source 'centre_a_sessions' (`sources[1].file`, line " in str(
        err.value
    )


def test_a_repeated_source_name_gives_the_line_of_the_second(tmp_path):
    def change(d: dict) -> None:
        d["sources"][2]["name"] = d["sources"][1]["name"]

    said = _refused(tmp_path, change)
    assert "(line " in said and "sources[2].name: 'centre_a_sessions' is already the name of " in (
        said
    )
    assert "(top level)" not in said
