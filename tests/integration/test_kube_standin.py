"""The k8s adapter (KubernetesCluster over the official client) against the loopback stand-in cluster, with S3 in
moto: namespaces and secrets, Workflows that succeed, fail, retry, stop and are refused, InferenceServices that
become ready and answer through the ingress, roll over, and crash."""
from __future__ import annotations

import base64
import http.client
import io
import sys
import tarfile
import time

import boto3
import pytest
from moto import mock_aws

from chalicelib.adapters.k8s.cluster import KubernetesCluster
from chalicelib.domain.cluster.ports import ClusterError, ManifestRejected
from tests.support.kube_standin import kube_standin

NS = "aic-team-a-1234"
BUCKET = "artifacts"
S3 = {"endpoint": "s3.amazonaws.com", "bucket": BUCKET, "accessKeySecret": {"name": "store", "key": "accessKey"},
      "secretKeySecret": {"name": "store", "key": "secretKey"}}
PY = sys.executable


@pytest.fixture
def kube():
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)
        with kube_standin() as standin:
            cluster = KubernetesCluster(standin.api_client())
            cluster.ensure_namespace(NS, {"ai.sap.com/tenant": "team-a"})
            cluster.apply_secret(NS, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "store"},
                                      "type": "Opaque", "data": {"accessKey": _b64("AK"), "secretKey": _b64("SK")}})
            yield standin, cluster


def _b64(text):
    return base64.b64encode(text.encode()).decode()


def workflow(name, templates, entry="main", **spec):
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"name": name},
            "spec": {"entrypoint": entry, "templates": templates, **spec}}


def py(name, code, **extra):
    return {"name": name, "container": {"image": "python:3.12", "command": ["python", "-c", code]}, **extra}


def finished(kube, name, timeout=30):
    standin, cluster = kube
    standin.workflows.wait(NS, name, timeout)
    return cluster.get_workflow(NS, name)


def test_namespace_service_account_and_secret_are_idempotent(kube):
    standin, cluster = kube
    cluster.ensure_namespace(NS, {})
    cluster.apply_secret(NS, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "store"},
                              "data": {"accessKey": _b64("AK2"), "secretKey": _b64("SK")}})
    stored = standin.cluster.objects.get(("secrets", NS, "store"))
    assert base64.b64decode(stored["data"]["accessKey"]) == b"AK2"
    assert standin.cluster.objects.get(("serviceaccounts", NS, "aicore-workload")) is not None
    cluster.delete_secret(NS, "store")
    cluster.delete_secret(NS, "store")
    cluster.delete_namespace(NS)
    cluster.delete_namespace(NS)
    assert standin.cluster.objects.get(("namespaces", "", NS)) is None


def test_a_new_namespace_gets_the_workload_account_with_its_irsa_role_and_binding(kube):
    standin, _ = kube
    role = "arn:aws:iam::123456789012:role/aicore-tst-workload"
    cluster = KubernetesCluster(standin.api_client(), workload_role_arn=role)
    for _ in range(2):  # a retried submit ensures the namespace again
        cluster.ensure_namespace("aic-other", {})
    account = standin.cluster.objects.get(("serviceaccounts", "aic-other", "aicore-workload"))
    assert account["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": role}
    binding = standin.cluster.objects.get(("rolebindings", "aic-other", "aicore-workload"))
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                  "name": "aicore-workload"}
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "aicore-workload", "namespace": "aic-other"}]


def test_two_steps_pass_a_parameter_and_write_an_artifact_to_s3(kube):
    standin, cluster = kube
    produce = py("produce", "open('/tmp/out/value.txt','w').write('42'); open('/tmp/model.bin','w').write('weights');"
                            "print('produced')",
                 outputs={"parameters": [{"name": "value", "valueFrom": {"path": "/tmp/out/value.txt"}}],
                          "artifacts": [{"name": "model", "path": "/tmp/model.bin", "globalName": "model",
                                         "s3": dict(S3, key="runs/wf1/model.tgz")}]})
    consume = py("consume", "import sys; print('got', sys.argv[1], open('/data/model.bin').read())",
                 inputs={"parameters": [{"name": "v"}], "artifacts": [{"name": "m", "path": "/data/model.bin"}]})
    consume["container"]["args"] = ["{{inputs.parameters.v}}"]
    main = {"name": "main", "steps": [[{"name": "one", "template": "produce"}],
                                      [{"name": "two", "template": "consume", "arguments": {
                                          "parameters": [{"name": "v", "value": "{{steps.one.outputs.parameters.value}}"}],
                                          "artifacts": [{"name": "m", "from": "{{steps.one.outputs.artifacts.model}}"}]}}]]}
    created = cluster.create_workflow(NS, workflow("wf1", [main, produce, consume]))
    assert created["metadata"]["name"] == "wf1"
    done = finished(kube, "wf1")
    status = done["status"]
    assert status["phase"] == "Succeeded", status
    nodes = status["nodes"]
    root = nodes["wf1"]
    assert root["type"] == "Steps" and root["phase"] == "Succeeded" and len(root["children"]) == 2
    pods = {n["displayName"]: n for n in nodes.values() if n["type"] == "Pod"}
    assert pods["one"]["outputs"]["parameters"] == [{"name": "value", "value": "42"}]
    assert pods["one"]["outputs"]["artifacts"][0]["s3"]["key"] == "runs/wf1/model.tgz"
    assert status["outputs"]["artifacts"][0]["name"] == "model"
    data = boto3.client("s3", region_name="us-east-1").get_object(Bucket=BUCKET, Key="runs/wf1/model.tgz")["Body"]
    with tarfile.open(fileobj=io.BytesIO(data.read())) as tar:
        assert tar.extractfile("model.bin").read() == b"weights"
    listed = cluster.list_pods(NS, "workflows.argoproj.io/workflow=wf1")
    assert len(listed) == 2 and all(p["status"]["phase"] == "Succeeded" for p in listed)
    by_node = {p["metadata"]["annotations"]["workflows.argoproj.io/node-name"]: p["metadata"]["name"] for p in listed}
    log = cluster.pod_logs(NS, by_node["wf1.two"], "main")
    stamp, text = log.strip().split(" ", 1)
    assert text == "got 42 weights" and stamp.endswith("Z") and "T" in stamp
    standin.workflows.gc_pods(NS, "wf1")
    assert cluster.pod_logs(NS, by_node["wf1.two"], "main") is None
    assert cluster.list_pods(NS, "workflows.argoproj.io/workflow=wf1") == []


def test_a_failing_step_fails_the_workflow_with_its_message(kube):
    _, cluster = kube
    cluster.create_workflow(NS, workflow("wf2", [py("main", "import sys; print('boom', file=sys.stderr); "
                                                            "sys.exit(3)")]))
    status = finished(kube, "wf2")["status"]
    assert status["phase"] == "Failed"
    assert "Error (exit code 3)" in status["message"]
    node = status["nodes"]["wf2"]
    assert node["type"] == "Pod" and node["phase"] == "Failed"
    pod = cluster.list_pods(NS, "workflows.argoproj.io/workflow=wf2")[0]
    assert cluster.pod_logs(NS, pod["metadata"]["name"], "main").strip().endswith(" boom")


def test_retry_strategy_retries_until_a_success(kube):
    _, cluster = kube
    flaky = py("main", "import os,sys; n=len(os.listdir('/tmp/marks')) if os.path.isdir('/tmp/marks') else 0;"
                       "print('attempt', n); sys.exit(0)", retryStrategy={"limit": 3})
    # the pod's files do not survive an attempt: the attempt number comes from Argo's {{retries}}
    flaky["container"]["command"] = ["python", "-c", "import sys; n=int(sys.argv[1]); print('attempt', n); "
                                                     "sys.exit(0 if n >= 2 else 1)", "{{retries}}"]
    cluster.create_workflow(NS, workflow("wf3", [flaky]))
    status = finished(kube, "wf3")["status"]
    assert status["phase"] == "Succeeded", status
    retry = status["nodes"]["wf3"]
    assert retry["type"] == "Retry" and len(retry["children"]) == 3
    phases = [status["nodes"][c]["phase"] for c in retry["children"]]
    assert phases == ["Failed", "Failed", "Succeeded"]


def test_terminate_stops_running_pods_and_fails_the_workflow(kube):
    standin, cluster = kube
    cluster.create_workflow(NS, workflow("wf4", [py("main", "import time; print('start', flush=True); "
                                                            "time.sleep(60)")]))
    for _ in range(100):
        pods = cluster.list_pods(NS, "workflows.argoproj.io/workflow=wf4")
        if pods and standin.cluster.logs.get((NS, pods[0]["metadata"]["name"])):
            break
        time.sleep(0.05)
    cluster.terminate_workflow(NS, "wf4")
    status = finished(kube, "wf4", timeout=10)["status"]
    assert status["phase"] == "Failed" and status["message"] == "Stopped with strategy 'Terminate'"
    assert status["nodes"]["wf4"]["phase"] == "Failed"
    assert cluster.list_pods(NS, "workflows.argoproj.io/workflow=wf4")[0]["status"]["phase"] == "Failed"
    cluster.delete_workflow(NS, "wf4")
    cluster.delete_workflow(NS, "wf4")
    assert cluster.get_workflow(NS, "wf4") is None
    cluster.terminate_workflow(NS, "wf4")  # gone: nothing to terminate


def test_an_invalid_workflow_is_rejected_naming_the_field(kube):
    _, cluster = kube
    bad = workflow("wf5", [{"name": "main", "container": {"image": "alpine", "command": ["true"], "argz": ["x"]}}])
    with pytest.raises(ManifestRejected) as caught:
        cluster.create_workflow(NS, bad)
    assert "argz" in caught.value.message and "is invalid" in caught.value.message
    assert caught.value.transient is False


def test_resubmission_returns_the_workflow_already_there(kube):
    _, cluster = kube
    first = cluster.create_workflow(NS, workflow("wf6", [py("main", "print('once')")]))
    again = cluster.create_workflow(NS, workflow("wf6", [py("main", "print('twice')")]))
    assert again["metadata"]["uid"] == first["metadata"]["uid"]
    status = finished(kube, "wf6")["status"]
    assert status["phase"] == "Succeeded"
    assert len(cluster.list_pods(NS, "workflows.argoproj.io/workflow=wf6")) == 1


def test_a_wrong_token_or_a_dead_server_are_cluster_errors(kube):
    standin, _ = kube
    with pytest.raises(ClusterError) as caught:
        KubernetesCluster(standin.api_client(token="wrong")).get_workflow(NS, "x")
    assert "Unauthorized" in caught.value.message and caught.value.transient  # a fresh token may pass
    from kubernetes import client
    config = standin.configuration()
    config.host = "http://127.0.0.1:9"
    with pytest.raises(ClusterError) as caught:
        KubernetesCluster(client.ApiClient(config)).get_workflow(NS, "x")
    assert caught.value.transient is True


PREDICTOR = ("import http.server, os\n"
             "class H(http.server.BaseHTTPRequestHandler):\n"
             "    def do_POST(self):\n"
             "        body = self.rfile.read(int(self.headers['Content-Length']))\n"
             "        out = (os.environ['ANSWER'] + ':' + body.decode()).encode()\n"
             "        self.send_response(200); self.send_header('Content-Length', str(len(out))); self.end_headers()\n"
             "        self.wfile.write(out)\n"
             "print('listening', flush=True)\n"
             "http.server.HTTPServer(('127.0.0.1', int(os.environ['PORT'])), H).serve_forever()\n")


def isvc(name, code, answer="v1"):
    return {"apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService", "metadata": {"name": name},
            "spec": {"predictor": {"containers": [{"name": "kserve-container", "image": "python:3.12",
                                                   "command": ["python", "-c", code],
                                                   "env": [{"name": "ANSWER", "value": answer}]}]}}}


def conditions(service):
    return {c["type"]: c for c in (service.get("status") or {}).get("conditions") or []}


def wait_for(cluster, name, check, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        service = cluster.get_inference_service(NS, name)
        if service and check(service):
            return service
        time.sleep(0.05)
    raise AssertionError(f"not reached: {cluster.get_inference_service(NS, name)}")


def predict(standin, host, body=b"x"):
    connection = http.client.HTTPConnection("127.0.0.1", int(standin.ingress_url.rsplit(":", 1)[1]), timeout=10)
    connection.request("POST", "/v1/models/m:predict", body=body, headers={"Host": host})
    answer = connection.getresponse()
    return answer.status, answer.read()


def test_an_inference_service_becomes_ready_answers_through_the_ingress_and_rolls_over(kube):
    standin, cluster = kube
    cluster.apply_inference_service(NS, isvc("m1", PREDICTOR))
    ready = wait_for(cluster, "m1", lambda s: conditions(s).get("Ready", {}).get("status") == "True")
    host = ready["status"]["url"].split("://", 1)[1]
    assert host == f"m1-{NS}.example.com"  # KServe's default ingress.domainTemplate
    assert ready["status"]["components"]["predictor"]["latestReadyRevision"] == "m1-predictor-00001"
    assert predict(standin, host) == (200, b"v1:x")
    cluster.apply_inference_service(NS, isvc("m1", PREDICTOR, answer="v2"))
    rolled = wait_for(cluster, "m1", lambda s: s["status"]["components"]["predictor"].get("latestReadyRevision")
                      == "m1-predictor-00002" and conditions(s)["Ready"]["status"] == "True")
    assert rolled["metadata"]["generation"] == 2
    assert predict(standin, host) == (200, b"v2:x")
    again = cluster.apply_inference_service(NS, isvc("m1", PREDICTOR, answer="v2"))  # a retried task: no new rollout
    assert again["metadata"]["generation"] == 2
    time.sleep(0.3)
    assert cluster.get_inference_service(NS, "m1")["status"]["components"]["predictor"]["latestCreatedRevision"] \
        == "m1-predictor-00002"
    cluster.delete_inference_service(NS, "m1")
    cluster.delete_inference_service(NS, "m1")
    assert cluster.get_inference_service(NS, "m1") is None
    assert predict(standin, host)[0] == 404


def test_a_crashing_predictor_ends_not_ready_with_the_reason_and_its_log(kube):
    _, cluster = kube
    cluster.apply_inference_service(NS, isvc("m2", "import sys; print('cannot load model', flush=True); sys.exit(2)"))
    failed = wait_for(cluster, "m2", lambda s: conditions(s).get("Ready", {}).get("reason") == "RevisionFailed")
    ready = conditions(failed)["Ready"]
    assert ready["status"] == "False"
    assert ready["message"] == ('Revision "m2-predictor-00001" failed with message: Container failed with: '
                                'cannot load model.')
    assert failed["status"]["modelStatus"]["lastFailureInfo"]["exitCode"] == 2
    pod = cluster.list_pods(NS, "serving.kserve.io/inferenceservice=m2")[0]
    assert "cannot load model" in cluster.pod_logs(NS, pod["metadata"]["name"], "kserve-container")


def test_an_invalid_inference_service_is_rejected(kube):
    _, cluster = kube
    bad = isvc("m3", "print()")
    bad["spec"]["predictor"]["replicaz"] = 2
    with pytest.raises(ManifestRejected) as caught:
        cluster.apply_inference_service(NS, bad)
    assert "replicaz" in caught.value.message


def test_the_pod_log_reader_reads_a_log_over_plain_http_without_the_kubernetes_client(kube):
    from chalicelib.adapters.k8s.pod_log_reader import PodLogReader

    standin, cluster = kube
    cluster.create_workflow(NS, workflow("wf7", [py("main", "print('line one'); print('line two')")]))
    finished(kube, "wf7")
    pod = cluster.list_pods(NS, "workflows.argoproj.io/workflow=wf7")[0]["metadata"]["name"]
    reader = PodLogReader(standin.url, lambda: standin.token)
    assert [p["metadata"]["name"] for p in reader.list_pods(NS, "workflows.argoproj.io/workflow=wf7")] == [pod]
    text = reader.read(NS, pod)
    assert [line.split(" ", 1)[1] for line in text.splitlines()] == ["line one", "line two"]
    assert text == cluster.pod_logs(NS, pod, "main")
    standin.workflows.gc_pods(NS, "wf7")
    assert reader.read(NS, pod) is None
    with pytest.raises(ClusterError):
        PodLogReader(standin.url, lambda: "wrong").read(NS, pod)


def test_nested_steps_loops_dags_and_skipped_steps_are_listed_as_nodes(kube):
    _, cluster = kube
    echo = py("echo", "import sys; print(sys.argv[1])", inputs={"parameters": [{"name": "m"}]})
    echo["container"]["args"] = ["{{inputs.parameters.m}}"]
    inner = {"name": "inner", "dag": {"tasks": [{"name": "t", "template": "echo",
                                                 "arguments": {"parameters": [{"name": "m", "value": "dag"}]}}]}}
    main = {"name": "main", "steps": [
        [{"name": "a", "template": "inner"}],
        [{"name": "b", "template": "echo", "arguments": {"parameters": [{"name": "m", "value": "{{item}}"}]},
          "withItems": ["x", "y"]},
         {"name": "c", "template": "echo", "when": "1 == 2",
          "arguments": {"parameters": [{"name": "m", "value": "never"}]}}]]}
    cluster.create_workflow(NS, workflow("wf8", [main, inner, echo]))
    status = finished(kube, "wf8")["status"]
    assert status["phase"] == "Succeeded", status
    nodes = {n["name"]: n for n in status["nodes"].values()}
    assert nodes["wf8.a"]["type"] == "DAG" and nodes["wf8.a"]["phase"] == "Succeeded"
    assert nodes["wf8.a.t"]["type"] == "Pod" and nodes["wf8.a.t"]["id"] in nodes["wf8.a"]["children"]
    assert {nodes["wf8.b(0:x)"]["outputs"]["result"], nodes["wf8.b(1:y)"]["outputs"]["result"]} == {"x", "y"}
    assert nodes["wf8.c"]["type"] == "Skipped" and nodes["wf8.c"]["phase"] == "Skipped"
    assert status["progress"] == "3/3"


def test_an_exit_handler_runs_after_a_failure_and_sees_the_status(kube):
    _, cluster = kube
    exit_handler = py("bye", "import sys; print('status', sys.argv[1])")
    exit_handler["container"]["args"] = ["{{workflow.status}}"]
    cluster.create_workflow(NS, workflow("wf9", [py("main", "import sys; sys.exit(1)"), exit_handler], onExit="bye"))
    status = finished(kube, "wf9")["status"]
    assert status["phase"] == "Failed"
    nodes = {n["name"]: n for n in status["nodes"].values()}
    assert nodes["wf9.onExit"]["type"] == "Pod" and nodes["wf9.onExit"]["outputs"]["result"] == "status Failed"


@pytest.mark.parametrize("code, transient", [(503, True), (500, True), (429, True), (403, False), (400, False)])
def test_the_api_servers_errors_map_to_the_ports(kube, code, transient):
    standin, cluster = kube
    standin.fail_next("POST", "/workflows", code, "said the server")
    with pytest.raises(ClusterError) as caught:
        cluster.create_workflow(NS, workflow("wf10", [py("main", "print()")]))
    assert caught.value.transient is transient and "said the server" in caught.value.message
    assert isinstance(caught.value, ManifestRejected) is (not transient)
    cluster.create_workflow(NS, workflow("wf10", [py("main", "print()")]))  # the retry goes through
    assert finished(kube, "wf10")["status"]["phase"] == "Succeeded"


def test_a_roll_over_drops_no_request(kube):
    import threading
    standin, cluster = kube
    cluster.apply_inference_service(NS, isvc("m4", PREDICTOR))
    ready = wait_for(cluster, "m4", lambda s: conditions(s).get("Ready", {}).get("status") == "True")
    host = ready["status"]["url"].split("://", 1)[1]
    answers, stop = [], threading.Event()

    def traffic():
        while not stop.is_set():
            answers.append(predict(standin, host))

    thread = threading.Thread(target=traffic)
    thread.start()
    cluster.apply_inference_service(NS, isvc("m4", PREDICTOR, answer="v2"))
    wait_for(cluster, "m4", lambda s: s["status"]["components"]["predictor"].get("latestReadyRevision")
             == "m4-predictor-00002")
    time.sleep(1.5)  # past the old revision's drain
    stop.set()
    thread.join()
    assert answers and all(status == 200 for status, _ in answers)
    bodies = [body for _, body in answers]
    assert bodies[0] == b"v1:x" and bodies[-1] == b"v2:x"


def test_deleting_a_running_workflow_kills_its_pods_and_removes_them(kube):
    standin, cluster = kube
    cluster.create_workflow(NS, workflow("wf11", [py("main", "import time; print('up', flush=True); time.sleep(60)")]))
    for _ in range(100):
        if cluster.list_pods(NS, "workflows.argoproj.io/workflow=wf11"):
            break
        time.sleep(0.05)
    runner = standin.workflows.runs[(NS, "wf11")]
    cluster.delete_workflow(NS, "wf11")
    assert runner.done.wait(10)
    assert cluster.get_workflow(NS, "wf11") is None
    assert cluster.list_pods(NS, "workflows.argoproj.io/workflow=wf11") == []


def test_a_step_never_reads_another_namespaces_secret(kube):
    standin, cluster = kube
    other = "aic-team-b-5678"
    cluster.ensure_namespace(other, {})
    step = py("main", "import os; print(os.environ['KEY'])")
    step["container"]["env"] = [{"name": "KEY", "valueFrom": {"secretKeyRef": {"name": "store", "key": "accessKey"}}}]
    cluster.create_workflow(other, workflow("wf12", [step]))
    standin.workflows.wait(other, "wf12", 30)
    status = cluster.get_workflow(other, "wf12")["status"]
    assert status["phase"] == "Error" and 'secret "store" not found' in status["message"]
    cluster.create_workflow(NS, workflow("wf12", [step]))  # in its own namespace the same step reads it
    assert finished(kube, "wf12")["status"]["phase"] == "Succeeded"


def test_artifacts_go_to_a_moto_server_when_the_stand_in_is_given_its_url():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    try:
        url = f"http://127.0.0.1:{server._server.server_port}"
        s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        with kube_standin(s3_endpoint_url=url) as standin:
            cluster = KubernetesCluster(standin.api_client())
            cluster.ensure_namespace(NS, {})
            out = py("main", "open('/tmp/o.txt', 'w').write('hi')", outputs={"artifacts": [
                {"name": "o", "path": "/tmp/o.txt", "archive": {"none": {}},
                 "s3": {"endpoint": "s3.amazonaws.com", "bucket": BUCKET, "key": "k/o.txt", "useSDKCreds": True}}]})
            cluster.create_workflow(NS, workflow("wf13", [out]))
            standin.workflows.wait(NS, "wf13", 30)
            assert cluster.get_workflow(NS, "wf13")["status"]["phase"] == "Succeeded"
        assert s3.get_object(Bucket=BUCKET, Key="k/o.txt")["Body"].read() == b"hi"
    finally:
        server.stop()


def test_an_input_whose_key_holds_a_placeholder_is_read_from_the_resolved_key(kube):
    _, cluster = kube
    boto3.client("s3", region_name="us-east-1").put_object(Bucket=BUCKET, Key="data/wf14/in.txt", Body=b"hello")
    read = py("main", "print(open('/in.txt').read())",
              inputs={"artifacts": [{"name": "d", "path": "/in.txt", "s3": dict(S3, key="data/{{workflow.name}}/in.txt")}]})
    cluster.create_workflow(NS, workflow("wf14", [read]))
    status = finished(kube, "wf14")["status"]
    assert status["phase"] == "Succeeded", status
    assert status["nodes"]["wf14"]["outputs"]["result"] == "hello"


def test_a_canary_takes_its_share_then_is_promoted(kube):
    standin, cluster = kube
    cluster.apply_inference_service(NS, isvc("m5", PREDICTOR))
    ready = wait_for(cluster, "m5", lambda s: conditions(s).get("Ready", {}).get("status") == "True")
    host = ready["status"]["url"].split("://", 1)[1]
    canary = isvc("m5", PREDICTOR, answer="v2")
    canary["spec"]["predictor"]["canaryTrafficPercent"] = 30
    cluster.apply_inference_service(NS, canary)
    split = wait_for(cluster, "m5", lambda s: len(s["status"]["components"]["predictor"].get("traffic", [])) == 2)
    traffic = {t["tag"]: (t["revisionName"], t["percent"]) for t in split["status"]["components"]["predictor"]["traffic"]}
    assert traffic == {"latest": ("m5-predictor-00002", 30), "prev": ("m5-predictor-00001", 70)}
    bodies = {predict(standin, host)[1] for _ in range(60)}
    assert bodies == {b"v1:x", b"v2:x"}
    del canary["spec"]["predictor"]["canaryTrafficPercent"]
    cluster.apply_inference_service(NS, canary)  # promotion: no new revision, all traffic to the canary
    promoted = wait_for(cluster, "m5", lambda s: len(s["status"]["components"]["predictor"].get("traffic", [])) == 1)
    assert promoted["status"]["components"]["predictor"]["traffic"][0]["revisionName"] == "m5-predictor-00002"
    assert {predict(standin, host)[1] for _ in range(10)} == {b"v2:x"}


def test_the_eks_wiring_reaches_the_stand_in_with_real_eks_tokens():
    from chalicelib.adapters.k8s.eks_auth import eks_cluster
    from chalicelib.adapters.k8s.eks_token import EksToken
    from chalicelib.adapters.k8s.pod_log_reader import PodLogReader

    with mock_aws(), kube_standin(accept_eks_tokens=True) as standin:
        cluster = eks_cluster(standin.url, "", "prod-cluster", "eu-west-1",
                              role_arn="arn:aws:iam::123456789012:role/aicore-engine")
        cluster.ensure_namespace(NS, {})
        assert cluster.get_workflow(NS, "nothing") is None
        token = EksToken("prod-cluster", "eu-west-1")
        assert PodLogReader.for_eks(standin.url, "", token.get).list_pods(NS, "a=b") == []
        with pytest.raises(ClusterError):
            PodLogReader.for_eks(standin.url, "", lambda: "k8s-aws-v1.bm90LWEtdXJs").list_pods(NS, "a=b")


def test_a_container_not_started_yet_has_an_empty_log(kube):
    from chalicelib.adapters.k8s.pod_log_reader import PodLogReader

    standin, cluster = kube
    cluster.create_workflow(NS, workflow("wf15", [py("main", "print('x')")]))
    finished(kube, "wf15")
    pod = cluster.list_pods(NS, "workflows.argoproj.io/workflow=wf15")[0]["metadata"]["name"]
    waiting = f'container "main" in pod "{pod}" is waiting to start: ContainerCreating'
    standin.fail_next("GET", "/log", 400, waiting)
    assert cluster.pod_logs(NS, pod, "main") == ""
    standin.fail_next("GET", "/log", 400, waiting)
    assert PodLogReader(standin.url, lambda: standin.token).read(NS, pod) == ""
    standin.workflows.gc_pods(NS, "wf15")
    assert cluster.pod_logs(NS, pod, "main") is None
