"""Statutory periods (期间): parse "7WD", "15CD", "3M"; compute due dates; stop the clock and give the time back."""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.errors import ValidationError
from engine.workdays import DateLike, DayResult, WorkCalendar, as_date, default_calendar

UNIT_NAMES = {"WD": "个工作日", "CD": "日", "M": "个月"}
_PERIOD = re.compile(r"(\d{1,5})(WD|CD|M)")


@dataclass(frozen=True)
class Period:
    """A statutory period: an amount of 工作日 (WD), 日 (CD) or 月 (M)."""

    amount: int
    unit: str

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    @property
    def label(self) -> str:
        """The period as written in documents, e.g. 7个工作日, 15日, 3个月."""
        return f"{self.amount}{UNIT_NAMES[self.unit]}"


def parse_period(text: str | Period) -> Period:
    """Parse "7WD", "15CD" or "3M"; anything else is refused with a message naming the text."""
    if isinstance(text, Period):
        return text
    match = _PERIOD.fullmatch(text.strip().upper()) if isinstance(text, str) else None
    if match is None:
        raise ValidationError(f"期限「{text}」格式错误，应为数字加单位，如 7WD（工作日）、15CD（日）、3M（月）")
    return Period(int(match.group(1)), match.group(2))


def _calendar(cal: WorkCalendar | None) -> WorkCalendar:
    """The given calendar, else the shared default."""
    return cal if cal is not None else default_calendar()


def compute_due(start: DateLike, period: str | Period, cal: WorkCalendar | None = None) -> DayResult:
    """Due date of a period from `start`, start day not counted (民法典 201).

    WD counts 工作日 (处罚法 85; 行政强制法 69; 许可法 82); CD and months end on the last day, moved to the next
    workday when that day is a day off (民法典 202–203; 民诉 85).
    """
    period = parse_period(period)
    calendar = _calendar(cal)
    if period.unit == "WD":
        return calendar.add_workdays(start, period.amount)
    if period.unit == "CD":
        return calendar.add_calendar_days(start, period.amount, roll_forward=True)
    return calendar.add_months(start, period.amount, roll_forward=True)


def _clock_unit(unit: str | Period) -> str:
    """WD stays WD; CD and months are given back as calendar days."""
    code = unit.unit if isinstance(unit, Period) else str(unit).strip().upper()
    if code not in UNIT_NAMES:
        raise ValidationError(f"期限单位「{unit}」无效，应为 WD、CD 或 M")
    return "WD" if code == "WD" else "CD"


def remaining(period_unit: str | Period, now: DateLike, due: DateLike, cal: WorkCalendar | None = None) -> int:
    """Time left when the clock stops on `now` (中止: 行政强制法 39; excluded time: 许可法 45); 0 if overdue.

    WD: workdays after `now` up to and including `due` (处罚法 85); CD and months: calendar days.
    """
    if _clock_unit(period_unit) == "WD":
        left = _calendar(cal).workdays_between(now, due)
    else:
        left = (as_date(due) - as_date(now)).days
    return max(left, 0)


def resume_due(unit: str | Period, resume_on: DateLike, remaining: int, cal: WorkCalendar | None = None) -> DayResult:
    """New due date when the clock restarts: the remaining time counted from `resume_on` (行政强制法 39)."""
    calendar = _calendar(cal)
    if _clock_unit(unit) == "WD":
        return calendar.add_workdays(resume_on, remaining)
    return calendar.add_calendar_days(resume_on, remaining, roll_forward=True)


def extend(due: DateLike, period: str | Period, cal: WorkCalendar | None = None) -> DayResult:
    """Extend a deadline by a period counted from its current due date (行政强制法 25; 民法典 201–203)."""
    return compute_due(due, period, cal)
