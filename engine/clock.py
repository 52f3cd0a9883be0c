"""The case clock: China time, freezable per context, and read by SpiffWorkflow's timers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import SpiffWorkflow.bpmn.specs.event_definitions.timer as spiff_timer

# China has had no daylight saving time since 1991: a fixed offset needs no tz database.
CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")

# ---------------------------------------------------------------------------------------------------------------- clock

_frozen_at: ContextVar[datetime | None] = ContextVar("enforceflow_clock", default=None)


def _as_moment(value: datetime | date | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        return value.astimezone(CHINA_TZ) if value.tzinfo else value.replace(tzinfo=CHINA_TZ)
    # A bare date freezes the clock at noon, so a timer due at that day's 00:00 has already fired.
    return datetime.combine(value, time(12), CHINA_TZ)


class Clock:
    """The case clock: real China time unless the runtime (or a test) froze it for the current context."""

    @staticmethod
    def now() -> datetime:
        """The current moment, timezone-aware in China time."""
        return _frozen_at.get() or datetime.now(CHINA_TZ)

    @staticmethod
    def current_date() -> date:
        """Today's date in China."""
        return Clock.now().date()

    @staticmethod
    @contextmanager
    def frozen(moment: datetime | date | str) -> Iterator[datetime]:
        """Fix the clock at `moment` (naive = China time; a date = noon that day) inside the block."""
        fixed = _as_moment(moment)
        token = _frozen_at.set(fixed)
        try:
            yield fixed
        finally:
            _frozen_at.reset(token)


use_clock = Clock.frozen


class _ClockDatetimeMeta(type):
    # The timer module also uses its `datetime` name in isinstance checks, on values that may be plain datetimes.
    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, datetime)


class ClockDatetime(datetime, metaclass=_ClockDatetimeMeta):
    """`datetime` whose now() reads our Clock."""

    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
        moment = Clock.now()
        return moment.astimezone(tz) if tz is not None else moment.astimezone().replace(tzinfo=None)


def install_timer_clock() -> None:
    """Make SpiffWorkflow's timers read our Clock.

    SpiffWorkflow 3.2.0 decides whether a timer is due with `datetime.now(timezone.utc)` inside
    `SpiffWorkflow.bpmn.specs.event_definitions.timer`, and offers no hook.  Replacing that module's `datetime`
    name lets the runtime fire timers against the case clock (replays, demos, tests with a frozen date) while
    behaving exactly as before when no clock is frozen.
    """
    if spiff_timer.datetime is not ClockDatetime:
        spiff_timer.datetime = ClockDatetime


install_timer_clock()
