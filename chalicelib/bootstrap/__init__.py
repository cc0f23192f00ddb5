"""Composition root: builds adapters and services once per process. Tests call override()/reset().

`from chalicelib import bootstrap` and `bootstrap.container()` / `configure` / `override` / `reset` are the
interface; the Container's wiring lives in this package's modules by family."""
from __future__ import annotations

import threading
from typing import Any, Optional

from ..settings import Settings, get_settings
from .aws_engine import AwsEngineWiring
from .git_sync import GitSyncWiring
from .infrastructure import InfrastructureWiring
from .local_engine import LocalEngineWiring
from .services import ServiceWiring
from .telemetry import TelemetryWiring


class Container(InfrastructureWiring, ServiceWiring, LocalEngineWiring, GitSyncWiring, AwsEngineWiring,
                TelemetryWiring):
    """Each service is built on first use, so a route pays only for what it touches. The wiring is split by family
    (infrastructure.py, services.py, local_engine.py, git_sync.py, aws_engine.py, telemetry.py); a service of one
    family may use another family's: they meet here."""


_lock = threading.Lock()
_container: Optional[Container] = None


def container() -> Container:
    global _container
    if _container is None:
        with _lock:
            if _container is None:
                _container = Container(get_settings())
    return _container


def configure(settings: Settings, **overrides: Any) -> Container:
    """Build the container from explicit settings (local stack, tests); overrides replace services."""
    global _container
    with _lock:
        _container = Container(settings)
        for name, value in overrides.items():
            _container.__dict__[name] = value
    return _container


def override(**services: Any) -> None:
    """Swap services (fakes) into the current container."""
    c = container()
    for name, value in services.items():
        c.__dict__[name] = value


def reset() -> None:
    global _container
    with _lock:
        _container = None
