"""Wire models for /lm/{executions,deployments}/{id}/logs."""
from __future__ import annotations

from typing import List, Optional

from .common import Wire
from .time import WireTime


class LogLine(Wire):
    timestamp: WireTime
    msg: str
    container: Optional[str] = None
    pod: Optional[str] = None
    stream: Optional[str] = None


class LogData(Wire):
    result: List[LogLine]


class LogsOut(Wire):
    data: LogData
