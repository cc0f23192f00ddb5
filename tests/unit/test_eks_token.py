"""The EKS bearer token (eks_token.py), offline with moto's STS: `k8s-aws-v1.` + base64url of a presigned
GetCallerIdentity URL for the region's STS host, valid 60 s, with `x-k8s-aws-id` among the signed headers; the
engine role assumed when given; renewed before it expires. And the modules the API function imports stay free of
the kubernetes client."""
from __future__ import annotations

import base64
import subprocess
import sys
from urllib.parse import parse_qs, urlparse

import pytest
from moto import mock_aws

from chalicelib.adapters.k8s.eks_token import PREFIX, EksToken

ROLE = "arn:aws:iam::123456789012:role/aicore-engine"


def decoded(token: str):
    assert token.startswith(PREFIX)
    body = token[len(PREFIX):]
    assert "=" not in body  # base64url without padding, as aws eks get-token gives it
    return urlparse(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode())


@pytest.fixture
def sts():
    with mock_aws():
        yield


def test_the_token_is_a_presigned_get_caller_identity_with_the_cluster_header_signed(sts):
    url = decoded(EksToken("prod-cluster", "eu-west-1").get())
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert url.scheme == "https" and url.netloc == "sts.eu-west-1.amazonaws.com"
    assert query["Action"] == "GetCallerIdentity" and query["Version"] == "2011-06-15"
    assert query["X-Amz-Expires"] == "60"
    assert query["X-Amz-SignedHeaders"].split(";") == ["host", "x-k8s-aws-id"]
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256" and query["X-Amz-Signature"]
    assert "/eu-west-1/sts/aws4_request" in query["X-Amz-Credential"]


def test_the_engine_role_is_assumed_when_given(sts):
    url = decoded(EksToken("prod-cluster", "eu-west-1", ROLE).get())
    query = parse_qs(url.query)
    assert "X-Amz-Security-Token" in query  # the assumed role's session credentials signed it
    assert query["X-Amz-Credential"][0].startswith("ASIA")


def test_the_token_is_renewed_before_it_expires(sts):
    now = [0.0]
    source = EksToken("c", "eu-west-1", clock=lambda: now[0])
    first = source.get()
    now[0] = 10.0
    assert source.get() == first
    now[0] = 50.0  # past RENEW_AFTER: a 60 s URL is never handed out nearly spent
    source.get()
    assert source._made == 50.0


def test_the_api_functions_log_path_does_not_import_the_kubernetes_client():
    code = ("import sys, chalicelib.adapters.k8s.pod_log_reader, chalicelib.adapters.k8s.eks_token;"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'kubernetes', 'hera', 'dulwich'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_eks_api_client_sends_a_fresh_bearer_token_and_trusts_the_cluster_ca(sts):
    from chalicelib.adapters.k8s.eks_auth import eks_api_client

    pem = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    now = [0.0]
    token = EksToken("prod-cluster", "eu-west-1", clock=lambda: now[0])
    client = eks_api_client("ABCD.gr7.eu-west-1.eks.amazonaws.com", base64.b64encode(pem).decode(), "prod-cluster",
                            "eu-west-1", token=token)
    config = client.configuration
    assert config.host == "https://ABCD.gr7.eu-west-1.eks.amazonaws.com" and config.verify_ssl
    with open(config.ssl_ca_cert, "rb") as handle:
        assert handle.read() == pem
    header = config.auth_settings()["BearerToken"]["value"]
    assert header.startswith("Bearer k8s-aws-v1.")
    decoded(header.split(" ", 1)[1])
    now[0] = 100.0
    config.auth_settings()
    assert token._made == 100.0  # asked again per request: renewed once past its age


def test_the_stand_ins_token_check_takes_ours_and_refuses_what_eks_would(sts):
    from datetime import datetime, timedelta, timezone

    from tests.support.kube_standin.eks_tokens import eks_token_problem

    token = EksToken("c", "eu-west-1").get()
    assert eks_token_problem(token) is None
    assert eks_token_problem(token, datetime.now(timezone.utc) + timedelta(minutes=2)) == "expired"
    assert eks_token_problem("k8s-aws-v1." + base64.urlsafe_b64encode(b"https://evil.example.com/?Action="
                                                                       b"GetCallerIdentity").decode()).startswith("not")
    assert eks_token_problem("Bearer x") == "not a k8s-aws-v1 token"
