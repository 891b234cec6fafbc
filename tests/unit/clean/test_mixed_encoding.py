"""A file whose lines are in two encodings is refused, naming the lines of each: a probe's
Latin-1 file with three UTF-8 lines lost three pain events as "control character U+0093"
(exit 0); a UTF-8 file with one Latin-1 line was read whole as Windows-1252 and the error asked
for the garbled header 'DuraciÃ³n' in the study file."""

from __future__ import annotations

import pytest

from analysis.clean.decode import decode_text
from analysis.errors import SourceError

LATIN = "NHC;Duración;Acción\nHB-1;2;suspensión\nHB-2;1;ninguna\n"
UTF8_LINE = "HB-3;1;INYECCIÓN\n"  # "Ó" in UTF-8 holds 0x93, a C1 control in Latin-1


@pytest.mark.parametrize("declared", ["latin-1", "cp1252", None])
def test_utf8_lines_in_a_latin_1_file_are_named(tmp_path, declared):
    path = tmp_path / "efectos.csv"
    path.write_bytes(LATIN.encode("latin-1") + UTF8_LINE.encode("utf-8"))
    with pytest.raises(SourceError) as exc:
        decode_text(path, declared)
    text = str(exc.value)
    assert (
        "mixes two encodings line by line: line 4 is UTF-8 (line 4 reads 'HB-3;1;INYECCIÓN')"
        in text
    )
    assert "lines 1, 2 are not UTF-8 but one-byte text" in text
    assert "(line 1 reads 'NHC;Duración;Acción')" in text
    assert "re-type the accented letters of the 1 UTF-8 line(s)" in text
    if declared:
        assert f"declared `encoding: {declared}`, but it mixes" in text


def test_a_latin_1_line_in_a_utf8_file_is_named(tmp_path):
    path = tmp_path / "efectos.csv"
    body = "".join(f"HB-{i};1;inyección\n" for i in range(5, 80))
    path.write_bytes(("NHC;Duración;Acción\n" + body).encode() + b"HB-99;2;inflamaci\xf3n\n")
    with pytest.raises(SourceError) as exc:
        decode_text(path, None)
    text = str(exc.value)
    assert "lines 1, 2, 3, 4, 5 and 71 more (76 lines) are UTF-8" in text
    assert "line 77 is not UTF-8 but one-byte text" in text
    assert "(line 77 reads 'HB-99;2;inflamación')" in text
    assert "convert the 1 line(s) that are not UTF-8 to UTF-8" in text
    with pytest.raises(SourceError, match="line 77 is not UTF-8"):
        decode_text(path, "utf-8")


@pytest.mark.parametrize("codec", ["utf-8", "cp1252"])
def test_a_file_in_one_encoding_reads(tmp_path, codec):
    path = tmp_path / "efectos.csv"
    path.write_bytes((LATIN + "HB-3;1;INYECCIÓN – leve\n").encode(codec))
    assert decode_text(path, None) == (
        LATIN + "HB-3;1;INYECCIÓN – leve\n",
        codec + "-sig" * (codec == "utf-8"),
    )
    path.write_bytes((LATIN + "HB-3;1;INYECCIÓN\n").encode("latin-1"))
    assert decode_text(path, "latin-1")[0].endswith("INYECCIÓN\n")
