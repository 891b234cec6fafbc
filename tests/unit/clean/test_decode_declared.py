"""A file whose bytes contradict its declared one-byte encoding is named, not read: a
Windows-1252 export declared ``encoding: latin-1`` (as the shipped study declares its centre B)
had its en dashes and curly quotes read as control characters, its records excluded as
"unreadable: control character U+0096"; a UTF-16 file with its byte-order mark declared
latin-1 was reported as missing its columns."""

from __future__ import annotations

import pytest

from analysis.clean.decode import decode_text
from analysis.errors import SourceError


def test_windows_1252_declared_latin_1_is_named(tmp_path):
    path = tmp_path / "efectos.csv"
    path.write_bytes("NHC;Efecto\nHB-1;dolor – leve\n".encode("cp1252"))
    with pytest.raises(SourceError) as exc:
        decode_text(path, "latin-1")
    text = str(exc.value)
    assert "declared `encoding: latin-1` but line 2 holds byte 0x96" in text
    assert "'–' in Windows-1252 (the line reads 'HB-1;dolor – leve')" in text
    assert "Set `encoding: cp1252` for this source" in text
    assert decode_text(path, "cp1252")[0].endswith("dolor – leve\n")
    assert decode_text(path, None) == ("NHC;Efecto\nHB-1;dolor – leve\n", "cp1252")


def test_latin_1_text_without_those_bytes_reads_as_declared(tmp_path):
    path = tmp_path / "pacientes.csv"
    path.write_bytes("NHC;Acción\nHB-1;suspensión\n".encode("latin-1"))
    assert decode_text(path, "latin-1")[0] == "NHC;Acción\nHB-1;suspensión\n"


def test_utf8_declared_latin_1_is_named_at_its_first_accent(tmp_path):
    path = tmp_path / "pacientes.csv"
    path.write_bytes("NHC;Sexo\nHB-1;M\nHB-2;Mujer joven\nHB-3;Var\u00f3n\n".encode("utf-8"))
    with pytest.raises(SourceError) as exc:
        decode_text(path, "latin-1")
    text = str(exc.value)
    assert "declared `encoding: latin-1` but the file is UTF-8 (line 4 would read" in text
    assert "'HB-3;Varón'" in text and "Set `encoding: utf-8`" in text


def test_a_c1_byte_far_into_a_large_file_is_found(tmp_path):
    """Both checks search the bytes with the regular-expression engine (a Python loop over the
    bytes of a registry's export took seconds); the line is still named exactly."""
    path = tmp_path / "efectos.csv"
    path.write_bytes(
        ("NHC;Efecto\n" + "HB-1;leve\n" * 200_000 + "HB-2;a \u2013 b\n").encode("cp1252")
    )
    with pytest.raises(SourceError, match="but line 200002 holds byte 0x96"):
        decode_text(path, "latin-1")


@pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
def test_a_byte_order_mark_contradicting_the_declaration_is_named(tmp_path, codec):
    path = tmp_path / "pacientes.csv"
    path.write_bytes("NHC\tEdad\nHB-1\t45\n".encode(codec))
    with pytest.raises(SourceError, match=rf"byte-order mark: it is {codec.upper()} text\. Set "):
        decode_text(path, "latin-1")
    assert decode_text(path, codec)[0] == "NHC\tEdad\nHB-1\t45\n"
