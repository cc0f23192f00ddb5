"""The AWS path end to end, offline: the API driven through its routes with `AICORE_ENGINE=stepfunctions`.

What is real here: the Chalice app and its routes (chalice's test client), the packaged state machines executed by
moto's Step Functions (tests/support/aws_wiring.py), the real `cluster_task` handler and ClusterRunSteps in this
process, the real KubernetesCluster and the logs endpoints' PodLogReader talking HTTP to the stand-in cluster with
EKS tokens (STS presigned, as on EKS), KMS keys, DynamoDB and S3 on moto, the templates synced from a Git repository
by the git-poll function. What stands in: the cluster (tests/support/kube_standin: its pods are host processes),
and API Gateway's own hop in front of the inference path: the test invokes the `inference_authorizer` function
(chalice's Lambda test client) with the REQUEST event API Gateway would send for `deploymentUrl`, then sends the
request to the cluster's ingress with the Host the authorizer returned (`context.host`), as the VPC link's
HTTP_PROXY integration does. moto's DynamoDB and S3 are serialized (tests/support/moto_serial.py): not thread-safe.

One world for the module (onboarding and syncing cost more than the runs); each test starts its own runs.
"""
from __future__ import annotations

import threading

import pytest

kube = pytest.importorskip("tests.support.kube_standin")
pytest.importorskip("moto")

from chalicelib.domain.cluster.inference_service import inference_service_name  # noqa: E402
from chalicelib.domain.cluster.namespaces import namespace_for  # noqa: E402
from chalicelib.domain.cluster.workflow_manifest import workflow_name  # noqa: E402
from tests.support import aws_e2e as e2e  # noqa: E402
from tests.support.aws_e2e import ok, until  # noqa: E402

DOMAIN = "e2e.example.com"  # KServe's ingressDomain: the stand-in's and the stack's (AICORE_INGRESS_DOMAIN)
SECRETS = {"t1": {e2e.SECRET: "t1-token"}, "t2": {e2e.SECRET: "t2-token", e2e.OTHERS_SECRET: "t2-private"}}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    import boto3

    from app import app
    from chalicelib import bootstrap
    from chalicelib.settings import Settings
    from tests.support.api_client import Api
    from tests.support.aws_wiring import aws_wiring
    from tests.support.git_repo import commit_tree
    from tests.support.moto_serial import serialized_moto

    root = tmp_path_factory.mktemp("aws-e2e")
    settings = Settings(home=root / "aicore", stage="tst", aws_endpoint_url=None,
                        # Wait states of 0 s (the stand-in moves fast); a serving deployment is polled each second
                        cluster_poll_pending_seconds=0, cluster_poll_running_seconds=0,
                        cluster_poll_serving_seconds=1, eks_cluster_name="aicore-tst", ingress_domain=DOMAIN,
                        eks_ca_data="bm90IHVzZWQgb3ZlciBodHRw",  # the stand-in speaks plain HTTP: never read
                        eks_role_arn="arn:aws:iam::123456789012:role/aicore-tst-engine")
    with kube.kube_standin(accept_eks_tokens=True, domain=DOMAIN) as standin, aws_wiring(settings) as wiring, \
            serialized_moto():  # moto's backends are not thread-safe; DynamoDB and S3 are
        kms = boto3.client("kms", region_name=settings.aws_region)
        keys = {"kms_key_id": kms.create_key()["KeyMetadata"]["Arn"],
                "tracking_mac_key_id": kms.create_key(KeySpec="HMAC_256",
                                                      KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["Arn"]}
        wiring.settings = settings.model_copy(update={"eks_endpoint": standin.url, **keys})
        container = wiring.configure()
        api = Api(app, container.settings)
        commit_tree(root / "repo", e2e.templates())
        datasets = {}
        for tenant in SECRETS:
            e2e.onboard(api, tenant, str(root / "repo"))
            datasets[tenant] = e2e.prepare(api, tenant, SECRETS[tenant])
        tick = api.client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={},
                                                   resources=["arn:aws:events:eu-central-1:123456789012:rule/poll"])
        api.client.lambda_.invoke("git-poll", tick)  # EventBridge's git-poll rule: syncs both applications
        for tenant in SECRETS:
            status = ok(api.call("GET", "/v2/admin/applications/e2e/status", tenant=tenant))
            assert (status["syncStatus"], status["healthStatus"]) == ("Synced", "Healthy"), status
        yield World(api, wiring, standin, datasets)
    bootstrap.reset()


class World:
    def __init__(self, api, wiring, standin, datasets):
        self.api, self.wiring, self.standin, self.datasets = api, wiring, standin, datasets

    def execution(self, tenant: str, mode: str, executable: str = e2e.TRAIN) -> str:
        configuration = e2e.configuration(self.api, tenant, executable, f"{executable}-{mode}", {"mode": mode},
                                          self.datasets[tenant])
        created = ok(self.api.call("POST", "/v2/lm/executions", {"configurationId": configuration}, tenant=tenant))
        return created["id"]

    def get(self, tenant: str, kind: str, run_id: str) -> dict:
        return ok(self.api.call("GET", f"/v2/lm/{kind}/{run_id}", tenant=tenant))

    def until_status(self, tenant: str, kind: str, run_id: str, *statuses: str, timeout: float = 40.0) -> dict:
        return until(lambda: self.get(tenant, kind, run_id), lambda run: run["status"] in statuses, timeout,
                     f"{kind} {run_id} in {statuses}")

    def logs(self, tenant: str, kind: str, run_id: str, query: str = "") -> list:
        return ok(self.api.call("GET", f"/v2/lm/{kind}/{run_id}/logs{query}", tenant=tenant))["data"]["result"]

    def workflow(self, tenant: str, execution_id: str):
        return self.standin.cluster.objects.get(("workflows", namespace_for(tenant, "default"),
                                                 workflow_name(execution_id)))

    def authorize(self, tenant: str, deployment: dict, proxy: str) -> dict:
        """The `inference_authorizer` function's answer to the event API Gateway sends for `{deploymentUrl}/{proxy}`
        (invoked as Lambda runs it, with the stack's settings: the ingress domain and KServe's domain template)."""
        event = e2e.authorizer_event(deployment["deploymentUrl"], self.api.token(tenant), "default", proxy)
        return self.api.client.lambda_.invoke("inference_authorizer", event).payload

    def predict(self, tenant: str, deployment: dict, proxy: str = "v1/models/m:predict"):
        """API Gateway's hop: the authorizer decides and names the Host; the ingress routes by it."""
        policy = self.authorize(tenant, deployment, proxy)
        assert policy["policyDocument"]["Statement"][0]["Effect"] == "Allow", policy
        return e2e.through_ingress(self.standin.ingress_url, policy["context"]["host"], proxy)


def messages(entries) -> list:
    return [entry["msg"] for entry in entries]


def test_an_execution_completes_registers_its_output_and_keeps_its_logs_after_the_pods_are_gone(world):
    execution_id = world.execution("t1", "ok")

    run = world.until_status("t1", "executions", execution_id, "COMPLETED", "DEAD", "STOPPED")

    assert run["status"] == "COMPLETED", run
    assert [step["status"] for step in run["statusDetails"]["steps"]] == ["Succeeded"]
    outputs = ok(world.api.call("GET", f"/v2/lm/artifacts?executionId={execution_id}", tenant="t1"))["resources"]
    assert [(a["name"], a["url"], a["kind"]) for a in outputs] == [
        ("model", f"ai://default/{execution_id}/model", "model")]
    weights = world.api.call("GET", f"/v2/lm/dataset/files/default/{execution_id}/model/weights.txt", tenant="t1",
                            headers={"Accept": "application/octet-stream"})
    assert weights.status == 200 and weights.body == b"rows=3"  # written by the pod, where the artifact says
    namespace = namespace_for("t1", "default")
    assert world.standin.cluster.objects.list("pods", namespace, f"workflows.argoproj.io/workflow={execution_id}")

    world.standin.workflows.gc_pods(namespace, workflow_name(execution_id))  # Argo's podGC: pods and logs gone

    assert not world.standin.cluster.objects.list("pods", namespace, f"workflows.argoproj.io/workflow={execution_id}")
    lines = messages(world.logs("t1", "executions", execution_id))
    assert lines == ["mode ok", f"secret {e2e.digest('t1-token')}", "trained on 3 rows"]
    assert messages(world.logs("t1", "executions", execution_id, "?$top=1&$order=desc")) == ["trained on 3 rows"]


def test_a_failing_step_ends_dead_with_the_reason(world):
    execution_id = world.execution("t1", "fail")

    run = world.until_status("t1", "executions", execution_id, "COMPLETED", "DEAD", "STOPPED")

    assert run["status"] == "DEAD"
    assert "exit code 3" in run["statusMessage"] and "train" in run["statusMessage"], run["statusMessage"]
    assert ok(world.api.call("GET", f"/v2/lm/artifacts?executionId={execution_id}", tenant="t1"))["resources"] == []
    assert "cannot converge" in messages(world.logs("t1", "executions", execution_id))


def test_a_stop_ends_stopped_and_the_workflow_is_gone(world):
    execution_id = world.execution("t1", "hold")
    world.until_status("t1", "executions", execution_id, "RUNNING")
    # while the pod runs, its log is read live from the cluster (nothing is archived yet)
    until(lambda: messages(world.logs("t1", "executions", execution_id)), lambda lines: "mode hold" in lines,
          what="the running pod's log")

    ok(world.api.call("PATCH", f"/v2/lm/executions/{execution_id}", {"targetStatus": "STOPPED"}, tenant="t1"))

    run = world.until_status("t1", "executions", execution_id, "STOPPED", "DEAD", "COMPLETED")
    assert run["status"] == "STOPPED", run
    until(lambda: world.workflow("t1", execution_id), lambda workflow: workflow is None, what="the Workflow gone")
    assert "mode hold" in messages(world.logs("t1", "executions", execution_id))  # archived at the stop


def test_a_deployment_runs_answers_switches_configuration_and_stops(world):
    first = e2e.configuration(world.api, "t1", e2e.SERVE, "serve-hello", {"greeting": "hello"})
    second = e2e.configuration(world.api, "t1", e2e.SERVE, "serve-bonjour", {"greeting": "bonjour"})
    deployment_id = ok(world.api.call("POST", "/v2/lm/deployments", {"configurationId": first}, tenant="t1"))["id"]

    deployment = world.until_status("t1", "deployments", deployment_id, "RUNNING", "DEAD")
    assert deployment["status"] == "RUNNING", deployment
    assert deployment["deploymentUrl"].endswith(f"/v2/inference/deployments/{deployment_id}")
    assert world.predict("t1", deployment) == (200, {"greeting": "hello", "path": "/v1/models/m:predict"})
    other = world.authorize("t2", deployment, "v1/models/m:predict")  # another tenant's token: never through
    assert other["policyDocument"]["Statement"][0]["Effect"] == "Deny", other
    isvc = world.standin.cluster.objects.get(("inferenceservices", namespace_for("t1", "default"),
                                              inference_service_name(deployment_id)))
    # the host the authorizer names is the one KServe reports serving the InferenceService under
    assert isvc["status"]["url"] == "http://" + world.authorize("t1", deployment, "v1/x")["context"]["host"]
    assert "serving hello" in messages(world.logs("t1", "deployments", deployment_id))  # live, from the predictor

    ok(world.api.call("PATCH", f"/v2/lm/deployments/{deployment_id}", {"configurationId": second}, tenant="t1"))
    switched = until(lambda: world.get("t1", "deployments", deployment_id),
                     lambda d: d["status"] == "RUNNING" and d.get("latestRunningConfigurationId") == second,
                     what="the second configuration running")
    assert world.predict("t1", switched) == (200, {"greeting": "bonjour", "path": "/v1/models/m:predict"})

    ok(world.api.call("PATCH", f"/v2/lm/deployments/{deployment_id}", {"targetStatus": "STOPPED"}, tenant="t1"))
    stopped = world.until_status("t1", "deployments", deployment_id, "STOPPED", "DEAD")
    assert stopped["status"] == "STOPPED", stopped
    assert world.standin.cluster.objects.get(("inferenceservices", namespace_for("t1", "default"),
                                              inference_service_name(deployment_id))) is None
    refused = world.authorize("t1", stopped, "v1/models/m:predict")
    assert refused["policyDocument"]["Statement"][0]["Effect"] == "Deny", refused


def test_no_request_fails_while_a_configuration_switch_rolls_over(world):
    first = e2e.configuration(world.api, "t1", e2e.SERVE, "roll-hello", {"greeting": "hello"})
    second = e2e.configuration(world.api, "t1", e2e.SERVE, "roll-salut", {"greeting": "salut"})
    deployment_id = ok(world.api.call("POST", "/v2/lm/deployments", {"configurationId": first}, tenant="t1"))["id"]
    deployment = world.until_status("t1", "deployments", deployment_id, "RUNNING")
    answers, done = [], threading.Event()

    def keep_asking():  # a client calling the deployment all along the switch (KServe's previous revision answers)
        while not done.is_set():
            try:
                answers.append(world.predict("t1", deployment))
            except AssertionError as refused:  # the authorizer's Deny
                answers.append((403, str(refused)[:200]))

    caller = threading.Thread(target=keep_asking)
    caller.start()
    try:
        ok(world.api.call("PATCH", f"/v2/lm/deployments/{deployment_id}", {"configurationId": second}, tenant="t1"))
        until(lambda: world.get("t1", "deployments", deployment_id),
              lambda d: d["status"] == "RUNNING" and d.get("latestRunningConfigurationId") == second,
              what="the second configuration running")
    finally:
        done.set()
        caller.join()
        ok(world.api.call("PATCH", f"/v2/lm/deployments/{deployment_id}", {"targetStatus": "STOPPED"}, tenant="t1"))
        world.until_status("t1", "deployments", deployment_id, "STOPPED", "DEAD")
    assert answers and [a for a in answers if a[0] != 200] == []


def test_two_tenants_run_in_two_namespaces_and_never_see_each_others_secrets(world):
    runs = {tenant: world.execution(tenant, "ok") for tenant in ("t1", "t2")}
    peek = world.execution("t1", "ok", executable=e2e.PEEK)  # reads a secret only t2 has

    for tenant, execution_id in runs.items():
        run = world.until_status(tenant, "executions", execution_id, "COMPLETED", "DEAD")
        assert run["status"] == "COMPLETED", (tenant, run["statusMessage"], run.get("statusDetails"))
        lines = messages(world.logs(tenant, "executions", execution_id))
        assert f"secret {e2e.digest(SECRETS[tenant][e2e.SECRET])}" in lines  # its own tenant's value, not the other's
        assert world.workflow(tenant, execution_id) is not None
    assert namespace_for("t1", "default") != namespace_for("t2", "default")
    assert world.workflow("t2", runs["t1"]) is None and world.workflow("t1", runs["t2"]) is None
    t1_secrets = world.standin.cluster.objects.list("secrets", namespace_for("t1", "default"))
    assert e2e.OTHERS_SECRET not in {s["metadata"]["name"] for s in t1_secrets}

    dead = world.until_status("t1", "executions", peek, "COMPLETED", "DEAD")
    assert dead["status"] == "DEAD" and f"'{e2e.OTHERS_SECRET}'" in dead["statusMessage"], dead
    assert world.workflow("t1", peek) is None  # refused before anything reached the cluster
    # and t2's run ids are not t1's to read: its logs are another tenant's
    assert world.api.call("GET", f"/v2/lm/executions/{runs['t2']}/logs", tenant="t1").status == 404



def test_a_resource_groups_namespace_comes_and_goes_with_the_group(world):
    """Created through the API, the group gets its namespace through the control machine (with the workload service
    account), before any run; deleted, the namespace goes, and with it whatever it held (synced Secrets too)."""
    namespace = namespace_for("t1", "team-b")
    created = world.api.call("POST", "/v2/admin/resourceGroups", {"resourceGroupId": "team-b"}, tenant="t1", rg=None)
    assert created.status in (200, 202), created
    until(lambda: world.standin.cluster.objects.get(("namespaces", "", namespace)), lambda ns: ns is not None, 20,
          f"namespace {namespace}")
    assert world.standin.cluster.objects.get(("serviceaccounts", namespace, "aicore-workload")) is not None
    assert world.api.call("DELETE", "/v2/admin/resourceGroups/team-b", tenant="t1", rg=None).status in (200, 202)
    until(lambda: world.standin.cluster.objects.get(("namespaces", "", namespace)), lambda ns: ns is None, 20,
          f"namespace {namespace} removed")
    assert world.standin.cluster.objects.get(("namespaces", "", namespace_for("t1", "default"))) is not None
