"""Cron validation (AI Core's 5 fields) and the minimum-interval rule."""
from datetime import datetime, timezone

import pytest

from chalicelib.domain import cron
from chalicelib.domain.errors import InvalidInput


@pytest.mark.parametrize("expr", [
    "0 2 * * *", "*/15 * * * *", "0 0 1 JAN *", "0 9 * * MON-FRI", "0 9 * * mon,wed,fri", "30 1 1-7 * 0",
    "0 0 * * 7", "0 0 29 2 *", "0 0-12/6 * jan-mar *", "5,35 * * * *", "* * * * *",
])
def test_valid_expressions_pass_normalized(expr):
    assert cron.validate("  " + expr.replace(" ", "   ") + " ") == expr


@pytest.mark.parametrize("expr, words", [
    ("", "empty"),
    ("@reboot", "macros"),
    ("@daily", "macros"),
    ("0 0 * * * *", "6 fields"),
    ("0 0 0 * * * 2024", "7 fields"),
    ("0 0 *", "3 fields"),
    ("60 * * * *", "outside the minute range 0-59"),
    ("0 24 * * *", "outside the hour range 0-23"),
    ("0 0 0 * *", "outside the day-of-month range 1-31"),
    ("0 0 * 13 *", "outside the month range 1-12"),
    ("0 0 * * 8", "outside the day-of-week range 0-7"),
    ("5-3 * * * *", "runs backwards"),
    ("*/0 * * * *", "step '/0'"),
    ("0 0 L * *", "not a number"),
    ("0 0 * * 1#2", "not valid"),
    ("0 0 ? * *", "not valid"),
    ("H * * * *", "not a number"),
    ("0 0 * * FUNDAY", "not a number or a name such as MON"),
    ("0 0 * FOO *", "not a number or a name such as FEB"),
    ("0 0 30 2 *", "never fires"),
])
def test_invalid_expressions_say_what_is_wrong(expr, words):
    with pytest.raises(InvalidInput) as err:
        cron.validate(expr)
    assert words in err.value.message and err.value.target == "cron"


@pytest.mark.parametrize("expr, gap", [
    ("0 * * * *", 3600),
    ("*/15 * * * *", 900),
    ("0,10 */2 * * *", 600),
    ("0 2 * * *", 86400),
    ("30 0,23 * * *", 3600),  # 23:30 -> 00:30 the next day
    ("0,59 0,23 * * *", 60),  # 23:59 -> 00:00 crosses midnight
    ("0 0 1 * *", 2 * 86400),  # monthly: reported as the 2-day lower bound
    ("59 23 * * 1", 2 * 86400),
    ("0 0,23 * * 1,2", 3600),  # Monday 23:00 -> Tuesday 00:00
    ("0 0,23 * * 1,3", 23 * 3600),  # never two consecutive days: the gap inside a day wins
    ("0 0,23 31 * 1", 3600),  # day-of-month OR weekday: the 31st then a Monday the 1st happens
])
def test_minimum_gap(expr, gap):
    assert cron.minimum_gap_seconds(expr) == gap


def test_min_interval_rejects_frequent_crons_with_the_setting_in_the_message():
    cron.check_min_interval("0 * * * *", 3600)
    with pytest.raises(InvalidInput) as err:
        cron.check_min_interval("*/30 * * * *", 3600)
    assert "30 minute(s)" in err.value.message and "1 hour(s)" in err.value.message
    with pytest.raises(InvalidInput):
        cron.check_min_interval("0,59 0,23 * * *", 3600)


def test_run_always_is_exempt_from_the_minimum_interval():
    cron.check_min_interval("* * * * *", 3600)
    with pytest.raises(InvalidInput):
        cron.check_min_interval("*/1 * * * *", 3600)


def test_next_fire_is_strictly_after_and_utc():
    t = datetime(2024, 1, 1, 10, 0, tzinfo=timezone.utc)
    assert cron.next_fire("0 10 * * *", t) == datetime(2024, 1, 2, 10, 0, tzinfo=timezone.utc)
    assert cron.next_fire("0 9 * * MON", t).tzinfo is not None
    assert cron.next_fire("0 9 * * MON", t) == datetime(2024, 1, 8, 9, 0, tzinfo=timezone.utc)
