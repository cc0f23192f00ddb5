"""What the offline AWS end-to-end tests (tests/integration/test_aws_offline_e2e.py) onboard and call: their own
templates in Git, a tenant's set-up through the API's routes, and the inference hop through API Gateway's
authorizer to the cluster's ingress."""
from __future__ import annotations

import hashlib
import http.client
import json
import textwrap
import time
from typing import Any, Callable, Dict, Optional
from urllib.parse import urlparse

import yaml

SCENARIO = "e2e-aws"
TRAIN, PEEK, SERVE = "e2e-train", "e2e-peek", "e2e-serve"
SECRET = "creds"  # a generic secret every tenant has, each with its own value
OTHERS_SECRET = "t2-only"  # a generic secret only tenant t2 has

# The training step: `mode` ok (train and write the model), fail (exit 3), hold (print, then wait to be stopped).
# It prints a digest of the secret it was given, never the secret.
TRAIN_PY = textwrap.dedent("""
    import hashlib, os, sys, time
    mode, data, out = sys.argv[1:4]
    print('mode', mode, flush=True)
    print('secret', hashlib.sha256(os.environ['TOKEN'].encode()).hexdigest()[:16], flush=True)
    if mode == 'fail':
        print('cannot converge', file=sys.stderr, flush=True)
        sys.exit(3)
    if mode == 'hold':
        time.sleep(120)
    rows = open(os.path.join(data, 'train.csv')).read().splitlines()
    os.makedirs(out, exist_ok=True)
    open(os.path.join(out, 'weights.txt'), 'w').write(f'rows={len(rows)}')
    print('trained on', len(rows), 'rows', flush=True)
""")

# The predictor: listens on $PORT (as Knative asks), answers every request with its greeting and the path.
PREDICTOR_PY = textwrap.dedent("""
    import http.server, json, os
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get('Content-Length') or 0))
            body = json.dumps({'greeting': os.environ['GREETING'], 'path': self.path}).encode()
            self.send_response(200)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def log_message(self, *args):
            pass
    print('serving', os.environ['GREETING'], flush=True)
    http.server.HTTPServer(('127.0.0.1', int(os.environ['PORT'])), Handler).serve_forever()
""")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


def _metadata(name: str) -> Dict[str, Any]:
    return {"name": name,
            "annotations": {"scenarios.ai.sap.com/name": "Offline AWS end-to-end",
                            "executables.ai.sap.com/name": name,
                            "artifacts.ai.sap.com/dataset.kind": "dataset",
                            "artifacts.ai.sap.com/model.kind": "model"},
            "labels": {"scenarios.ai.sap.com/id": SCENARIO, "ai.sap.com/version": "1.0.0"}}


def workflow_template(name: str, secret: str) -> Dict[str, Any]:
    step = {"name": "train",
            "inputs": {"artifacts": [{"name": "dataset", "path": "/data"}]},
            "outputs": {"artifacts": [{"name": "model", "globalName": "model", "path": "/out/model",
                                       "archive": {"none": {}}}]},
            "container": {"image": "python:3.12", "command": ["python", "-c", TRAIN_PY],
                          "args": ["{{workflow.parameters.mode}}", "/data", "/out/model"],
                          "env": [{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": secret,
                                                                                   "key": "token"}}}]}}
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTemplate", "metadata": _metadata(name),
            "spec": {"entrypoint": "main",
                     "arguments": {"parameters": [{"name": "mode", "value": "ok"}]},
                     "templates": [{"name": "main", "steps": [[{"name": "train", "template": "train"}]]}, step]}}


def serving_template() -> Dict[str, Any]:
    predictor = {"predictor": {"containers": [{
        "name": "kserve-container", "image": "python:3.12", "command": ["python", "-c", PREDICTOR_PY],
        "env": [{"name": "GREETING", "value": "{{inputs.parameters.greeting}}"}]}]}}
    metadata = _metadata(SERVE)
    metadata["annotations"] = {k: v for k, v in metadata["annotations"].items() if "artifacts" not in k}
    return {"apiVersion": "ai.sap.com/v1alpha1", "kind": "ServingTemplate", "metadata": metadata,
            "spec": {"inputs": {"parameters": [{"name": "greeting", "default": "hello", "type": "string"}]},
                     "template": {"apiVersion": "serving.kserve.io/v1beta1",
                                  "metadata": {"labels": "ai.sap.com/resourcePlan: starter\n"},
                                  "spec": yaml.safe_dump(predictor, sort_keys=False)}}}


def templates() -> Dict[str, str]:
    """workflows/*.yaml of the test's repository: training, a training that reads a secret its tenant lacks,
    serving."""
    return {f"workflows/{name}.yaml": yaml.safe_dump(document, sort_keys=False)
            for name, document in ((TRAIN, workflow_template(TRAIN, SECRET)),
                                   (PEEK, workflow_template(PEEK, OTHERS_SECRET)),
                                   (SERVE, serving_template()))}


# -- a tenant's set-up, through the routes -----------------------------------------------------------------------
def ok(result):
    assert result.status < 300, result
    return result.json


def onboard(api, tenant: str, repo_url: str) -> None:
    """Repository and application as a user registers them; the sync itself is the git-poll function's."""
    ok(api.call("POST", "/v2/admin/repositories", {"name": "e2e", "url": repo_url, "username": "", "password": ""},
                tenant=tenant))
    ok(api.call("POST", "/v2/admin/applications", {"repositoryUrl": repo_url, "revision": "HEAD",
                                                   "path": "workflows", "applicationName": "e2e"}, tenant=tenant))


def prepare(api, tenant: str, secrets: Dict[str, str]) -> str:
    """The group's default object store (the platform's bucket), generic secrets, a dataset; its artifact id."""
    import base64

    ok(api.call("POST", "/v2/admin/objectStoreSecrets", {"name": "default", "type": "S3", "data": {}}, tenant=tenant,
                rg=None))
    for name, value in secrets.items():
        ok(api.call("POST", "/v2/admin/secrets", {"name": name, "data": {"token": base64.b64encode(
            value.encode()).decode()}}, tenant=tenant))
    ok(api.call("PUT", "/v2/lm/dataset/files/default/e2e/data/train.csv", raw=b"text,label\ngood,1\nbad,0\n",
                headers={"Content-Type": "text/csv"}, tenant=tenant))
    return ok(api.call("POST", "/v2/lm/artifacts", {"name": "e2e data", "kind": "dataset",
                                                    "url": "ai://default/e2e/data", "scenarioId": SCENARIO},
                       tenant=tenant))["id"]


def configuration(api, tenant: str, executable: str, name: str, parameters: Dict[str, str],
                  dataset: Optional[str] = None) -> str:
    body = {"name": name, "scenarioId": SCENARIO, "executableId": executable,
            "parameterBindings": [{"key": k, "value": v} for k, v in parameters.items()]}
    if dataset:
        body["inputArtifactBindings"] = [{"key": "dataset", "artifactId": dataset}]
    return ok(api.call("POST", "/v2/lm/configurations", body, tenant=tenant))["id"]


def until(read: Callable[[], Any], check: Callable[[Any], bool], timeout: float = 30.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if check(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what or 'condition'} not reached in {timeout} s: {value}")
        time.sleep(0.05)


# -- the inference hop: API Gateway's authorizer, then the ingress with the Host it gives --------------------------
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
