"""Execution metrics: reported to the run on AI Core (or this project's local engine) with ai-core-sdk's Tracking."""
from datetime import datetime, timezone


def log_metrics(values: dict) -> None:
    try:
        from ai_core_sdk.models import Metric
        from ai_core_sdk.tracking import Tracking
    except ImportError:
        print("metrics (ai-core-sdk not installed):", values)
        return
    now = datetime.now(timezone.utc)
    Tracking().log_metrics(metrics=[Metric(name=k, value=float(v), timestamp=now, step=0) for k, v in values.items()])
