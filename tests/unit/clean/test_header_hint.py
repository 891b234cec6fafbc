"""Headers not found because the file uses another delimiter than the one declared: the error
says which delimiter splits the header into the wanted names (a CSV re-saved with commas was
told "Fix `sources[...].columns`", though the columns were right)."""

from __future__ import annotations

from analysis.clean.header_hint import header_hint


def _source(reference_config, name):
    return next(s for s in reference_config.sources if s.name == name)


def test_the_delimiter_that_splits_the_header_is_named(reference_config):
    source = _source(reference_config, "centre_b_assessments")
    wanted = set(source.headers(None).values())
    hint = header_hint(source, [",".join(sorted(wanted))], wanted)
    assert hint == (
        "The header holds every wanted name separated by ',': set `delimiter: ','` for source "
        "'centre_b_assessments' (declared: ';')."
    )


def test_other_missing_headers_point_to_the_column_mapping(reference_config):
    source = _source(reference_config, "centre_b_assessments")
    wanted = set(source.headers(None).values())
    hint = header_hint(source, ["NHC", "Fecha", "Resultado"], wanted)
    assert hint.startswith("Fix `sources[centre_b_assessments].columns`")
