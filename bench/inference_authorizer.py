"""The AWS inference path's added decision: the `inference_authorizer` function's work per request (a real RS256
token verified, the deployment read from DynamoDB, the KServe host named), against its peer in the same process, the
local front's proxy decision (same token check; the serving predictor is known in memory, no table read).

One run, figures only (no pass/fail). DynamoDB is moto in-process here, which is slower than DynamoDB in a region
(single-digit milliseconds for a GetItem from Lambda); API Gateway's own hops (invoking the authorizer function,
the VPC link and the load balancer to the ingress) are AWS's and cannot be measured without an account.
usage: python bench/inference_authorizer.py [N]
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
for name, value in (("AWS_ACCESS_KEY_ID", "bench"), ("AWS_SECRET_ACCESS_KEY", "bench"),
                    ("AWS_DEFAULT_REGION", "eu-central-1")):
    os.environ.setdefault(name, value)

from moto import mock_aws  # noqa: E402

from chalicelib import bootstrap  # noqa: E402
from chalicelib.adapters.auth.jwt_tokens import LocalTokenIssuer  # noqa: E402
from chalicelib.adapters.aws.inference_authorizer import handle  # noqa: E402
from chalicelib.adapters.local.emulator import provision  # noqa: E402
from chalicelib.adapters.local.keys import load_signing_key  # noqa: E402
from chalicelib.domain.context import TenantContext  # noqa: E402
from chalicelib.domain.inference import InferenceAccess  # noqa: E402
from chalicelib.domain.lifecycle import Status  # noqa: E402
from chalicelib.domain.runs import Deployment  # noqa: E402
from chalicelib.settings import Settings  # noqa: E402

DEPLOYMENT = "d0123456789abcde"
ARN = f"arn:aws:execute-api:eu-central-1:123456789012:abc/prd/POST/v2/inference/deployments/{DEPLOYMENT}/v1/m"


def median_ms(call, n: int) -> float:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main(n: int) -> None:
    with tempfile.TemporaryDirectory(prefix="aicore-bench-") as home, mock_aws():
        settings = Settings(home=Path(home), stage="tst")
        provision(settings)
        c = bootstrap.configure(settings)
        now = datetime.now(timezone.utc)
        ctx = TenantContext("t1", "rg1")
        d = Deployment(id=DEPLOYMENT, configuration_id="c1", configuration_name="c", scenario_id="s",
                       executable_id="e", status=Status.RUNNING, inference_url="u", created_at=now, modified_at=now)
        c.store.create(ctx, d.to_record(DEPLOYMENT))
        token = LocalTokenIssuer(load_signing_key(settings.keys_dir), settings.local_issuer, 3600).issue(
            "t1", "client-t1")["access_token"]
        event = {"type": "REQUEST", "methodArn": ARN, "pathParameters": {"deploymentId": DEPLOYMENT},
                 "headers": {"Authorization": f"Bearer {token}", "AI-Resource-Group": "rg1"}}
        aws = c.cluster_inference_access
        local = InferenceAccess(c.verifier, c.store, lambda ctx_, i: "http://127.0.0.1:9" if i == DEPLOYMENT else None)
        started = time.perf_counter()
        assert handle(aws, event)["policyDocument"]["Statement"][0]["Effect"] == "Allow"
        first = (time.perf_counter() - started) * 1000
        for _ in range(50):  # warm both (key parsing, moto's first requests)
            handle(aws, event)
            local.resolve(token, "rg1", DEPLOYMENT)
        authorizer = median_ms(lambda: handle(aws, event), n)
        peer = median_ms(lambda: local.resolve(token, "rg1", DEPLOYMENT), n)
        print(f"authorizer decision: first {first:6.2f} ms, warm median {authorizer:6.3f} ms (token + deployment read "
              f"on moto + host); local proxy decision (peer): {peer:6.3f} ms; ratio {authorizer / peer:4.1f} "
              f"(median of {n})")
        bootstrap.reset()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
