"""A table from the Parquet files ``retro clean`` writes equals the table from the same frames:
the declared levels (categories) travel in the files, so the reference group of a risk
difference, the terms no subject has (zero rows) and the order of the groups are the same."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.clean.outputs import write_clean_outputs
from analysis.tables.adverse_events import ae_incidence
from analysis.tables.ae_detail import ae_by_exposure, ae_duration
from analysis.tables.ae_severity import ae_severity

BY = ["therapy_group"]

TABLES = {
    "ae_incidence": lambda p, ae, x: ae_incidence(p, ae, by=BY),
    "ae_incidence by sex x therapy": lambda p, ae, x: ae_incidence(
        p, ae, by=["sex", "therapy_group"], category="ae_category"
    ),
    "ae_severity": lambda p, ae, x: ae_severity(p, ae, by=BY),
    "ae_by_exposure": lambda p, ae, x: ae_by_exposure(ae, x),
    "ae_duration": lambda p, ae, x: ae_duration(ae),
}


@pytest.fixture(scope="module")
def processed(reference_clean, reference_config, tmp_path_factory):
    """The frames of the cleaned shipped study and the Parquet files the clean stage wrote."""
    out = tmp_path_factory.mktemp("processed")
    write_clean_outputs(reference_clean, reference_config, out)
    tables = reference_clean.tables
    events = tables["adverse_events"]
    if "ae_category" not in events.columns:  # the category of a term, as a column of its own
        events = events.assign(ae_category=events["ae_term"].astype(str).str[:1])
        events.to_parquet(out / "adverse_events.parquet")
    frames = (tables["patients"], events, tables["exposures"])
    paths = tuple(str(out / f"{n}.parquet") for n in ("patients", "adverse_events", "exposures"))
    return frames, paths


@pytest.mark.parametrize("kind", TABLES)
def test_parquet_paths_give_the_frames_ard(processed, kind):
    frames, paths = processed
    from_frames = TABLES[kind](*frames).frame
    from_paths = TABLES[kind](*paths).frame
    pd.testing.assert_frame_equal(from_paths, from_frames, obj=kind)


def test_the_reference_is_the_declared_first_level(processed):
    """The risk difference of pain is combined minus monotherapy (the declared order), and the
    two terms no patient has are rows of zeros, from the files as from the frames."""
    _, paths = processed
    frame = ae_incidence(*paths[:2], by=BY).frame
    rd = frame.loc[(frame["context"] == "risk_difference") & (frame["level"] == "pain")]
    assert set(rd["group"]) == {"therapy_group=combined vs monotherapy"}
    n = frame.loc[(frame["stat"] == "n") & (frame["group"] == "overall")].set_index("level")
    assert n.loc[["decreased libido", "erectile dysfunction"], "value"].tolist() == [0.0, 0.0]
