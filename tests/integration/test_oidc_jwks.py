"""Production auth path: tokens from an OIDC issuer verified through its JWKS (served on loopback)."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.adapters.auth.jwt_tokens import JwtVerifier, jwks_keys
from chalicelib.domain.errors import Unauthorized

ISSUER = "https://cognito-idp.eu-central-1.amazonaws.com/pool"


@pytest.fixture(scope="module")
def issuer_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def jwks_url(issuer_key):
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(issuer_key.public_key()))
    jwk.update({"kid": "k1", "use": "sig", "alg": "RS256"})
    payload = json.dumps({"keys": [jwk]}).encode()
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"
    server.shutdown()


def token(key, kid="k1", **claims):
    now = int(time.time())
    body = {"iss": ISSUER, "aud": "aicore", "iat": now, "exp": now + 300, "custom:tenant": "acme",
            "client_id": "c1", **claims}
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def verifier(jwks_url):
    return JwtVerifier(jwks_keys(jwks_url), ISSUER, "aicore", "custom:tenant")


def test_valid_token_names_tenant(verifier, issuer_key):
    principal = verifier.verify(token(issuer_key))
    assert principal.tenant == "acme" and principal.client_id == "c1"


@pytest.mark.parametrize("claims", [{"aud": "other"}, {"iss": "https://evil"}, {"exp": 1}, {"custom:tenant": ""}])
def test_bad_claims_rejected(verifier, issuer_key, claims):
    with pytest.raises(Unauthorized):
        verifier.verify(token(issuer_key, **claims))


def test_unknown_key_id_rejected(verifier, issuer_key):
    with pytest.raises(Unauthorized):
        verifier.verify(token(issuer_key, kid="nope"))


def test_foreign_signature_rejected(verifier):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(Unauthorized):
        verifier.verify(token(other))


def test_app_in_oidc_mode(aws, jwks_url, issuer_key):
    """The whole app with AICORE_AUTH_MODE=oidc: the same routes, tokens from the external issuer."""
    from app import app
    from chalicelib import bootstrap
    from tests.support.api_client import Api

    settings = aws.model_copy(update={"auth_mode": "oidc", "oidc_jwks_url": jwks_url, "oidc_issuer": ISSUER,
                                      "oidc_audience": "aicore", "tenant_claim": "custom:tenant"})
    bootstrap.configure(settings)
    try:
        client = Api(app, aws)
        ok = client.call("GET", "/v2/admin/tenantInfo", token=f"Bearer {token(issuer_key)}")
        assert ok.status == 200 and ok.json["tenantId"] == "acme"
        local = client.call("GET", "/v2/admin/tenantInfo")  # signed by the local key: not trusted in oidc mode
        assert local.status == 401
    finally:
        bootstrap.reset()
