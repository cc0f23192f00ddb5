"""Cron expressions as AI Core takes them: five fields, evaluated in UTC.

Syntax: `minute hour day-of-month month day-of-week`; each field is a comma list of `*`, `n` or `a-b`, each
optionally followed by `/step`. Months and weekdays may also be 3-letter names (JAN..DEC, SUN..SAT, any case);
weekday 0 and 7 are both Sunday. A day matches when day-of-month OR day-of-week matches if both are restricted
(classic cron). Seconds or year fields, `@` macros and the Quartz/Jenkins extensions (L, W, #, ?, H) are refused
with a reason, because AI Core does not take them either.

croniter does the calendar arithmetic; the syntax check in front of it exists because croniter is more lenient
(it takes 6 and 7 fields, `L`, `#`, and silently wraps a backwards range such as `5-3`).
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import List, Sequence, Set

from croniter import CroniterBadCronError, CroniterBadDateError, croniter

from .errors import InvalidInput

RUN_ALWAYS = "* * * * *"  # AI Core: "run always", a new run as soon as the previous one ends
FIELD_HELP = "minute hour day-of-month month day-of-week"
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
WEEKDAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
# (name, lowest, highest, names mapped to lowest..)
FIELDS = (("minute", 0, 59, ()), ("hour", 0, 23, ()), ("day-of-month", 1, 31, ()), ("month", 1, 12, MONTHS),
          ("day-of-week", 0, 7, WEEKDAYS))
ITEM = re.compile(r"^(?:(?P<star>\*)|(?P<lo>[0-9]+|[A-Za-z]+)(?:-(?P<hi>[0-9]+|[A-Za-z]+))?)(?:/(?P<step>[0-9]+))?$")
# A calendar span with leap years in it, for "do two consecutive days ever both fire?".
_SPAN_START, _SPAN_DAYS = date(2024, 1, 1), 366 + 365 * 3 + 366 + 365 * 3


def normalize(expr: str) -> str:
    return " ".join((expr or "").split())


def validate(expr: str) -> str:
    """The normalized expression, or InvalidInput saying what is wrong with it."""
    text = normalize(expr)
    if not text:
        raise InvalidInput(f"'cron' is empty: give 5 fields ({FIELD_HELP}), for example '0 2 * * *'.",
                           target="cron")
    if text.startswith("@"):
        raise InvalidInput(f"Cron '{text}': macros such as @reboot or @daily are not supported; write the 5 "
                           f"fields ({FIELD_HELP}), for example '0 0 * * *' for daily.", target="cron")
    parts = text.split(" ")
    if len(parts) != 5:
        raise InvalidInput(f"Cron '{text}' has {len(parts)} fields; exactly 5 are needed ({FIELD_HELP}). "
                           "Seconds and year fields are not supported.", target="cron")
    for part, spec in zip(parts, FIELDS):
        _check_field(text, part, *spec)
    try:
        croniter.expand(text)
        croniter(text, datetime(2024, 1, 1, tzinfo=timezone.utc)).get_next(datetime)
    except CroniterBadDateError:
        raise InvalidInput(f"Cron '{text}' never fires (no such date, e.g. 30 February).", target="cron") from None
    except (CroniterBadCronError, ValueError) as err:
        raise InvalidInput(f"Cron '{text}' is not valid: {err}.", target="cron") from None
    return text


def _check_field(text: str, part: str, field: str, low: int, high: int, names: Sequence[str]) -> None:
    for item in part.split(","):
        match = ITEM.match(item)
        if not match:
            raise InvalidInput(f"Cron '{text}': '{item}' in the {field} field is not valid; use *, n, a-b, a step "
                               "such as */15 or 0-30/5, or a comma list of these.", target="cron")
        values = [_value(text, match[g], field, low, high, names) for g in ("lo", "hi") if match[g]]
        if len(values) == 2 and values[0] > values[1]:
            raise InvalidInput(f"Cron '{text}': range '{match['lo']}-{match['hi']}' in the {field} field runs "
                               "backwards; ranges go from low to high.", target="cron")
        if match["step"] is not None and not 1 <= int(match["step"]) <= high - low + 1:
            raise InvalidInput(f"Cron '{text}': step '/{match['step']}' in the {field} field must be between 1 "
                               f"and {high - low + 1}.", target="cron")


def _value(text: str, token: str, field: str, low: int, high: int, names: Sequence[str]) -> int:
    if token.isdigit():
        number = int(token)
        if not low <= number <= high:
            raise InvalidInput(f"Cron '{text}': {number} is outside the {field} range {low}-{high}.", target="cron")
        return number
    upper = token.upper()
    if upper in names:
        return names.index(upper) + low
    hint = f" or a name such as {names[1]}" if names else ""
    raise InvalidInput(f"Cron '{text}': '{token}' in the {field} field is not a number{hint}.", target="cron")


def next_fire(expr: str, after: datetime) -> datetime:
    """The first fire strictly after `after` (UTC)."""
    return croniter(expr, after.astimezone(timezone.utc)).get_next(datetime).astimezone(timezone.utc)


def minimum_gap_seconds(expr: str) -> int:
    """The shortest time between two consecutive fires of a valid expression.

    Exact below one day; a cron that fires at most once a day and never on two consecutive days reports
    two days (a lower bound), which is all a minimum-interval check needs.
    """
    (minutes, hours, doms, months, dows), _ = croniter.expand(normalize(expr))
    times = sorted(h * 60 + m for h in _all(hours, 0, 23) for m in _all(minutes, 0, 59))
    gaps = [later - earlier for earlier, later in zip(times, times[1:])]
    if _fires_on_consecutive_days(doms, months, dows):
        gaps.append(times[0] + 24 * 60 - times[-1])
    return min(gaps) * 60 if gaps else 2 * 86400


def _all(values: List, low: int, high: int) -> Set[int]:
    return set(range(low, high + 1)) if values == ["*"] else {int(v) for v in values}


def _fires_on_consecutive_days(doms: List, months: List, dows: List) -> bool:
    dom_star, dow_star = doms == ["*"], dows == ["*"]
    if dom_star and dow_star:
        return True
    dom_set, month_set = _all(doms, 1, 31), _all(months, 1, 12)
    dow_set = {v % 7 for v in _all(dows, 0, 6)}

    def fires(day: date) -> bool:
        if day.month not in month_set:
            return False
        on_dom, on_dow = day.day in dom_set, (day.weekday() + 1) % 7 in dow_set
        if dom_star:
            return on_dow
        if dow_star:
            return on_dom
        return on_dom or on_dow

    previous = False
    for offset in range(_SPAN_DAYS):
        current = fires(_SPAN_START + timedelta(days=offset))
        if current and previous:
            return True
        previous = current
    return False


def check_min_interval(expr: str, min_seconds: int) -> None:
    """Refuse crons that fire more often than allowed; `* * * * *` is AI Core's "run always" and passes."""
    if normalize(expr) == RUN_ALWAYS or min_seconds <= 60:
        return
    gap = minimum_gap_seconds(expr)
    if gap < min_seconds:
        raise InvalidInput(
            f"Cron '{normalize(expr)}' fires every {_duration(gap)} at times; the minimum interval here is "
            f"{_duration(min_seconds)}. Use '{RUN_ALWAYS}' to start a new run whenever the previous one ends.",
            target="cron")


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        return f"{seconds // 3600} hour(s)"
    if seconds % 60 == 0:
        return f"{seconds // 60} minute(s)"
    return f"{seconds} second(s)"

