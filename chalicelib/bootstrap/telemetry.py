"""Operational figures (domain/telemetry.py): where requests, run ends, predictor health, schedule fires and
sync failures are reported. Nothing by default; the local stack swaps in its Prometheus registry
(adapters/local/operator_metrics.use_local_metrics) before it builds the engines."""
from __future__ import annotations

from functools import cached_property

from .base import Wiring


class TelemetryWiring(Wiring):
    @cached_property
    def telemetry(self):
        from ..domain.telemetry import NullTelemetry

        return NullTelemetry()
