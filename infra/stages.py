"""What differs between the stages of the stack (dev, tst, prd): nothing else in infra/ branches on a stage name."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict

STAGES = ("dev", "tst", "prd")


@dataclass(frozen=True)
class StageSettings:
    log_retention_days: int  # every Lambda and state machine log group (CloudWatch keeps logs for ever otherwise)
    keep_data: bool  # tables, bucket and key survive a stack deletion; point-in-time recovery on the tables


_BY_STAGE: Dict[str, StageSettings] = {
    "dev": StageSettings(log_retention_days=14, keep_data=False),
    "tst": StageSettings(log_retention_days=30, keep_data=False),
    "prd": StageSettings(log_retention_days=365, keep_data=True),
}


def stage_settings(stage: str) -> StageSettings:
    if stage not in _BY_STAGE:
        raise ValueError(f"stage must be one of {', '.join(STAGES)}")
    return _BY_STAGE[stage]
