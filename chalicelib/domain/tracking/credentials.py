"""Tracking credentials: what lets code inside a run write that run's metrics, and nothing else.

ai_core_sdk inside a run (AICORE_EXECUTION_ID and AICORE_TRACKING_ENDPOINT set) sends
`PATCH ${AICORE_TRACKING_ENDPOINT}/api/v1/metrics` with an EMPTY Authorization header and no resource group.
So the credential travels in the endpoint URL itself: `{base}/v2/tracking/{credential}`. A credential is an
HMAC-signed, expiring grant of `aicore.metrics.write:<executionId>` in one tenant and resource group.

Training code written after AI Core's ML operations reference posts to `{AICORE_API_URL}/v2/lm/executions/
{id}/metrics` with `Authorization: Bearer {AICORE_AUTH_TOKEN}`: the same credential, prefixed with
RUN_TOKEN_PREFIX so it can never be taken for a JWT (those begin with "eyJ"). Either form stops working when
the run ends (metrics.check_run_live).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Dict

from ..auth import Principal
from ..clock import Clock
from ..context import TenantContext
from ..errors import Unauthorized

# The scope a run credential carries: it may write the metrics of its own execution only (metrics.py checks it).
WRITE_SCOPE_PREFIX = "aicore.metrics.write:"

TRACKING_PREFIX = "/v2/tracking/"
RUN_TOKEN_PREFIX = "aicore-run."


@dataclass(frozen=True)
class TrackingGrant:
    tenant: str
    resource_group: str
    execution_id: str

    @property
    def context(self) -> TenantContext:
        return TenantContext(self.tenant, self.resource_group, False, f"tracking:{self.execution_id}")

    @property
    def principal(self) -> Principal:
        return Principal(self.tenant, f"tracking:{self.execution_id}",
                         frozenset({WRITE_SCOPE_PREFIX + self.execution_id}), self.resource_group)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TrackingCredentials:
    def __init__(self, key: bytes, clock: Clock, ttl: timedelta = timedelta(days=7)):
        self._key = key
        self._clock = clock
        self._ttl = ttl

    def mint(self, ctx: TenantContext, execution_id: str) -> str:
        exp = int((self._clock.now() + self._ttl).timestamp())
        payload = json.dumps({"t": ctx.tenant, "rg": ctx.require_resource_group(), "x": execution_id, "exp": exp},
                             separators=(",", ":")).encode()
        return f"{_b64(payload)}.{_b64(self._sign(payload))}"

    def run_environment(self, base_url: str, ctx: TenantContext, execution_id: str) -> Dict[str, str]:
        """What a run's steps get: the SDK's tracking endpoint, and the reference's API URL and token (the
        stack's root URL, so that `+ "/v2/lm/..."` is right)."""
        credential = self.mint(ctx, execution_id)
        return {"AICORE_TRACKING_ENDPOINT": f"{base_url}{TRACKING_PREFIX}{credential}",
                "AICORE_API_URL": base_url, "AICORE_AUTH_TOKEN": RUN_TOKEN_PREFIX + credential}

    def verify(self, credential: str) -> TrackingGrant:
        try:
            body, _, signature = (credential or "").partition(".")
            payload = _unb64(body)
            if not hmac.compare_digest(_unb64(signature), self._sign(payload)):
                raise ValueError("signature")
            claims = json.loads(payload)
            grant = TrackingGrant(str(claims["t"]), str(claims["rg"]), str(claims["x"]))
            expired = int(claims["exp"]) < self._clock.now().timestamp()
        except (ValueError, KeyError, TypeError):
            raise Unauthorized("The tracking credential in the URL is not valid: use the AICORE_TRACKING_ENDPOINT "
                               "the run was given.") from None
        if expired:
            raise Unauthorized("The tracking credential has expired.")
        return grant

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._key, b"aicore-tracking:" + payload, hashlib.sha256).digest()
