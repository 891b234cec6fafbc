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
