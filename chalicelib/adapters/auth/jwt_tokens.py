"""JWT verification (a local key or an OIDC issuer's JWKS) and the local issuer behind /oauth/token."""
from __future__ import annotations

import time
from typing import Any, Callable, Optional

import jwt

from chalicelib.domain.auth import Principal
from chalicelib.domain.errors import Unauthorized

ALGORITHMS = ["RS256"]


class JwtVerifier:
    """Checks signature, expiry, issuer and audience; the tenant comes from one configured claim."""

    def __init__(self, key_for: Callable[[str], Any], issuer: Optional[str], audience: Optional[str],
                 tenant_claim: str):
        self._key_for = key_for
        self._issuer = issuer
        self._audience = audience
        self._tenant_claim = tenant_claim

    def verify(self, token: str) -> Principal:
        try:
            key = self._key_for(token)
            claims = jwt.decode(
                token, key, algorithms=ALGORITHMS, issuer=self._issuer, audience=self._audience,
                options={"require": ["exp", "iat"], "verify_aud": self._audience is not None},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("Token has expired: fetch a new one from /oauth/token.") from None
        except (jwt.PyJWTError, ValueError) as err:
            raise Unauthorized(f"Token is not valid: {err}.") from None
        tenant = claims.get(self._tenant_claim)
        if not isinstance(tenant, str) or not tenant or "#" in tenant:
            raise Unauthorized(f"Token does not name a tenant (claim '{self._tenant_claim}').")
        scopes = claims.get("scope") or []
        if isinstance(scopes, str):
            scopes = scopes.split()
        restricted = frozenset(s for s in scopes if s.startswith("aicore.metrics.write:"))
        return Principal(tenant=tenant, client_id=claims.get("client_id") or claims.get("sub"), scopes=restricted)


def static_key(public_key: Any) -> Callable[[str], Any]:
    return lambda _token: public_key


def jwks_keys(jwks_url: str) -> Callable[[str], Any]:
    """Keys from the issuer's JWKS, fetched on first use and cached by PyJWT (refetched on unknown kid)."""
    client = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=3600)

    def key_for(token: str) -> Any:
        try:
            return client.get_signing_key_from_jwt(token).key
        except jwt.PyJWKClientError as err:
            raise Unauthorized(f"Token signing key not found at the issuer: {err}.") from None

    return key_for


class LocalTokenIssuer:
    """Signs client-credentials tokens for the local stack, naming the tenant in `zid` like XSUAA does."""

    def __init__(self, private_key: Any, issuer: str, ttl_seconds: int, key_id: str = "local"):
        self._key = private_key
        self._issuer = issuer
        self._ttl = ttl_seconds
        self._kid = key_id

    def issue(self, tenant: str, client_id: str, scope: Optional[str] = None, ttl: Optional[int] = None) -> dict:
        now = int(time.time())
        lifetime = ttl or self._ttl
        claims = {"iss": self._issuer, "sub": client_id, "client_id": client_id, "zid": tenant,
                  "iat": now, "exp": now + lifetime}
        if scope:
            claims["scope"] = scope
        token = jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self._kid})
        return {"access_token": token, "token_type": "bearer", "expires_in": lifetime, "scope": scope or "",
                "jti": f"{client_id}-{now}"}
