"""Wire models for /lm/executionSchedules."""
from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Dict, Literal, Optional

from pydantic import Field

from .common import ID_PATTERN, Body, Wire, stated
from .time import WireTime


def _cron() -> str:
    """5 fields, each `*`, `*/step` or a comma list of numbers in the field's range (domain.cron.FIELDS): a subset
    of what domain.cron accepts (it also takes ranges and names), chosen so that every such cron fires (days 1-28
    exist in every month). The minimum interval between runs is the stack's (GET /v2/lm/meta)."""
    fields = (r"[0-5]?[0-9]", r"1?[0-9]|2[0-3]", r"0?[1-9]|1[0-9]|2[0-8]", r"0?[1-9]|1[0-2]", r"[0-7]")
    return "^" + " ".join(rf"(?:\*(?:/[1-7])?|(?:{f})(?:,(?:{f}))*)" for f in fields) + "$"


CRON = _cron()


class ScheduleCreate(Body):
    """`start` must be before `end`, and `end` still ahead.

    `name` is required by the spec but left out by AI Core's own ML Operations reference: the configuration's
    name stands in."""

    cron: str = Field(max_length=256, json_schema_extra=stated(CRON))
    name: Optional[str] = Field(default=None, min_length=1, max_length=256)
    configuration_id: str = Field(pattern=ID_PATTERN)
    start: Optional[datetime] = None
    end: Optional[datetime] = None


class SchedulePatch(Body):
    """All optional, at least one; a JSON null `end` removes the end (merge-patch style)."""

    NULLABLE = ("end",)
    SCHEMA_EXTRA: ClassVar[Dict[str, Any]] = {"minProperties": 1}

    cron: Optional[str] = Field(default=None, max_length=256, json_schema_extra=stated(CRON))
    start: Optional[datetime] = None
    end: Optional[datetime] = None
    configuration_id: Optional[str] = Field(default=None, pattern=ID_PATTERN)
    status: Optional[Literal["ACTIVE", "INACTIVE"]] = None


class ScheduleOut(Wire):
    id: str
    name: str
    cron: str
    configuration_id: str
    start: Optional[WireTime] = None
    end: Optional[WireTime] = None
    status: Literal["ACTIVE", "INACTIVE"]
    created_at: WireTime
    modified_at: WireTime
