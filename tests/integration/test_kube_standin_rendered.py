"""What the domain renders (domain/cluster: an execution's Workflow, a deployment's InferenceService, the Secrets)
runs on the stand-in through KubernetesCluster: inputs read from S3 with the object store secret's credentials,
outputs written under the execution, AICORE_* env and secretKeyRefs reaching the step, the predictor ready."""
from __future__ import annotations

import http.client

import boto3
import pytest
from moto import mock_aws

from chalicelib.adapters.k8s.cluster import KubernetesCluster
from chalicelib.domain.cluster.inference_service import deployment_inference_service
from chalicelib.domain.cluster.namespaces import namespace_for
from chalicelib.domain.cluster.resource_plans import DEFAULT_RESOURCE_PLANS
from chalicelib.domain.cluster.secret_manifests import generic_secret, object_store_secret
from chalicelib.domain.cluster.workflow_manifest import ExecutionSpec, S3Location, execution_workflow
from tests.support.kube_standin import kube_standin

NS = namespace_for("t1", "default")
EXECUTION = "e0a1b2c3d4e5f6a7"
STORE = S3Location("tenant-bucket", "prefix", credentials_secret="aic-objectstore-default")

TEMPLATE = {
    "apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTemplate",
    "metadata": {"name": "train", "labels": {"scenarios.ai.sap.com/id": "scn"}},
    "spec": {
        "entrypoint": "main",
        "arguments": {"parameters": [{"name": "lr", "default": "0.1"}]},
        "templates": [
            {"name": "main", "steps": [[{"name": "prep", "template": "prep"}],
                                       [{"name": "fit", "template": "fit", "arguments": {"artifacts": [
                                           {"name": "x", "from": "{{steps.prep.outputs.artifacts.x}}"}]}}]]},
            {"name": "prep", "inputs": {"artifacts": [{"name": "data", "path": "/in/data.csv"}]},
             "outputs": {"artifacts": [{"name": "x", "path": "/x/rows.txt"}]},
             "container": {"image": "python:3.12", "command": ["python", "-c",
                           "rows = open('/in/data.csv').read().split(); open('/x/rows.txt', 'w').write(str(len(rows)))"]}},
            {"name": "fit", "inputs": {"artifacts": [{"name": "x", "path": "/x/rows.txt"}]},
             "outputs": {"artifacts": [{"name": "model", "path": "/model", "globalName": "model",
                                        "archive": {"none": {}}}]},
             "script": {"image": "python:3.12", "command": ["python"],
                        "env": [{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "api_token", "key": "t"}}}],
                        "source": "import os\nos.makedirs('/model', exist_ok=True)\n"
                                  "open('/model/weights.txt', 'w').write(open('/x/rows.txt').read() + ' rows, lr "
                                  "{{workflow.parameters.lr}}')\n"
                                  "print(os.environ['AICORE_EXECUTION_ID'], os.environ['TOKEN'])\n"}},
        ]},
}

SERVING = {
    "apiVersion": "ai.sap.com/v1alpha1", "kind": "ServingTemplate",
    "metadata": {"name": "serve", "labels": {"scenarios.ai.sap.com/id": "scn", "ai.sap.com/version": "1.0"}},
    "spec": {
        "inputs": {"parameters": [{"name": "greeting", "default": "hello"}]},
        "template": {
            "apiVersion": "serving.kserve.io/v1beta1",
            "metadata": {"labels": "ai.sap.com/resourcePlan: starter\n"},
            "spec": """
predictor:
  containers:
  - name: kserve-container
    image: docker.io/example/serve:1.0
    ports:
      - containerPort: 9001
        protocol: TCP
    command: ["python", "-c", "import http.server, os, sys\\nclass H(http.server.BaseHTTPRequestHandler):\\n  def do_GET(self):\\n    out = sys.argv[1].encode()\\n    self.send_response(200); self.send_header('Content-Length', str(len(out))); self.end_headers(); self.wfile.write(out)\\nhttp.server.HTTPServer(('127.0.0.1', int(os.environ['PORT'])), H).serve_forever()"]
    args: ["{{inputs.parameters.greeting}}"]
"""}}}


@pytest.fixture
def kube():
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        for bucket in ("tenant-bucket", "platform"):
            s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket="tenant-bucket", Key="prefix/datasets/reviews.csv", Body=b"a\nb\nc\n")
        with kube_standin() as standin:
            cluster = KubernetesCluster(standin.api_client())
            cluster.ensure_namespace(NS, {})
            cluster.apply_secret(NS, object_store_secret("default", NS, "AKIA", "shh"))
            cluster.apply_secret(NS, generic_secret("api_token", NS, {"t": "c2VjcmV0"}))
            yield standin, cluster, s3


def test_a_rendered_execution_reads_its_input_and_registers_its_output(kube):
    standin, cluster, s3 = kube
    spec = ExecutionSpec(execution_id=EXECUTION, namespace=NS, parameters={"lr": "0.5"},
                         inputs={"data": STORE.joined("datasets/reviews.csv")},
                         outputs=S3Location("platform", "tenants/t1/default"),
                         env={"AICORE_EXECUTION_ID": EXECUTION, "AICORE_TRACKING_ENDPOINT": "http://track"},
                         pull_secrets=[], service_account="aicore-workload", resource_plans=DEFAULT_RESOURCE_PLANS)
    cluster.create_workflow(NS, execution_workflow(TEMPLATE, spec))
    standin.workflows.wait(NS, EXECUTION, 30)
    status = cluster.get_workflow(NS, EXECUTION)["status"]
    assert status["phase"] == "Succeeded", status
    weights = s3.get_object(Bucket="platform", Key=f"tenants/t1/default/{EXECUTION}/model/weights.txt")
    assert weights["Body"].read() == b"3 rows, lr 0.5"
    assert status["outputs"]["artifacts"][0]["s3"]["key"] == f"tenants/t1/default/{EXECUTION}/model"
    fit = next(p for p in cluster.list_pods(NS, f"workflows.argoproj.io/workflow={EXECUTION}")
               if p["metadata"]["annotations"]["workflows.argoproj.io/node-name"].endswith(".fit"))
    assert cluster.pod_logs(NS, fit["metadata"]["name"], "main").split(" ", 1)[1].strip() == f"{EXECUTION} secret"
    # the step-to-step artifact went under the execution, keyed by the pod that wrote it
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="platform")["Contents"]]
    assert any(k.startswith(f"tenants/t1/default/{EXECUTION}/{EXECUTION}-prep-") for k in keys), keys


def test_a_rendered_inference_service_becomes_ready_and_answers(kube):
    import time
    standin, cluster, _ = kube
    manifest = deployment_inference_service(SERVING, deployment_id="d0a1b2c3d4e5f6a7", namespace=NS,
                                            parameters={"greeting": "bonjour"}, artifacts={}, pull_secrets=[],
                                            service_account="aicore-workload", resource_plans=DEFAULT_RESOURCE_PLANS)
    name = manifest["metadata"]["name"]
    cluster.apply_inference_service(NS, manifest)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        service = cluster.get_inference_service(NS, name)
        ready = {c["type"]: c["status"] for c in (service.get("status") or {}).get("conditions") or []}
        if ready.get("Ready") == "True":
            break
        time.sleep(0.05)
    else:
        raise AssertionError(service)
    connection = http.client.HTTPConnection("127.0.0.1", int(standin.ingress_url.rsplit(":", 1)[1]), timeout=10)
    connection.request("GET", "/", headers={"Host": service["status"]["url"].split("://", 1)[1]})
    assert connection.getresponse().read() == b"bonjour"
