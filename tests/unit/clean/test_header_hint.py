"""Headers not found because the file uses another delimiter than the one declared: the error
says which delimiter splits the header into the wanted names (a CSV re-saved with commas was
told "Fix `sources[...].columns`", though the columns were right)."""

from __future__ import annotations

from analysis.clean.header_hint import header_hint, header_row_hint
from analysis.clean.header_row import find_header_row


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


def test_a_header_split_at_a_comma_inside_a_name_gets_the_delimiter_too(reference_config):
    # a ';' file whose header holds "weight, kg", no delimiter declared: the sniffer took ',' and
    # split the header into two columns; the error named them but not the delimiter
    source = _source(reference_config, "centre_b_assessments").model_copy(
        update={"delimiter": None}
    )
    wanted = {"NHC", "Fecha", "weight, kg"}
    columns = ["NHC;Fecha;weight", "kg"]  # the header as the sniffed ',' split it, trimmed
    hint = header_hint(source, columns, set(wanted))
    assert hint == (
        "The header holds every wanted name separated by ';': set `delimiter: ';'` for source "
        "'centre_b_assessments' (none declared)."
    )


def test_other_missing_headers_point_to_the_column_mapping(reference_config):
    source = _source(reference_config, "centre_b_assessments")
    wanted = set(source.headers(None).values())
    hint = header_hint(source, ["NHC", "Fecha", "Resultado"], wanted)
    assert hint.startswith("Fix `sources[centre_b_assessments].columns`")


def test_no_header_row_is_suggested_when_the_header_is_where_declared(reference_config):
    """Every shipped source's header is on its first row: no other row is named, and the search
    finds row 1 when told the header is elsewhere (so the files were read)."""
    searched = 0
    for source in reference_config.sources:
        wanted = {h for h in source.headers(None).values() if "{i}" not in h}
        assert header_row_hint(reference_config, source, wanted) == "", source.name
        if source.inferred_format in ("csv", "xlsx"):
            where = {"sheet": source.sheet, "encoding": source.encoding}
            path = reference_config.source_path(source)
            fmt = source.inferred_format
            found = find_header_row(path, fmt=fmt, wanted=wanted, header_row=2, **where)
            assert found == 1, source.name
            searched += 1
    assert searched >= 3
