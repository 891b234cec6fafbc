"""A SAS transport file cut short is refused, not read as fewer records (``xport_whole``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from analysis.clean.read import read_raw
from analysis.clean.xport_whole import refuse_cut_xport
from analysis.errors import SourceError


def _xpt(path: Path, n: int = 40, version: int = 5) -> bytes:
    """A transport file of ``n`` observations of 6 + 8 + 3 = 17 bytes; its bytes."""
    frame = pd.DataFrame(
        {
            "NHC": [f"P-{i:04d}" for i in range(n)],
            "EDAD": [float(20 + i) for i in range(n)],
            "GRADO": ["III"] * n,
        }
    )
    pyreadstat.write_xport(frame, str(path), file_format_version=version)
    return path.read_bytes()


@pytest.mark.parametrize("version", [5, 8])
def test_a_whole_transport_file_is_read(tmp_path, version):
    _xpt(tmp_path / "p.xpt", version=version)
    refuse_cut_xport(tmp_path / "p.xpt")
    assert len(read_raw(tmp_path / "p.xpt", fmt="sas")) == 40


@pytest.mark.parametrize("version", [5, 8])
def test_a_transport_file_cut_inside_a_card_is_refused(tmp_path, version):
    whole = _xpt(tmp_path / "p.xpt", version=version)
    (tmp_path / "p.xpt").write_bytes(whole[:-33])
    with pytest.raises(SourceError) as err:
        read_raw(tmp_path / "p.xpt", fmt="sas")
    said = str(err.value)
    assert "p.xpt: the SAS transport file is cut short" in said
    assert f"it is {len(whole) - 33} bytes, not a whole number of its 80-byte records" in said
    assert "Export it again from SAS" in said


def test_a_transport_file_cut_on_a_card_inside_an_observation_is_refused(tmp_path):
    # 40 observations of 17 bytes: 680 bytes, 9 cards (720) with 40 blanks of padding; cut
    # 2 cards: 560 bytes hold 32 observations and 16 bytes of the 33rd
    whole = _xpt(tmp_path / "p.xpt")
    (tmp_path / "p.xpt").write_bytes(whole[:-160])
    with pytest.raises(SourceError) as err:
        read_raw(tmp_path / "p.xpt", fmt="sas")
    assert (
        "data set 1 ends inside an observation (after 32 whole observation(s) of 17 bytes "
        "come 16 bytes of a part of one" in str(err.value)
    )


def test_a_version_8_file_holding_fewer_observations_than_it_declares_is_refused(tmp_path):
    # cut where a card and an observation both end (17 * 80 bytes = 80 observations):
    # version 5 cannot tell; version 8 declares its count
    whole = _xpt(tmp_path / "p.xpt", n=160, version=8)
    (tmp_path / "p.xpt").write_bytes(whole[: len(whole) - 17 * 80])
    with pytest.raises(SourceError) as err:
        read_raw(tmp_path / "p.xpt", fmt="sas")
    assert "data set 1 declares 160 observation(s) but holds 80. Export it again" in str(err.value)


def test_a_file_that_is_not_a_transport_file_is_left_to_the_reader(tmp_path):
    (tmp_path / "p.xpt").write_bytes(b"not a transport file at all")
    refuse_cut_xport(tmp_path / "p.xpt")
    with pytest.raises(SourceError, match="cannot be read as SAS"):
        read_raw(tmp_path / "p.xpt", fmt="sas")
