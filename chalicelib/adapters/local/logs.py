"""LogStore until an engine writes logs: nothing is collected yet, so every run has an empty log."""
from __future__ import annotations

from datetime import datetime
from typing import List

from chalicelib.domain.context import TenantContext
from chalicelib.domain.logs import LogEntry
from chalicelib.domain.records import Kind


class EmptyLogStore:
    def read(self, ctx: TenantContext, kind: Kind, run_id: str, start: datetime, end: datetime, top: int,
             order: str) -> List[LogEntry]:
        return []
