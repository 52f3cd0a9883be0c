"""The Chinese working-day calendar: published holiday data, an administrator's overrides file, and a
weekends-only estimate, flagged provisional, for years whose holidays are not published yet."""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime as dt
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import chinese_calendar
import chinese_calendar.constants

from engine.errors import DefinitionError, ValidationError

ENV_VAR = "ENFORCEFLOW_CALENDAR"
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "workflows" / "calendar" / "holidays.json"

_PACKAGE_DAYS = chinese_calendar.constants.holidays.keys() | chinese_calendar.constants.workdays.keys()
PACKAGE_YEARS = range(min(_PACKAGE_DAYS).year, max(_PACKAGE_DAYS).year + 1)

DateLike = dt.date | str
_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class DayResult:
    """A computed day; provisional when it depends on a year whose holidays are not known."""

    date: dt.date
    provisional: bool = False

    def isoformat(self) -> str:
        """The day as an ISO string, as stored in case data."""
        return self.date.isoformat()


@dataclass(frozen=True)
class YearOverride:
    """One year of the 国务院办公厅 notice: days off and make-up workdays (调休上班)."""

    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    source: str = ""


def as_date(value: DateLike) -> dt.date:
    """Turn a date, datetime or ISO string into a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return dt.date.fromisoformat(text[:10] if len(text) > 10 and text[10] in "T " else text)
        except ValueError:
            raise ValidationError(f"日期格式错误：「{value}」，应为 YYYY-MM-DD 形式") from None
    raise TypeError(f"expected a date or an ISO date string, got {type(value).__name__}")


def calendar_path() -> Path:
    """The overrides file: $ENFORCEFLOW_CALENDAR, else workflows/calendar/holidays.json."""
    return Path(os.environ.get(ENV_VAR) or DEFAULT_PATH)


def _parse_days(raw: object, year: int, where: str, file: str) -> frozenset[dt.date]:
    """Parse one list of ISO dates that must all lie in `year`."""
    if not isinstance(raw, list):
        raise DefinitionError(f"节假日文件中 {where} 应为日期列表", field=where, file=file)
    days = set()
    for item in raw:
        try:
            day = dt.date.fromisoformat(item) if isinstance(item, str) else None
        except ValueError:
            day = None
        if day is None:
            raise DefinitionError(f"节假日文件中 {where} 的日期「{item}」格式错误", field=where, file=file)
        if day.year != year:
            raise DefinitionError(f"节假日文件中 {where} 的日期「{item}」不属于 {year} 年", field=where, file=file)
        days.add(day)
    return frozenset(days)


def _parse_year(key: str, entry: object, file: str) -> tuple[int, YearOverride]:
    """Parse one `years` entry of the overrides file."""
    where = f"years.{key}"
    if not (key.isdigit() and len(key) == 4) or not isinstance(entry, dict):
        raise DefinitionError(f"节假日文件中 {where} 应为四位年份及其放假安排", field=where, file=file)
    year = int(key)
    holidays = _parse_days(entry.get("holidays", []), year, f"{where}.holidays", file)
    workdays = _parse_days(entry.get("workdays", []), year, f"{where}.workdays", file)
    both = sorted(holidays & workdays)
    if both:
        raise DefinitionError(f"节假日文件中 {both[0].isoformat()} 同时列为放假日和调休上班日", field=where, file=file)
    return year, YearOverride(holidays, workdays, str(entry.get("source", "")))


def load_overrides(path: str | Path) -> dict[int, YearOverride]:
    """Read the administrator's holidays file; a malformed file raises DefinitionError naming it."""
    file = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DefinitionError(f"找不到节假日文件：{file}", file=file) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DefinitionError(f"节假日文件无法读取：{exc}", file=file) from None
    years = data.get("years") if isinstance(data, dict) else None
    if not isinstance(years, dict):
        raise DefinitionError("节假日文件应包含 years 对象", field="years", file=file)
    return dict(_parse_year(key, entry, file) for key, entry in years.items())


class WorkCalendar:
    """Working days: Mon–Fri unless a day off, plus announced make-up workdays (REFERENCE §8)."""

    def __init__(self, overrides: Mapping[int, YearOverride] | None = None) -> None:
        self.overrides: dict[int, YearOverride] = dict(overrides or {})
        self._running: dict[int, list[int]] = {}  # per year: workdays from 1 January up to each day, inclusive

    @classmethod
    def from_file(cls, path: str | Path) -> WorkCalendar:
        """A calendar with the package data plus the overrides file at `path`."""
        return cls(load_overrides(path))

    def is_known_year(self, year: int) -> bool:
        """Whether the year's holidays are published (in the overrides file or the package)."""
        return year in self.overrides or year in PACKAGE_YEARS

    def is_workday(self, d: DateLike) -> bool:
        """Whether `d` is a 工作日: the file's entries first, then the package, else weekdays only."""
        day = as_date(d)
        override = self.overrides.get(day.year)
        if override is not None and day in override.workdays:
            return True
        if override is not None and day in override.holidays:
            return False
        if day.year in PACKAGE_YEARS:
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def _looked_at(self, day: dt.date) -> bool:
        """True when the day lies in an unknown year, so a result depending on it is provisional."""
        return not self.is_known_year(day.year)

    def roll_forward(self, d: DateLike) -> DayResult:
        """`d` if it is a workday, else the first workday after it (民诉 85; 民法典 203)."""
        day, provisional = as_date(d), False
        while True:
            provisional |= self._looked_at(day)
            if self.is_workday(day):
                return DayResult(day, provisional)
            day += _ONE_DAY

    def next_workday(self, d: DateLike) -> DayResult:
        """The first workday strictly after `d`."""
        return self.roll_forward(as_date(d) + _ONE_DAY)

    def add_workdays(self, start: DateLike, n: int) -> DayResult:
        """The n-th workday after `start`, the start day not counted (民法典 201; 处罚法 85)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        day, provisional = as_date(start), False
        while n > 0:
            day += _ONE_DAY
            provisional |= self._looked_at(day)
            if self.is_workday(day):
                n -= 1
        return DayResult(day, provisional)

    def add_calendar_days(self, start: DateLike, n: int, roll_forward: bool = True) -> DayResult:
        """`start` + n days; a last day off moves to the next workday (民诉 85; 民法典 203)."""
        end = as_date(start) + dt.timedelta(days=n)
        return self.roll_forward(end) if roll_forward else DayResult(end)

    def add_months(self, start: DateLike, n: int, roll_forward: bool = True) -> DayResult:
        """Same day number n months later, month end if none (民法典 202), then rolled forward (203)."""
        first = as_date(start)
        index = first.year * 12 + first.month - 1 + n
        year, month = divmod(index, 12)
        last_day = _stdlib_calendar.monthrange(year, month + 1)[1]
        end = dt.date(year, month + 1, min(first.day, last_day))
        return self.roll_forward(end) if roll_forward else DayResult(end)

    def workdays_between(self, a: DateLike, b: DateLike) -> int:
        """Workdays after `a` up to and including `b` (negative when `b` is before `a`).

        Counted from per-year running totals, so a 待办 list of many deadlines costs a lookup per row."""
        first, last = as_date(a), as_date(b)
        if last < first:
            return -self.workdays_between(last, first)
        total = self._running_total(last) - self._running_total(first)
        for year in range(first.year, last.year):
            total += self._year(year)[-1]
        return total

    def _year(self, year: int) -> list[int]:
        running = self._running.get(year)
        if running is None:
            running, count, day = [], 0, dt.date(year, 1, 1)
            while day.year == year:
                count += self.is_workday(day)
                running.append(count)
                day += _ONE_DAY
            self._running[year] = running
        return running

    def _running_total(self, day: dt.date) -> int:
        return self._year(day.year)[day.timetuple().tm_yday - 1]


@lru_cache(maxsize=4)
def _calendar_for(path: str, stamp: int | None) -> WorkCalendar:
    """One calendar per file version, so an administrator's edit is picked up without a restart."""
    return WorkCalendar.from_file(path) if stamp is not None else WorkCalendar()


def default_calendar() -> WorkCalendar:
    """The shared calendar; an explicitly configured but missing file is an error, a missing default is not."""
    path = calendar_path()
    try:
        stamp: int | None = path.stat().st_mtime_ns
    except FileNotFoundError:
        if os.environ.get(ENV_VAR):
            raise DefinitionError(f"找不到节假日文件：{path}（由 {ENV_VAR} 指定）", file=str(path)) from None
        stamp = None
    return _calendar_for(str(path), stamp)


def add_workdays(start: DateLike, n: int) -> DayResult:
    """`start` + n 工作日 on the default calendar (处罚法 85; 行政强制法 69; 许可法 82)."""
    return default_calendar().add_workdays(start, n)


def add_calendar_days(start: DateLike, n: int, roll_forward: bool = True) -> DayResult:
    """`start` + n 日 on the default calendar, rolled off days off (民诉 85; 民法典 203)."""
    return default_calendar().add_calendar_days(start, n, roll_forward)
