"""Wire models for /lm/executionSchedules."""
from __future__ import annotations

from datetime import datetime
from typing import Literal, Optional

from pydantic import Field

from .common import ID_PATTERN, Body, Wire
from .time import WireTime


class ScheduleCreate(Body):
    """`name` is required by the spec but left out by AI Core's own ML Operations reference: the configuration's
    name stands in."""

    cron: str = Field(max_length=256)
    name: Optional[str] = Field(default=None, min_length=1, max_length=256)
    configuration_id: str = Field(pattern=ID_PATTERN)
    start: Optional[datetime] = None
    end: Optional[datetime] = None


class SchedulePatch(Body):
    """All optional; a JSON null `end` removes the end (merge-patch style)."""

    cron: Optional[str] = Field(default=None, max_length=256)
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
