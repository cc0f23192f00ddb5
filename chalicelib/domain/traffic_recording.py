"""Traffic recording for model monitoring: which predictions of a deployment are kept, in what shape, and where.

A ServingTemplate opts in with the annotation `ai.sap.com/recordTraffic: "<rate>"` (0 < rate <= 1, the share of
requests kept). A sampled request whose body and answer are both JSON becomes one JSON line
  {"time", "deploymentId", "method", "path", "status", "request", "response"}
written to the deployment's own resource group, object store secret `default`, at
  monitoring/<deploymentId>/<yyyy-mm-dd>/<yyyymmddThhmmss.ffffffZ>-<id>.jsonl
so a drift run binds `ai://default/monitoring/<deploymentId>` (every day) or one day's folder as its traffic window.
Bodies above MAX_BODY_BYTES are not kept: monitoring must never hold a large payload in memory on the data path.
Where and how the line is written (asynchronously, bounded) is the adapter's; nothing here does I/O.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Optional

from .clock import to_wire
from .context import TenantContext

ANNOTATION = "ai.sap.com/recordTraffic"
OBJECT_STORE_SECRET = "default"
ROOT = "monitoring"
MAX_BODY_BYTES = 64 * 1024

# (ctx, object path under the `default` secret, bytes) -> None; must not block (the adapter queues).
Write = Callable[[TenantContext, str, bytes], None]


def sample_rate(template: Any) -> float:
    """The template's sample rate from its annotation; 0.0 (record nothing) when absent or not a number in (0, 1]
    (a rate above 1 is read as 1: "record everything" is what such a value means)."""
    metadata = template.get("metadata") if isinstance(template, dict) else None
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    raw = annotations.get(ANNOTATION) if isinstance(annotations, dict) else None
    try:
        rate = float(str(raw).strip())
    except (TypeError, ValueError):
        return 0.0
    if math.isnan(rate) or rate <= 0:
        return 0.0
    return min(rate, 1.0)


def is_sampled(rate: float, draw: float) -> bool:
    """`draw` is uniform in [0, 1): a request is kept with probability `rate`."""
    return rate > 0 and draw < rate


def deployment_folder(deployment_id: str) -> str:
    return f"{ROOT}/{deployment_id}"


def record_path(deployment_id: str, when: datetime, record_id: str) -> str:
    when = when.astimezone(timezone.utc)
    return (f"{deployment_folder(deployment_id)}/{when:%Y-%m-%d}/"
            f"{when:%Y%m%dT%H%M%S.%f}Z-{record_id}.jsonl")


def _json(body: bytes) -> Any:
    """The parsed body, or a sentinel when it is not JSON (then nothing is recorded)."""
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _NOT_JSON


_NOT_JSON = object()


def traffic_record(when: datetime, deployment_id: str, method: str, path: str, status: int, request: bytes,
                   response: bytes) -> Optional[bytes]:
    """One JSON line, or None when the exchange is not a JSON prediction within the size bound."""
    if len(request) > MAX_BODY_BYTES or len(response) > MAX_BODY_BYTES:
        return None
    request_json, response_json = _json(request), _json(response)
    if request_json is _NOT_JSON or response_json is _NOT_JSON:
        return None
    line = {"time": to_wire(when), "deploymentId": deployment_id, "method": method, "path": path,
            "status": status, "request": request_json, "response": response_json}
    return json.dumps(line, separators=(",", ":"), ensure_ascii=False).encode("utf-8") + b"\n"


@dataclass
class Capture:
    """One sampled exchange on its way through the proxy: the response is fed as it is relayed."""

    ctx: TenantContext
    deployment_id: str
    method: str
    path: str
    request: bytes
    started: datetime
    record_id: str
    write: Write
    response: bytearray = field(default_factory=bytearray, repr=False)
    overflow: bool = False

    def feed(self, piece: bytes) -> None:
        if self.overflow:
            return
        if len(self.response) + len(piece) > MAX_BODY_BYTES:
            self.overflow = True
            self.response = bytearray()  # too large to keep: let go of what was gathered
            return
        self.response += piece

    def finish(self, status: int) -> bool:
        """Hands the record to the writer; False when the exchange is not recorded."""
        if self.overflow:
            return False
        line = traffic_record(self.started, self.deployment_id, self.method, self.path, status, self.request,
                              bytes(self.response))
        if line is None:
            return False
        self.write(self.ctx, record_path(self.deployment_id, self.started, self.record_id), line)
        return True


class TrafficRecorder:
    """Decides, per request, whether it is recorded (the proxy asks before relaying)."""

    def __init__(self, write: Write, now: Callable[[], datetime], draw: Callable[[], float],
                 new_id: Callable[[], str]):
        self._write = write
        self._now = now
        self._draw = draw
        self._new_id = new_id

    def capture(self, ctx: TenantContext, deployment_id: str, rate: float, method: str, path: str,
                request: Optional[bytes]) -> Optional[Capture]:
        """A Capture to feed the response into, or None (not opted in, not sampled, not a JSON POST)."""
        if rate <= 0 or method != "POST":
            return None
        if not is_sampled(rate, self._draw()):
            return None
        body = request or b""
        if len(body) > MAX_BODY_BYTES:
            return None
        return Capture(ctx, deployment_id, method, path, body, self._now(), self._new_id(), self._write)
