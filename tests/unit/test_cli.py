"""The developers' command line prints statutory deadlines as the README shows."""

from __future__ import annotations

import pytest

from engine.cli import main


@pytest.mark.parametrize(("start", "period", "expected"), [
    ("2025-09-26", "+7wd", "2025-10-13\n"),
    ("2025-09-16", "+15cd", "2025-10-09\n"),
    ("2026-09-12", "+15CD", "2026-09-28\n"),
])
def test_deadline_command_prints_the_due_date(capsys, start, period, expected):
    assert main(["deadline", start, period]) == 0
    assert capsys.readouterr().out == expected


def test_deadline_in_an_unpublished_year_is_marked_provisional(capsys):
    assert main(["deadline", "2026-12-20", "+15wd"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2027-01-08") and "provisional" in out


def test_a_malformed_period_is_refused_with_usage(capsys):
    assert main(["deadline", "2026-03-02", "+7 weeks"]) == 2
    assert "use +7wd, +15cd or +3m" in capsys.readouterr().err
