"""The offline AWS end-to-end test's stand-in for API Gateway's inference hop (tests/integration/
test_aws_offline_e2e.py): the REQUEST event its authorizer gets, and the request its VPC link sends to the cluster's
ingress."""
from __future__ import annotations

import http.client
import json
from typing import Any, Dict
from urllib.parse import urlparse


def authorizer_event(deployment_url: str, token: str, resource_group: str, proxy: str,
                     method: str = "POST") -> Dict[str, Any]:
    """The REQUEST authorizer event API Gateway sends for `{deploymentUrl}/{proxy}`."""
    path = urlparse(deployment_url).path.rstrip("/")
    deployment_id = path.rsplit("/", 1)[-1]
    return {"type": "REQUEST", "httpMethod": method, "path": f"{path}/{proxy}",
            "resource": "/v2/inference/deployments/{deploymentId}/{proxy+}",
            "methodArn": f"arn:aws:execute-api:eu-central-1:123456789012:e2eapi/tst/{method}{path}/{proxy}",
            "headers": {"Authorization": f"Bearer {token}", "AI-Resource-Group": resource_group},
            "pathParameters": {"deploymentId": deployment_id, "proxy": proxy}}


def through_ingress(ingress_url: str, host: str, proxy: str, body: bytes = b"{}") -> tuple:
    """What the VPC link's HTTP_PROXY integration sends: the request, with Host set to the authorizer's
    context.host. Returns (status, parsed JSON or raw bytes)."""
    target = urlparse(ingress_url)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    try:
        connection.request("POST", f"/{proxy}", body=body, headers={"Host": host,
                                                                    "Content-Type": "application/json"})
        answer = connection.getresponse()
        data = answer.read()
    finally:
        connection.close()
    try:
        return answer.status, json.loads(data)
    except ValueError:
        return answer.status, data
