"""One small test per derivation rule of docs/derivations.md (sections 5 and 6), named after the
rule: each builds a tiny frame (or the mini study of tests/conftest.py), asserts the exact
derived value and, where the page states one, the boundary case. The ``add_*`` steps of
``analysis.clean.derive`` are called as ``clean_study`` chains them (``analysis.clean.stage``).

Rules already tested this way elsewhere (not repeated here):
- day 0 from a patient date column: tests/unit/studyfile/test_design.py
  (test_day0_from_a_patient_date_column); a study where no patient has a day 0 stops:
  test_design.py (test_day0_missing_for_every_patient_stops_the_run).
- periods: ``is_exposure_ongoing``, the end of an ongoing period at the last contact,
  ``n_doses`` / ``is_titrated``: test_design.py
  (test_periods_study_derives_day0_exposure_end_titration_and_teae).
- a discontinued patient without a date stops at the end of exposure, with an audit row:
  test_design.py (test_discontinued_without_a_date_stops_at_the_end_of_exposure).
- groups ``from_column`` (yes/no through ``map``; unmapped: no group) and ``conditions`` (the
  first match, else ``otherwise``): test_design.py
  (test_groups_from_a_column_and_from_conditions).
- an inclusion step that leaves nobody is a warning: test_design.py
  (test_an_inclusion_step_that_excludes_everyone_is_a_warning); a patient's records follow it
  out with its reason: tests/hostile/test_values.py
  (test_records_of_excluded_patients_carry_the_reason).
- section 4 (ages, birth and the order of a patient's dates, the adverse event after the last
  contact that extends it): tests/hostile/test_plausibility.py (test_impossible_age_is_cleared,
  test_birth_date_and_age, test_birth_year, test_record_before_birth_is_excluded,
  test_adverse_event_resolved_before_onset, test_discontinuation_before_the_first_session,
  test_last_visit_before_the_first_session, test_adverse_event_after_the_last_contact,
  test_assessment_before_the_first_session_is_the_baseline).
"""

from __future__ import annotations

import pandas as pd

from analysis.clean import derive
from analysis.clean.stage import clean_study
from analysis.studyfile.config import Derivation, StudyConfig
from analysis.studyfile.design import ConcomitantOverlap, Exposure, Group

MONTH = 30.4375  # derive.days_per_month
D = Derivation()  # response at month 12 in the window [10, 14] months
DAY0 = pd.Timestamp("2020-01-01")
NAT = pd.NaT
GRADES = ["worsening", "stabilization", "mild improvement", "marked improvement"]
SEVERITY = pd.CategoricalDtype(["mild", "moderate", "severe"], ordered=True)


def day(n: int) -> pd.Timestamp:
    """The date ``n`` days after day 0 (2020-01-01)."""
    return DAY0 + pd.Timedelta(days=n)


def patients(n: int, **columns: list) -> pd.DataFrame:
    """Patients P1..Pn with the given columns (one value per patient); day 0 is 2020-01-01."""
    ids = [f"P{i + 1}" for i in range(n)]
    return pd.DataFrame({"patient_id": ids, "day0_date": [DAY0] * n, **columns})


def rows(columns: str, *values: tuple) -> pd.DataFrame:
    """A child table: ``columns`` space-separated, one tuple per record; ``*_date`` columns are
    dates, as ``clean_study`` gives them (also when there is no record)."""
    frame = pd.DataFrame(list(values), columns=columns.split())
    dates = [c for c in frame if c.endswith("_date")]
    return frame.astype(dict.fromkeys(dates, "datetime64[ns]"))


def by_id(frame: pd.DataFrame, column: str) -> dict[str, object]:
    """``{patient_id: value}`` of one column, missing values as None."""
    values = frame[column].astype(object).where(frame[column].notna(), None)
    return dict(zip(frame["patient_id"], values, strict=True))


# ------------------------------------------------------------------ exposure and day 0
def test_exposure_summary_counts_exposures_and_takes_the_latest_start_as_last():
    """docs/derivations.md §5: first / last (latest start) exposure, n_exposures 0 if none."""
    exposures = rows("patient_id start_date", ("P1", day(90)), ("P1", day(0)), ("P1", day(30)))
    out = derive.add_exposure_summary(patients(2).drop(columns="day0_date"), exposures)
    assert by_id(out, "first_exposure_date") == {"P1": day(0), "P2": None}
    assert by_id(out, "last_exposure_date") == {"P1": day(90), "P2": None}
    assert by_id(out, "n_exposures") == {"P1": 3, "P2": 0}


def test_day0_is_the_first_exposure_by_default():
    """docs/derivations.md §5: day0_date = first_exposure_date (exposure.day0: first_exposure)."""
    p = patients(1, first_exposure_date=[day(14)], visit_date=[day(0)]).drop(columns="day0_date")
    assert derive.add_day0(p, Exposure()).loc[0, "day0_date"] == day(14)


# ------------------------------------------------------------------ follow-up
def test_last_contact_is_the_latest_known_date_of_the_patient():
    """docs/derivations.md §5: last_contact_date = the latest of the patient's six kinds of date."""
    # each patient's latest date comes from another source: visit, exposure, assessment,
    # discontinuation, adverse event, period stop
    p = patients(
        6,
        last_visit_date=[day(400), day(10), day(10), day(10), day(10), day(10)],
        last_exposure_date=[day(0), day(300), day(0), day(0), day(0), day(0)],
        discontinuation_date=[NAT, NAT, NAT, day(350), NAT, NAT],
        _last_stop_date=[day(1), day(1), day(1), day(1), day(1), day(380)],
    )
    assessments = rows("patient_id assessment_date", ("P3", day(320)), ("P1", day(20)))
    aes = rows("patient_id onset_date", ("P5", day(330)), ("P5", day(5)))
    out = derive.add_followup(p, rows("patient_id start_date"), assessments, D, aes)
    assert by_id(out, "last_contact_date") == {
        "P1": day(400),
        "P2": day(300),
        "P3": day(320),
        "P4": day(350),
        "P5": day(330),
        "P6": day(380),
    }


def test_followup_months_are_days_over_30_4375_so_six_months_is_day_182_625():
    """docs/derivations.md §5: followup_months = (last_contact_date - day0_date) / 30.4375."""
    p = patients(
        3,
        last_visit_date=[day(365), day(182), day(183)],
        last_exposure_date=[day(0)] * 3,
        discontinuation_date=[NAT] * 3,
    )
    no_assessments = rows("patient_id assessment_date")
    out = derive.add_followup(p, rows("patient_id start_date"), no_assessments, D)
    months = by_id(out, "followup_months")
    assert months == {"P1": 365 / MONTH, "P2": 182 / MONTH, "P3": 183 / MONTH}
    assert months["P2"] < 6 < months["P3"]  # six months fall between day 182 and day 183


def test_exposure_end_of_discrete_exposures_is_the_last_administration():
    """docs/derivations.md §5: exposure_end_date = the last administration (discrete)."""
    p = patients(1, last_exposure_date=[day(180)], last_contact_date=[day(400)])
    out = derive.add_exposure_end(p, Exposure(kind="discrete"), D)
    assert out.loc[0, "exposure_end_date"] == day(180)  # not the last contact
    assert out.loc[0, "exposure_months"] == 180 / MONTH


def test_exposure_end_of_finished_periods_is_the_latest_stop():
    """docs/derivations.md §5: exposure_end_date = the latest period stop (periods)."""
    periods = rows(
        "patient_id start_date stop_date dose_mg",
        ("P1", day(0), day(89), 0.5),
        ("P1", day(90), day(179), 1.0),
    )
    exposure = Exposure(kind="periods")
    p = derive.add_exposure_summary(patients(1), periods, exposure)
    p["last_contact_date"] = day(400)
    out = derive.add_exposure_end(p, exposure, D)
    assert out.loc[0, "exposure_end_date"] == day(179)  # not the latest start (day 90)
    assert out.loc[0, "exposure_months"] == 179 / MONTH


def test_an_open_period_ends_at_a_dated_discontinuation():
    """docs/derivations.md §5: a period without a stop date ends at the discontinuation date
    (the treatment was stopped then), else at the last contact."""
    periods = rows(
        "patient_id start_date stop_date dose_mg",
        ("P1", day(0), None, 1.0),
        ("P2", day(0), None, 1.0),
    )
    exposure = Exposure(kind="periods")
    p = derive.add_exposure_summary(patients(2), periods, exposure)
    p["last_contact_date"] = day(400)
    p["is_discontinued"] = [True, False]
    p["discontinuation_date"] = [day(60), pd.NaT]
    out = derive.add_exposure_end(p, exposure, D)
    assert out["exposure_end_date"].tolist() == [day(60), day(400)]
    assert out["exposure_months"].tolist() == [60 / MONTH, 400 / MONTH]


# ------------------------------------------------------------------ schedule
def test_schedule_is_the_median_year1_interval_snapped_ties_to_the_smaller():
    """docs/derivations.md §5: schedule_months_year1 = median interval, snapped (ties: smaller)."""
    d = Derivation(schedule_months=[1, 2, 3, 4, 6])
    # intervals 61, 61 and 122 days: median 61 days = 2.004 months -> 2
    starts = [day(0), day(61), day(122), day(244)]
    exposures = rows("patient_id start_date", *(("P1", s) for s in starts))
    out = derive.add_schedule(patients(1), exposures, d)
    assert out.loc[0, "schedule_months_year1"] == 2
    # a median exactly between two allowed values takes the smaller
    assert derive.snap_schedule(5.0, d.schedule_months) == 4
    assert derive.snap_schedule(2.5, d.schedule_months) == 2


def test_schedule_counts_exposures_before_day_365_25_and_needs_two():
    """docs/derivations.md §5: schedule_months_year1, days 0 … < 365.25; missing with < 2."""
    d = Derivation(schedule_months=[1, 2, 3, 4, 6])
    exposures = rows(
        "patient_id start_date",
        ("P1", day(0)),
        ("P1", day(365)),  # day 365 < 365.25: in year 1; 365 days = 11.99 months -> 6
        ("P2", day(0)),
        ("P2", day(366)),  # day 366: after year 1, so P2 has one exposure in year 1
        ("P3", day(0)),
    )
    out = derive.add_schedule(patients(3), exposures, d)
    assert by_id(out, "schedule_months_year1") == {"P1": 6, "P2": None, "P3": None}


# ------------------------------------------------------------------ response at a timepoint
def _assessments(*values: tuple) -> pd.DataFrame:
    a = rows("patient_id assessment_date response_grade", *values)
    a["response_grade"] = pd.Categorical(a["response_grade"], categories=GRADES, ordered=True)
    return a


def test_response_is_the_in_window_assessment_closest_to_the_target_month():
    """docs/derivations.md §5: response_<T>m = the assessment closest to day T × 30.4375."""
    # target day 365.25: day 369 (3.75 away) wins over day 360 (5.25 away)
    a = _assessments(
        ("P1", day(360), "stabilization"),
        ("P1", day(369), "mild improvement"),
        ("P1", day(100), "marked improvement"),  # outside the window
    )
    out = derive.add_response(patients(1), a, D)
    assert out.loc[0, "response_12m"] == "mild improvement"
    assert out.loc[0, "response_date_12m"] == day(369)
    assert bool(out.loc[0, "is_response_assessable"])


def test_response_window_includes_its_fractional_ends():
    """docs/derivations.md §5: response_<T>m, window [lo × 30.4375, hi × 30.4375] inclusive."""
    # [10, 14] months = days [304.375, 426.125]: days 305 and 426 are in, 304 and 427 out
    a = _assessments(
        ("P1", day(305), "stabilization"),
        ("P2", day(304), "stabilization"),
        ("P3", day(426), "worsening"),
        ("P4", day(427), "worsening"),
    )
    out = derive.add_response(patients(4), a, D)
    assert by_id(out, "response_12m") == {
        "P1": "stabilization",
        "P2": None,
        "P3": "worsening",
        "P4": None,
    }
    assert out["is_response_assessable"].tolist() == [True, False, True, False]


def test_response_tie_goes_to_the_earlier_assessment():
    """docs/derivations.md §5: response_<T>m, two assessments equally close: the earlier."""
    d = Derivation(response_target_month=8, response_window_months=(6, 10))
    # target day 8 × 30.4375 = 243.5: days 243 and 244 are equally close
    a = _assessments(("P1", day(244), "marked improvement"), ("P1", day(243), "stabilization"))
    out = derive.add_response(patients(1), a, d)
    assert out.loc[0, "response_8m"] == "stabilization"
    assert out.loc[0, "response_date_8m"] == day(243)


# ------------------------------------------------------------------ monotherapy status
def _therapy(window: str = "response") -> Group:
    rule = ConcomitantOverlap(
        treatments=["oral drug"], window=window, if_any="combined", otherwise="monotherapy"
    )
    return Group(levels=["monotherapy", "combined"], concomitant_overlap=rule)


def _concomitant(*values: tuple) -> pd.DataFrame:
    return rows("patient_id drug start_date stop_date", *values)


def test_monotherapy_unless_a_listed_treatment_overlaps_day0_to_the_response_assessment():
    """docs/derivations.md §5: concomitant_overlap, start ≤ window end, stop missing or ≥ day 0."""
    p = patients(5, response_date_12m=[day(365)] * 5)
    conc = _concomitant(
        ("P1", "oral drug", day(365), NAT),  # starts on the response assessment: overlaps
        ("P2", "oral drug", day(366), NAT),  # starts the day after: does not
        ("P3", "oral drug", day(-400), day(0)),  # stops on day 0: overlaps
        ("P4", "oral drug", day(-400), day(-1)),  # stops the day before: does not
        ("P5", "other drug", day(-400), NAT),  # not a listed treatment
    )
    out = derive.add_group(p, "therapy_group", _therapy(), conc, D)
    assert by_id(out, "therapy_group") == {
        "P1": "combined",
        "P2": "monotherapy",
        "P3": "combined",
        "P4": "monotherapy",
        "P5": "monotherapy",
    }
    assert out["has_oral_drug"].tolist() == [True, False, True, False, False]


def test_overlap_window_without_a_response_assessment_ends_day0_plus_365_days():
    """docs/derivations.md §5: concomitant_overlap, not assessable: to day 0 + int(T × 30.4375)."""
    p = patients(2, response_date_12m=[NAT, NAT])  # int(12 × 30.4375) = 365
    conc = _concomitant(("P1", "oral drug", day(365), NAT), ("P2", "oral drug", day(366), NAT))
    out = derive.add_group(p, "therapy_group", _therapy(), conc, D)
    assert by_id(out, "therapy_group") == {"P1": "combined", "P2": "monotherapy"}


def test_overlap_window_exposure_ends_at_the_end_of_exposure():
    """docs/derivations.md §5: concomitant_overlap with window: exposure, to the end of exposure."""
    p = patients(2, exposure_end_date=[day(180)] * 2, response_date_12m=[day(365)] * 2)
    conc = _concomitant(("P1", "oral drug", day(180), NAT), ("P2", "oral drug", day(181), NAT))
    out = derive.add_group(p, "therapy_group", _therapy("exposure"), conc, D)
    assert by_id(out, "therapy_group") == {"P1": "combined", "P2": "monotherapy"}


# ------------------------------------------------------------------ baseline grade
def test_baseline_severity_and_grade_scale_come_from_the_grade(mini_study):
    """docs/derivations.md §5: baseline_severity (derive.grade_severity) and grade_scale."""
    config = StudyConfig.load(mini_study())
    p = patients(3, baseline_grade=["HN IV", "Ludwig I", None])
    out = derive.add_baseline_severity(p, config)
    assert by_id(out, "baseline_severity") == {"P1": "moderate", "P2": "mild", "P3": None}
    assert list(out["baseline_severity"].cat.categories) == ["mild", "moderate", "severe"]
    assert by_id(out, "grade_scale") == {"P1": "Hamilton-Norwood", "P2": "Ludwig", "P3": None}


# ------------------------------------------------------------------ treatment-emergent events
SESSIONS = rows("patient_id start_date", ("P1", day(0)), ("P1", day(90)), ("P1", day(180)))


def _ae_flags(*onsets: int) -> pd.DataFrame:
    """AE flags of P1 (sessions on days 0, 90, 180; teae_days_after_last: 90) at these days."""
    aes = rows("patient_id onset_date", *(("P1", day(n)) for n in onsets))
    p = patients(1, exposure_end_date=[day(180)])
    return derive.add_ae_flags(aes, p, SESSIONS, Exposure(teae_days_after_last=90))


def test_ae_exposure_number_counts_exposures_starting_on_or_before_onset():
    """docs/derivations.md §5: exposure_number = exposures started on or before onset."""
    out = _ae_flags(-1, 89, 90)
    assert out["exposure_number"].tolist() == [pd.NA, 1, 2]  # day 90: the second session's day
    assert out["days_from_day0"].tolist() == [-1, 89, 90]


def test_teae_onset_on_first_exposure_day_is_treatment_emergent():
    """docs/derivations.md §5: is_teae = first exposure ≤ onset ≤ end of exposure + lag."""
    assert _ae_flags(0, -1)["is_teae"].tolist() == [True, False]


def test_teae_starts_at_the_first_exposure_when_day0_is_earlier():
    """docs/derivations.md §5: with day 0 a patient date (the first visit, 10 days before the
    first session), an event between the two is not treatment-emergent (ICH E9, ADaM)."""
    aes = rows("patient_id onset_date", ("P1", day(-5)), ("P1", day(0)))
    p = patients(1, exposure_end_date=[day(180)])
    p["day0_date"] = day(-10)
    out = derive.add_ae_flags(aes, p, SESSIONS, Exposure(day0="first_visit_date"))
    assert out["is_teae"].tolist() == [False, True]
    assert out["days_from_day0"].tolist() == [5, 10]


def test_teae_window_ends_teae_days_after_the_end_of_exposure():
    """docs/derivations.md §5: is_teae = first exposure ≤ onset ≤ end of exposure + lag."""
    # last session day 180 + 90 days = day 270
    assert _ae_flags(270, 271)["is_teae"].tolist() == [True, False]


def test_ae_summary_counts_only_teaes_and_keeps_the_worst_severity():
    """docs/derivations.md §5: has_teae, n_teae, worst_ae_severity (highest among TEAEs)."""
    aes = rows(
        "patient_id onset_date is_teae severity exposure_number",
        ("P1", day(-3), False, "severe", pd.NA),  # before day 0: not counted, not the worst
        ("P1", day(100), True, "moderate", 2),
        ("P1", day(5), True, "mild", 1),
        ("P2", day(-3), False, "severe", pd.NA),
    )
    aes["severity"] = aes["severity"].astype(SEVERITY)
    out = derive.add_ae_summary(patients(2), aes)
    assert by_id(out, "n_teae") == {"P1": 2, "P2": 0}
    assert by_id(out, "has_teae") == {"P1": True, "P2": False}
    assert by_id(out, "worst_ae_severity") == {"P1": "moderate", "P2": None}
    assert by_id(out, "first_teae_date") == {"P1": day(5), "P2": None}
    assert by_id(out, "exposures_to_first_teae") == {"P1": 1, "P2": None}


# ------------------------------------------------------------------ time to event
def _time_to_event() -> pd.DataFrame:
    p = patients(
        3,
        is_discontinued=pd.array([True, False, None], dtype="boolean"),
        discontinuation_date=[day(200), NAT, NAT],
        last_contact_date=[day(400)] * 3,
        exposure_end_date=[day(180)] * 3,
        has_teae=[True, False, False],
        first_teae_date=[day(5), NAT, NAT],
        first_exposure_date=[day(0)] * 3,
    )
    return derive.add_time_to_event(p, D, Exposure(kind="discrete", teae_days_after_last=90))


def test_time_to_discontinuation_runs_to_its_date_or_is_censored_at_last_contact():
    """docs/derivations.md §5: time_to_discontinuation_months, else censored at last contact."""
    out = _time_to_event()
    assert by_id(out, "time_to_discontinuation_months") == {
        "P1": 200 / MONTH,
        "P2": 400 / MONTH,
        "P3": 400 / MONTH,  # discontinuation not recorded: not discontinued
    }
    assert out["is_discontinued"].tolist() == [True, False, False]


def test_time_to_first_teae_is_censored_where_the_treatment_emergent_window_closes():
    """docs/derivations.md §5: time_to_first_teae_days, else censored at the earlier of the last
    contact and the end of exposure + teae_days_after_last (day 180 + 90 = day 270 < day 400)."""
    assert by_id(_time_to_event(), "time_to_first_teae_days") == {"P1": 5, "P2": 270, "P3": 270}


def test_time_to_first_teae_runs_from_the_first_exposure_when_day0_is_earlier():
    """docs/derivations.md §5: with day 0 the first visit, the time runs from the first exposure
    (day 30), where treatment-emergence starts. By hand: P1 TEAE on day 35 -> 5 days; P2 no TEAE,
    window closes on day 180 + 90 = 270 before the last contact (400) -> 270 - 30 = 240; P3 no
    TEAE, last contact day 200 before the window closes -> 170; P4 no exposure -> 0, censored."""
    p = patients(
        4,
        is_discontinued=pd.array([False] * 4, dtype="boolean"),
        discontinuation_date=[NAT] * 4,
        first_exposure_date=[day(30), day(30), day(30), NAT],
        exposure_end_date=[day(180), day(180), day(180), NAT],
        last_contact_date=[day(400), day(400), day(200), day(300)],
        has_teae=[True, False, False, False],
        first_teae_date=[day(35), NAT, NAT, NAT],
    )
    out = derive.add_time_to_event(p, D, Exposure(day0="first_visit_date", teae_days_after_last=90))
    assert by_id(out, "time_to_first_teae_days") == {"P1": 5, "P2": 240, "P3": 170, "P4": 0}


def test_first_improvement_at_any_visit_censored_at_the_last_assessment_or_at_day0():
    """docs/derivations.md §5: time_to_first_improvement_months and its censoring; a patient
    never assessed after day 0 cannot be seen to improve: censored at 0, not at the last
    contact."""
    d = Derivation(improvement_levels=["mild improvement", "marked improvement"])
    a = _assessments(
        ("P1", day(-10), "marked improvement"),  # before day 0: the baseline, not an event
        ("P1", day(100), "stabilization"),
        ("P1", day(200), "mild improvement"),  # the first improvement, at any visit
        ("P1", day(300), "worsening"),
        ("P2", day(100), "stabilization"),
        ("P2", day(250), "stabilization"),
    )
    p = patients(3, last_contact_date=[day(400)] * 3)  # P3 never assessed
    out = derive.add_first_improvement(p, a, d)
    assert by_id(out, "has_improvement") == {"P1": True, "P2": False, "P3": False}
    assert by_id(out, "time_to_first_improvement_months") == {
        "P1": 200 / MONTH,
        "P2": 250 / MONTH,
        "P3": 0.0,
    }


# ------------------------------------------------------------------ inclusion criteria
def test_inclusion_followup_of_six_months_keeps_day_183_and_excludes_day_182(mini_study):
    """docs/derivations.md §6: a patient failing a criterion is excluded at that step."""
    patients_csv = """\
        id,sex,age,grade,last_visit,discontinued,disc_date,disc_reason
        P1,F,55,Ludwig I,2021-01-10,no,,
        P2,male,40,HN III,2021-03-01,yes,2020-12-01,cost
        P3,Mujer,61,Ludwig II,2020-08-30,no,,
        P4,M,33,HN IV,2021-02-01,no,,
        P5,F,50,Ludwig I,2020-08-31,no,,
        """
    sessions = "id,date,dose\nP1,2020-01-10,0.1\nP2,2020-01-15,0.1\nP3,2020-03-01,0.1\n"
    sessions += "P4,2020-02-01,0.1\nP5,2020-03-01,0.1\n"
    path = mini_study(files={"patients.csv": patients_csv, "sessions.csv": sessions})
    res = clean_study(StudyConfig.load(path))
    # P3: 2020-03-01 to 2020-08-30 is 182 days (5.98 months); P5: to 2020-08-31, 183 days
    assert "P5" in set(res.patients["patient_id"])
    out = res.exclusions.loc[res.exclusions["step"] == "inclusion:followup"]
    assert out[["table", "patient_id"]].values.tolist() == [["patients", "P3"]]
    step = res.flow.set_index("step").loc["inclusion:followup"]
    assert (step["n_excluded"], step["n_remaining"]) == (1, 4)


def test_inclusion_criteria_apply_in_order_and_a_patient_leaves_at_the_first_failed(mini_study):
    """docs/derivations.md §6: inclusion[] is applied in order."""
    age = (
        "  - id: adult\n    label: Aged 50 or more\n"
        '    where: [{column: age_years, op: ">=", value: 50}]\n'
    )
    res = clean_study(StudyConfig.load(mini_study(yaml_edit=lambda y: y + age)))
    # P3 (61 years, 92 days of follow-up) fails the first criterion only: excluded there
    logged = res.exclusions.loc[res.exclusions["table"] == "patients"]
    assert sorted(logged[["patient_id", "step"]].values.tolist()) == [
        ["P2", "inclusion:adult"],
        ["P3", "inclusion:followup"],
        ["P4", "inclusion:adult"],
    ]
    assert res.flow[["step", "n_excluded", "n_remaining"]].values.tolist() == [
        ["screened", 0, 4],
        ["inclusion:followup", 1, 3],
        ["inclusion:adult", 2, 1],
    ]
