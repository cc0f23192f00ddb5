"""Operational figures (domain/telemetry.py): where requests, run ends, predictor health, schedule fires and
sync failures are reported. On AWS (the stepfunctions engine) CloudWatch metrics in the embedded metric format;
the local stack swaps in its Prometheus registry (adapters/local/operator_metrics.use_local_metrics) before it
builds the engines; anything else (unit tests, tools) records nothing."""
from __future__ import annotations

from functools import cached_property

from .base import Wiring


class TelemetryWiring(Wiring):
    @cached_property
    def telemetry(self):
        if self.settings.engine == "stepfunctions":  # AWS: CloudWatch through Powertools' embedded metric format
            from ..adapters.aws.emf_telemetry import EmfTelemetry

            return EmfTelemetry(self.settings.stage)
        from ..domain.telemetry import NullTelemetry

        return NullTelemetry()
