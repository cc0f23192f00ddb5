"""Time as the AI API writes it: UTC with seconds (the Python clients reject any other offset)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional, Protocol

from .errors import InvalidInput


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


def to_wire(value: Optional[datetime]) -> Optional[str]:
    """2024-05-01T12:00:00Z, or with microseconds when present."""
    if value is None:
        return None
    value = value.astimezone(timezone.utc)
    if value.microsecond:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(text: str, field: str = "timestamp") -> datetime:
    """Accept RFC 3339 (Z or any offset, optional fraction); naive values are taken as UTC."""
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(
            f"'{field}' must be an RFC 3339 timestamp such as 2024-05-01T12:00:00Z, got '{text}'.",
            target=field,
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)
