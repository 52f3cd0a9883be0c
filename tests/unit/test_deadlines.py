"""Statutory periods: parsing, due dates with roll-forward, months at month end, and stop-the-clock."""

import datetime as dt

import pytest

from engine.deadlines import Period, compute_due, extend, parse_period, remaining, resume_due
from engine.errors import ValidationError
from engine.workdays import DEFAULT_PATH, DayResult, WorkCalendar


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar.from_file(DEFAULT_PATH)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("text", "period"),
    [("7WD", Period(7, "WD")), ("15CD", Period(15, "CD")), ("3M", Period(3, "M")), (" 5wd ", Period(5, "WD"))],
)
def test_periods_are_parsed_from_short_codes(text, period):
    assert parse_period(text) == period


def test_a_period_prints_back_as_its_code_and_as_document_text():
    assert str(parse_period("15CD")) == "15CD"
    assert [parse_period(t).label for t in ("7WD", "15CD", "3M")] == ["7个工作日", "15日", "3个月"]


@pytest.mark.parametrize("text", ["", "7", "WD", "7 days", "-3CD", "7.5WD", "十日", "7WDX", "3Y"])
def test_bad_period_text_is_refused_naming_the_text(text):
    with pytest.raises(ValidationError) as info:
        parse_period(text)
    assert f"「{text}」" in info.value.message


def test_a_period_that_is_not_text_is_refused():
    with pytest.raises(ValidationError):
        parse_period(7)


@pytest.mark.parametrize(
    ("start", "period", "expected"),
    [
        ("2025-09-16", "15CD", "2025-10-09"),
        ("2026-09-12", "15CD", "2026-09-28"),
        ("2025-08-02", "60CD", "2025-10-09"),
        ("2026-02-13", "5WD", "2026-02-27"),
        ("2026-09-30", "10WD", "2026-10-20"),
    ],
)
def test_due_dates_follow_the_reference_vectors(cal, start, period, expected):
    assert compute_due(start, period, cal) == DayResult(day(expected), False)


def test_payment_due_fifteen_days_after_service_rolls_past_national_day(cal):
    assert compute_due(dt.date(2025, 9, 16), Period(15, "CD"), cal).date == day("2025-10-09")


@pytest.mark.parametrize(
    ("start", "period", "expected"),
    [
        ("2026-01-31", "1M", "2026-02-28"),  # month end; a Saturday but a make-up workday
        ("2024-01-31", "1M", "2024-02-29"),
        ("2025-07-31", "2M", "2025-09-30"),
        ("2026-03-31", "2M", "2026-06-01"),  # 2026-05-31 is a Sunday
        ("2026-07-01", "3M", "2026-10-08"),  # 2026-10-01 is National Day
        ("2026-04-30", "1M", "2026-06-01"),  # 2026-05-30 is a Saturday
    ],
)
def test_months_end_on_the_same_day_or_month_end_then_roll_forward(cal, start, period, expected):
    assert compute_due(start, period, cal).date == day(expected)


def test_months_without_roll_forward_stop_at_month_end(cal):
    assert cal.add_months("2026-03-31", 2, roll_forward=False) == DayResult(day("2026-05-31"), False)


def test_a_due_date_in_an_unpublished_year_is_provisional(cal):
    assert compute_due("2026-12-20", "15CD", cal) == DayResult(day("2027-01-04"), True)


def test_suspension_gives_back_the_remaining_workdays(cal):
    due = compute_due("2026-03-02", "10WD", cal).date
    assert due == day("2026-03-16")
    left = remaining("WD", "2026-03-06", due, cal)  # 中止 on Friday of the first week: 4 WD used
    assert left == 6
    resumed = resume_due("WD", "2026-04-01", left, cal)
    assert resumed == DayResult(day("2026-04-10"), False)  # 04-04…04-06 清明 not counted
    used = cal.workdays_between("2026-03-02", "2026-03-06") + cal.workdays_between("2026-04-01", resumed.date)
    assert used == 10


def test_suspension_gives_back_the_remaining_calendar_days(cal):
    due = compute_due("2026-03-02", "30CD", cal).date
    assert due == day("2026-04-01")
    left = remaining("CD", "2026-03-11", due, cal)
    assert left == 21
    assert resume_due("CD", "2026-05-01", left, cal).date == day("2026-05-22")


def test_resumed_calendar_day_deadline_still_rolls_off_a_holiday(cal):
    assert resume_due(Period(30, "CD"), "2026-09-10", 21, cal).date == day("2026-10-08")


def test_month_periods_are_given_back_as_calendar_days(cal):
    assert remaining("M", "2026-03-01", "2026-03-31", cal) == 30
    assert resume_due("M", "2026-06-01", 30, cal).date == day("2026-07-01")


def test_an_overdue_deadline_has_nothing_left(cal):
    assert remaining("WD", "2026-03-20", "2026-03-16", cal) == 0
    assert remaining("CD", "2026-03-20", "2026-03-16", cal) == 0


def test_an_unknown_unit_is_refused(cal):
    with pytest.raises(ValidationError):
        remaining("Y", "2026-03-01", "2026-03-31", cal)


def test_extending_a_seizure_adds_thirty_days_to_the_current_due_date(cal):
    due = compute_due("2026-03-02", "30CD", cal).date
    assert extend(due, "30CD", cal).date == day("2026-05-06")  # 05-01 falls in 劳动节


def test_default_calendar_is_used_when_none_is_given(monkeypatch):
    monkeypatch.delenv("ENFORCEFLOW_CALENDAR", raising=False)
    assert compute_due("2026-02-13", "5WD").date == day("2026-02-27")
