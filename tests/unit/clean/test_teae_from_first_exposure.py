"""Treatment-emergent starts at the first exposure (the first dose, ICH E9 / CDISC ADaM
``TRTEMFL``), not at day 0 when ``exposure.day0`` names an earlier patient date. Before, with
day 0 the first visit, events between the first visit and the first session were
treatment-emergent without an exposure number: "any adverse event" 3 of 4 patients (75%) in the
incidence table, while the table by exposure number counted 1 (the two tables disagreed)."""

from __future__ import annotations

from pathlib import Path

from analysis.clean.stage import clean_study
from analysis.report.methods import definitions
from analysis.studyfile.config import StudyConfig
from analysis.tables.study_tables import table_builders

STUDY = """\
study: {name: s3, title: day0 probe, seed: 3, export_date: 2021-12-31}
paths: {raw: raw, processed: processed, reports: reports}
exposure: {kind: discrete, noun: session, day0: first_visit_date, teae_days_after_last: 30}
sources:
  - {name: pats, table: patients, file: patients.csv,
     columns: {patient_id: id, sex: sex, first_visit_date: first_visit,
               last_visit_date: last_visit}}
  - {name: ses, table: exposures, file: sessions.csv, columns: {patient_id: id, start_date: date}}
  - {name: ae, table: adverse_events, file: ae.csv,
     columns: {patient_id: id, onset_date: onset, ae_term: term}}
vocabularies:
  sex: {levels: [female, male], synonyms: {female: [F], male: [M]}}
  ae_term: {levels: [headache]}
analysis:
  tables:
    ae_incidence: {kind: ae_incidence}
    ae_by_exposure: {kind: ae_by_exposure}
"""


def _any_ae(frame):
    rows = frame.loc[(frame["stat"] == "n") & (frame["level"] == "any adverse event")]
    return rows["value"].tolist()


def test_events_before_the_first_exposure_are_not_treatment_emergent(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "patients.csv").write_text(
        "id,sex,first_visit,last_visit\n"
        + "".join(f"A{i},{s},2020-01-01,2021-01-15\n" for i, s in zip("1234", "FMFM", strict=True))
    )
    (raw / "sessions.csv").write_text(
        "id,date\nA1,2020-03-01\nA1,2020-06-01\nA2,2020-03-01\nA3,2020-03-01\nA4,2020-03-01\n"
    )
    (raw / "ae.csv").write_text(
        "id,onset,term\n"
        "A1,2020-02-01,headache\n"  # after day 0 (first visit), before the first session
        "A2,2020-02-15,headache\n"  # likewise
        "A3,2020-03-05,headache\n"  # 4 days after the first session: emergent
        "A4,2020-04-01,headache\n"  # 31 days after the last session: beyond the 30-day lag
    )
    (tmp_path / "studies").mkdir()
    (tmp_path / "studies" / "s3.yaml").write_text(STUDY)
    config = StudyConfig.load(tmp_path / "studies" / "s3.yaml")
    result = clean_study(config)
    events = result.tables["adverse_events"].sort_values("patient_id")
    assert events["is_teae"].tolist() == [False, False, True, False]
    assert events["days_from_day0"].tolist() == [31, 45, 64, 91]  # still from day 0
    assert result.patients.sort_values("patient_id")["has_teae"].tolist() == [
        False,
        False,
        True,
        False,
    ]
    tables = table_builders(config, result)
    incidence = tables["ae_incidence"]().frame
    by_exposure = tables["ae_by_exposure"]().frame
    assert _any_ae(incidence) == [1.0]  # 1 of 4 (25%), not 3 (75%)
    assert _any_ae(by_exposure) == [1.0]  # the two tables agree
    (sentence,) = [s for s in definitions(config) if "treatment-emergent" in s]
    assert sentence.startswith("Adverse events were treatment-emergent from the first session")
