"""Where a run stands on the cluster, in the AI API's words: what the orchestration steps write to its record."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Optional

from ..lifecycle import Status

ENDED = (Status.COMPLETED, Status.DEAD, Status.STOPPED)


@dataclass(frozen=True)
class Progress:
    status: Status  # PENDING, RUNNING, COMPLETED, DEAD or STOPPED
    message: Optional[str] = None  # the statusMessage; None leaves the record's as it is
    details: Optional[Dict[str, Any]] = None  # statusDetails; None leaves the record's as it is
    outputs: Dict[str, str] = field(default_factory=dict)  # global output artifacts produced: name -> object key
    terminated: bool = False  # the Workflow was shut down (a stop), whatever its phase says

    @property
    def ended(self) -> bool:
        return self.status in ENDED
