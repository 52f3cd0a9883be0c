"""The working-day calendar: REFERENCE §8 vectors, unpublished years, and the administrator's overrides file."""

import datetime as dt
import json
import os

import chinese_calendar
import pytest

from engine.errors import DefinitionError, ValidationError
from engine.workdays import (
    DEFAULT_PATH,
    ENV_VAR,
    DayResult,
    WorkCalendar,
    add_calendar_days,
    add_workdays,
    default_calendar,
)

WD_VECTORS = [
    ("2025-01-24", 5, "2025-02-07"),
    ("2025-04-30", 5, "2025-05-12"),
    ("2025-06-03", 20, "2025-07-01"),
    ("2025-09-26", 7, "2025-10-13"),
    ("2025-12-30", 3, "2026-01-05"),
    ("2026-02-13", 5, "2026-02-27"),
    ("2026-04-30", 20, "2026-06-01"),
    ("2026-09-18", 7, "2026-09-29"),
    ("2026-09-30", 10, "2026-10-20"),
]
CD_VECTORS = [
    ("2025-09-16", 15, "2025-10-09"),
    ("2026-09-12", 15, "2026-09-28"),
    ("2025-08-02", 60, "2025-10-09"),
]


@pytest.fixture
def shipped() -> WorkCalendar:
    return WorkCalendar.from_file(DEFAULT_PATH)


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)


def write_overrides(path, years: dict) -> str:
    path.write_text(json.dumps({"years": years}, ensure_ascii=False), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(("start", "n", "expected"), WD_VECTORS)
def test_workday_vectors_of_the_reference_hold(shipped, start, n, expected):
    assert shipped.add_workdays(start, n) == DayResult(dt.date.fromisoformat(expected), False)


@pytest.mark.parametrize(("start", "n", "expected"), WD_VECTORS)
def test_workday_vectors_hold_with_the_package_alone(start, n, expected):
    assert WorkCalendar().add_workdays(start, n).date == dt.date.fromisoformat(expected)


@pytest.mark.parametrize(("start", "n", "expected"), CD_VECTORS)
def test_calendar_days_ending_on_a_day_off_roll_forward(shipped, start, n, expected):
    assert shipped.add_calendar_days(start, n) == DayResult(dt.date.fromisoformat(expected), False)


@pytest.mark.parametrize(("start", "n", "expected"), WD_VECTORS)
def test_module_level_add_workdays_uses_the_shipped_calendar(no_env, start, n, expected):
    assert add_workdays(start, n).isoformat() == expected


def test_module_level_add_calendar_days_accepts_dates(no_env):
    assert add_calendar_days(dt.date(2025, 9, 16), 15).date == dt.date(2025, 10, 9)
    assert add_calendar_days("2025-09-16", 15, roll_forward=False).date == dt.date(2025, 10, 1)


def test_five_workdays_across_spring_festival(shipped):
    assert shipped.add_workdays("2026-02-13", 5).date == dt.date(2026, 2, 27)


def test_make_up_workdays_count(shipped):
    assert shipped.is_workday("2026-02-14")  # Saturday, 调休上班
    assert shipped.add_workdays("2026-02-13", 1).date == dt.date(2026, 2, 14)
    assert shipped.add_workdays("2025-09-26", 1).date == dt.date(2025, 9, 28)  # Sunday make-up day


def test_weekday_holiday_is_not_a_workday(shipped):
    assert not shipped.is_workday(dt.date(2025, 10, 8))
    assert shipped.next_workday("2025-09-30") == DayResult(dt.date(2025, 10, 9), False)


@pytest.mark.parametrize("year", [2025, 2026])
def test_each_published_year_has_248_working_days(shipped, year):
    assert shipped.workdays_between(dt.date(year - 1, 12, 31), dt.date(year, 12, 31)) == 248


def test_shipped_holidays_file_agrees_with_the_package(shipped):
    day = dt.date(2025, 1, 1)
    while day.year < 2027:
        assert shipped.is_workday(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


def test_shipped_holidays_file_has_no_unpublished_year():
    years = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))["years"]
    assert sorted(years) == ["2025", "2026"]


def test_a_2027_deadline_is_provisional_and_counts_weekdays_only(shipped):
    result = shipped.add_workdays("2027-03-05", 5)  # Friday
    assert result == DayResult(dt.date(2027, 3, 12), True)
    assert not shipped.is_known_year(2027)


def test_a_deadline_reaching_into_2027_is_provisional(shipped):
    assert shipped.add_workdays("2026-12-30", 3) == DayResult(dt.date(2027, 1, 4), True)
    assert shipped.add_workdays("2026-12-28", 3) == DayResult(dt.date(2026, 12, 31), False)


@pytest.mark.parametrize("year", [1999, 2027, 2100])
def test_unknown_year_never_raises(shipped, year):
    start = dt.date(year, 6, 1)
    assert shipped.is_workday(start) == (start.weekday() < 5)
    assert shipped.add_workdays(start, 10).provisional
    assert shipped.add_calendar_days(start, 15).provisional
    assert shipped.add_months(start, 3).provisional
    assert shipped.next_workday(start).provisional
    assert shipped.workdays_between(start, start + dt.timedelta(days=14)) == 10


def test_calendar_days_without_roll_forward_are_exact_even_in_unknown_years(shipped):
    assert shipped.add_calendar_days("2027-05-01", 3, roll_forward=False) == DayResult(dt.date(2027, 5, 4), False)


def test_zero_workdays_returns_the_start_day(shipped):
    assert shipped.add_workdays("2026-10-03", 0) == DayResult(dt.date(2026, 10, 3), False)


def test_negative_workdays_are_refused(shipped):
    with pytest.raises(ValueError):
        shipped.add_workdays("2026-03-02", -1)


def test_workdays_between_counts_after_a_up_to_and_including_b(shipped):
    assert shipped.workdays_between("2026-02-13", "2026-02-27") == 5
    assert shipped.workdays_between("2026-02-27", "2026-02-13") == -5
    assert shipped.workdays_between("2026-03-02", "2026-03-02") == 0


def test_overrides_file_adds_a_published_year(tmp_path):
    path = write_overrides(
        tmp_path / "h.json",
        {"2027": {"holidays": ["2027-01-01", "2027-01-02", "2027-01-03"], "workdays": ["2027-01-09"], "source": "x"}},
    )
    cal = WorkCalendar.from_file(path)
    assert cal.is_known_year(2027)
    assert cal.add_workdays("2026-12-31", 1) == DayResult(dt.date(2027, 1, 4), False)
    assert cal.is_workday("2027-01-09")
    assert cal.overrides[2027].source == "x"


def test_env_var_points_the_default_calendar_at_another_file(tmp_path, monkeypatch):
    path = write_overrides(tmp_path / "h.json", {"2027": {"holidays": ["2027-01-01"], "workdays": []}})
    monkeypatch.setenv(ENV_VAR, path)
    assert default_calendar().is_known_year(2027)
    assert add_workdays("2026-12-31", 1) == DayResult(dt.date(2027, 1, 4), False)


def test_an_edited_overrides_file_is_picked_up_without_restart(tmp_path, monkeypatch):
    target = tmp_path / "h.json"
    write_overrides(target, {})
    monkeypatch.setenv(ENV_VAR, str(target))
    assert not default_calendar().is_known_year(2027)
    write_overrides(target, {"2027": {"holidays": [], "workdays": []}})
    later = os.stat(target).st_mtime_ns + 1_000_000_000
    os.utime(target, ns=(later, later))
    assert default_calendar().is_known_year(2027)


def test_overrides_file_takes_precedence_over_the_package(tmp_path):
    cal = WorkCalendar.from_file(write_overrides(tmp_path / "h.json", {"2026": {"holidays": ["2026-03-02"]}}))
    assert not cal.is_workday("2026-03-02")
    assert not cal.is_workday("2026-02-16")  # days the file does not mention keep the package's answer
    assert cal.is_workday("2026-02-14")


def test_missing_env_file_is_reported(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "absent.json"))
    with pytest.raises(DefinitionError) as info:
        default_calendar()
    assert info.value.file == str(tmp_path / "absent.json")


@pytest.mark.parametrize(
    "years",
    [
        {"2027": {"holidays": ["2027-02-30"]}},
        {"2027": {"holidays": ["2028-01-01"]}},
        {"2027": {"holidays": ["2027-01-01"], "workdays": ["2027-01-01"]}},
        {"27": {"holidays": []}},
        {"2027": {"holidays": "2027-01-01"}},
    ],
)
def test_malformed_overrides_file_names_the_file(tmp_path, years):
    path = write_overrides(tmp_path / "bad.json", years)
    with pytest.raises(DefinitionError) as info:
        WorkCalendar.from_file(path)
    assert info.value.file == path
    assert info.value.message


def test_overrides_file_that_is_not_json_is_reported(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(DefinitionError):
        WorkCalendar.from_file(path)


def test_bad_date_text_is_refused_in_chinese(shipped):
    with pytest.raises(ValidationError, match="2026-13-01"):
        shipped.is_workday("2026-13-01")


def test_workdays_between_counts_the_same_as_walking_day_by_day_across_years():
    import datetime as dt
    import random

    from engine.workdays import WorkCalendar, default_calendar

    fast = default_calendar()
    walker = WorkCalendar(fast.overrides)

    def walk(a, b):
        if b < a:
            return -walk(b, a)
        count, day = 0, a
        while day < b:
            day += dt.timedelta(days=1)
            count += walker.is_workday(day)
        return count

    rng = random.Random(20261123)
    for _ in range(500):
        a = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 1800))
        b = a + dt.timedelta(days=rng.randint(-400, 400))
        assert fast.workdays_between(a, b) == walk(a, b), (a, b)
    assert fast.workdays_between("2025-09-30", "2025-10-09") == 1  # the National Day week: only 10-09 works
