"""Model monitoring on the cluster: KServe's payload logger sends a deployment's predictions here, and a sampled
share of them is stored in the layout the local proxy writes (traffic_recording.py).

KServe's logger (the agent sidecar of an InferenceService with `spec.predictor.logger`) POSTs every request and
every response as a CloudEvent in binary mode: the body is the payload as the predictor saw it; the headers carry
`Ce-Id` (the same for a request and its response), `Ce-Type` (`org.kubeflow.serving.inference.request` or
`.response`) and `Ce-Time`. It sends no credential of its own, so the logger URL carries one: a signed grant to
record one deployment's traffic at the template's rate, minted when the InferenceService is applied (at submit,
so it never passes through a state machine's history).

Each half is stored as its own object (`<time>-<ce-id>.request.json` / `.response.json` in the deployment's day
folder): the collector is a stateless function, and the two halves arrive as separate calls, often to different
instances. The drift workflow joins them by id. Sampling hashes the event id, so both halves of an exchange are
kept or dropped together.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping, Optional, Tuple

from .auth import Principal
from .clock import Clock, to_wire
from .context import TenantContext
from .errors import InvalidInput, Unauthorized
from .traffic_recording import MAX_BODY_BYTES, deployment_folder

TRAFFIC_PREFIX = "/v2/monitoring/traffic/"
WRITE_SCOPE_PREFIX = "aicore.traffic.write:"
PARTS = {"org.kubeflow.serving.inference.request": "request",
         "org.kubeflow.serving.inference.response": "response"}
# A deployment's credential lives as long as its InferenceService; a re-apply (configuration switch) mints anew.
LIFETIME = timedelta(days=400)


@dataclass(frozen=True)
class TrafficGrant:
    tenant: str
    resource_group: str
    deployment_id: str
    rate: float

    @property
    def context(self) -> TenantContext:
        return TenantContext(self.tenant, self.resource_group, False, f"traffic:{self.deployment_id}")

    @property
    def principal(self) -> Principal:
        """Restricted: no route but the collector's takes it (a scope no other route checks for)."""
        return Principal(self.tenant, f"traffic:{self.deployment_id}",
                         frozenset({WRITE_SCOPE_PREFIX + self.deployment_id}), self.resource_group)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TrafficCredentials:
    """Signed with the stack's tracking key under a purpose of its own: a run's tracking credential is no traffic
    credential, and the other way round."""

    def __init__(self, key: bytes, clock: Clock):
        self._key = key
        self._clock = clock

    def mint(self, ctx: TenantContext, deployment_id: str, rate: float) -> str:
        exp = int((self._clock.now() + LIFETIME).timestamp())
        payload = json.dumps({"t": ctx.tenant, "rg": ctx.require_resource_group(), "d": deployment_id, "r": rate,
                              "exp": exp}, separators=(",", ":")).encode()
        return f"{_b64(payload)}.{_b64(self._sign(payload))}"

    def logger_url(self, base_url: str, ctx: TenantContext, deployment_id: str, rate: float) -> str:
        return f"{base_url}{TRAFFIC_PREFIX}{self.mint(ctx, deployment_id, rate)}"

    def verify(self, credential: str) -> TrafficGrant:
        try:
            body, _, signature = (credential or "").partition(".")
            payload = _unb64(body)
            if not hmac.compare_digest(_unb64(signature), self._sign(payload)):
                raise ValueError("signature")
            claims = json.loads(payload)
            grant = TrafficGrant(str(claims["t"]), str(claims["rg"]), str(claims["d"]), float(claims["r"]))
            expired = int(claims["exp"]) < self._clock.now().timestamp()
        except (ValueError, KeyError, TypeError):
            raise Unauthorized("The traffic credential in the URL is not valid.") from None
        if expired:
            raise Unauthorized("The traffic credential has expired: re-apply the deployment.")
        return grant

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._key, b"aicore-traffic:" + payload, hashlib.sha256).digest()


def kept(rate: float, event_id: str) -> bool:
    """The same answer for a request and its response: a hash of the id, not a random draw."""
    digest = hashlib.sha256(event_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2 ** 64 < rate


def _when(text: Optional[str], now: datetime) -> datetime:
    try:
        when = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return now
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def half_record(grant: TrafficGrant, headers: Mapping[str, str], body: bytes,
                now: datetime) -> Optional[Tuple[str, bytes]]:
    """(object path under the `default` store, bytes) for a kept half, None for a dropped one; InvalidInput when
    the call is not one of KServe's logger events."""
    headers = {k.lower(): v for k, v in headers.items()}
    event_id, part = headers.get("ce-id", ""), PARTS.get(headers.get("ce-type", ""))
    if not event_id or part is None or len(event_id) > 200 or "/" in event_id:
        raise InvalidInput("Send KServe's payload logger events: Ce-Id and a Ce-Type of "
                           f"{' or '.join(sorted(PARTS))}.")
    if not kept(grant.rate, event_id) or len(body) > MAX_BODY_BYTES:
        return None
    try:
        payload: Any = json.loads(body or b"null")
    except ValueError:
        return None  # not a JSON prediction: nothing the drift workflow could read
    when = _when(headers.get("ce-time"), now).astimezone(timezone.utc)
    record = {"id": event_id, "time": to_wire(when), "deploymentId": grant.deployment_id, "part": part,
              "body": payload}
    safe_id = "".join(c if c.isalnum() or c in "-_." else "_" for c in event_id)
    path = f"{deployment_folder(grant.deployment_id)}/{when:%Y-%m-%d}/{when:%Y%m%dT%H%M%S.%f}Z-{safe_id}.{part}.json"
    return path, json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
