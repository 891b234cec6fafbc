"""A dose written with words that change the dose or how often it is taken is left unread and
audited, never guessed (as the dose module promises): "1 mg dias alternados" (every other day)
was read as 1 mg 7 times a week, "2,5 mg/dia meio comprimido" as 2.5 mg, "-1 mg/dia" as +1 mg,
all without an audit row. "bid", "tid" and "qid" are read as 2, 3 and 4 times a day ("0,5 mg
bid" was 7 a week, audited only as "no frequency written")."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.clean.dose import parse_dose_text, read_dose


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1 mg dias alternados", "alternados"),
        ("1 mg en días alternos", "alternos"),
        ("1 mg every other day", "other"),
        ("1 mg/dia dia sim, dia não", "sim nao"),
        ("1 mg/dia seg a sex", "seg sex"),
        ("2,5 mg/dia meio comprimido", "meio comprimido"),
        ("1 mg/dia suspenso", "suspenso"),
        ("0,5 mg/kg/j", "kg"),  # per kilogram: not a dose in mg
    ],
)
def test_words_that_may_change_the_dose_leave_it_unread(text, words):
    assert read_dose(text, "day", ",") == (None, "words", words)


def test_a_negative_amount_is_not_a_dose():
    assert read_dose("-1 mg/dia", "day", ",")[:2] == (None, "form")
    assert read_dose("0,5-1 mg/dia", "day", ",")[:2] == (None, "form")  # a range, as before


@pytest.mark.parametrize(
    ("text", "per_week"),
    [
        ("0,5 mg bid", 14.0),
        ("1 mg tid", 21.0),
        ("1 mg qid", 28.0),
        ("0,5 mg/dia", 7.0),
        ("0,5MG 3X SEMANA", 3.0),
        ("1 mg una vez al día", 7.0),
        ("1 mg once daily", 7.0),
        ("1 mg/d vo", 7.0),
        # French, German and Italian prescriptions ("20 mg/j": par jour)
        ("20 mg/j", 7.0),
        ("0,5 mg/J", 7.0),
        ("10 mg quotidien", 7.0),
        ("25 mg 1x/semaine", 1.0),
        ("5 mg hebdomadaire", 1.0),
        ("1 mg täglich", 7.0),
        ("2 mg wöchentlich", 1.0),
        ("100 mg monatlich", 7.0 / 30.4375),
        ("1 mg giornaliero", 7.0),
        ("5 mg settimanale", 1.0),
    ],
)
def test_doses_with_known_words_are_read(text, per_week):
    dose, problem, _ = read_dose(text, None, ",")
    assert problem == "" and dose is not None and dose.per_week == per_week


def test_the_audit_row_names_the_words():
    df = pd.DataFrame(
        {
            "patient_id": ["LD-1", "LD-2"],
            "dose_text": ["1 mg dias alternados", "1 mg/dia"],
            "source_file": "x.xlsx",
            "source_sheet": "Doses",
            "source_row": [2, 3],
        }
    )
    step = parse_dose_text(df, default_frequency="day")
    assert step.data["dose_mg"].isna().tolist() == [True, False]
    (message,) = step.audit["message"].tolist()
    assert "holds words that may change the dose or how often it is taken (alternados)" in message


@pytest.mark.parametrize(
    ("text", "written"),
    [
        # "for 30 days": read as 30 a day (210 a week, a daily dose of 60 mg) with no audit row
        ("2 mg x 30 dias", "x 30 dias"),
        ("1 mg x 3 semanas", "x 3 semanas"),
        ("1 mg x 3 meses", "x 3 meses"),
        ("1 mg x 2 weeks", "x 2 weeks"),
        ("2 mg x30d", "x30d"),
        ("1 mg/dia x 6 meses", "x 6 meses"),
        # an "x 4" after the frequency: four a week, or for four weeks?
        ("1 mg/sem x 4", "sem x 4"),
        ("1 mg 3x/semana x 4", "semana x 4"),
    ],
)
def test_a_count_of_periods_after_x_is_not_read_as_a_frequency(text, written):
    assert read_dose(text, "day", ",") == (None, "duration", written)


@pytest.mark.parametrize(
    ("text", "per_week"),
    [
        ("1 mg x2/dia", 14.0),  # twice a day
        ("1 mg x 2 al dia", 14.0),
        ("1 mg x 3 por semana", 3.0),
        ("1 mg 3 x semana", 3.0),
        ("1 mg 1 vez ao dia", 7.0),  # "vez" as "vezes": once, not an unread number
        ("1 mg 1 time a day", 7.0),
        ("250 µg/dia", 7.0),  # the micro sign, which NFKD writes as the Greek mu
        ("250 μg/dia", 7.0),  # the Greek mu itself
    ],
)
def test_a_count_of_times_before_its_period_is_a_frequency(text, per_week):
    dose, problem, _ = read_dose(text, None, ",")
    assert problem == "" and dose is not None and dose.per_week == per_week


def test_micrograms_are_thousandths_of_a_milligram():
    dose = read_dose("250 µg/dia", None, ",")[0]
    assert dose is not None and dose.mg == pytest.approx(0.25)


def test_the_audit_row_says_a_count_of_periods_may_be_a_duration():
    df = pd.DataFrame(
        {
            "patient_id": ["LD-1"],
            "dose_text": ["2 mg x 30 dias"],
            "source_file": "x.xlsx",
            "source_sheet": "Doses",
            "source_row": [2],
        }
    )
    step = parse_dose_text(df, default_frequency="day")
    assert step.data["dose_mg"].isna().all() and step.data["daily_dose_mg"].isna().all()
    (message,) = step.audit["message"].tolist()
    assert "writes 'x 30 dias', which may be how long the dose was taken" in message
