"""The AWS path's end-to-end scenario, through the AI API only: one set of steps run against three stages.

- offline in `make test` (tests/integration/test_aws_offline_e2e.py): the Chalice app with the AWS engine, the
  packaged state machines on moto, the stand-in cluster;
- over real HTTP against the local stack (tests/conformance/test_aws_scenario_local.py), which proves the HTTP stage
  below and that the scenario holds for the local engine too;
- against a deployed stage and its EKS cluster with `make e2e-aws` (tests/e2e_aws/test_deployed_stage.py).

What differs between them is the `Stage`: how a call reaches the API, how a sync is made to happen now, how a
prediction reaches `deploymentUrl`, and (where there is a cluster to look at) a `ClusterView` for the checks the
API cannot show: namespaces, Workflows, pods, synced Secrets. Every name the scenario creates is new per run (a
stage keeps what earlier runs made), so it can run twice against the same stage.
"""
from __future__ import annotations

import base64
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Protocol, Set, Tuple

from chalicelib.domain.cluster.inference_service import inference_service_name
from chalicelib.domain.cluster.namespaces import namespace_for
from chalicelib.domain.cluster.workflow_manifest import workflow_name

from . import content

ENDED = ("COMPLETED", "DEAD", "STOPPED")
PREDICT = "v1/models/m:predict"


class Result(Protocol):
    status: int
    body: bytes

    @property
    def json(self) -> Any: ...


class ClusterView(Protocol):
    """What a test may look at on the cluster (the stand-in's objects, or a real cluster through a kubeconfig)."""

    def get(self, plural: str, namespace: str, name: str) -> Optional[dict]: ...

    def names(self, plural: str, namespace: str, selector: str = "") -> Set[str]: ...

    def gc_pods(self, namespace: str, workflow: str) -> None:
        """Remove a Workflow's pods and their logs, as Argo's podGC or a node's end does."""


class Stage(Protocol):
    tenants: Tuple[str, str]  # two tenants (labels the stage maps to their credentials)
    repo_url: str  # a Git repository holding content.templates()
    repo_auth: Tuple[str, str]  # its username and password ("", "" for a public one)
    patience: float  # seconds a run may take to reach a status (image pulls on a real cluster take minutes)
    cluster: Optional[ClusterView]

    def call(self, method: str, path: str, body: Any = None, *, tenant: str, rg: Optional[str] = "default",
             headers: Optional[dict] = None, raw: Optional[bytes] = None) -> Result: ...

    def sync_now(self) -> None:
        """After the applications' refresh: whatever makes the stage sync (offline, EventBridge's git-poll)."""

    def predict(self, tenant: str, deployment: dict, proxy: str = PREDICT) -> Tuple[int, Any]:
        """POST {} to `{deploymentUrl}/{proxy}` with the tenant's token, as a client does: (status, JSON or bytes)."""


def ok(result: Result) -> Any:
    assert result.status < 300, result
    return result.json


def until(read: Callable[[], Any], check: Callable[[Any], bool], timeout: float = 30.0, what: str = "",
          interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if check(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what or 'condition'} not reached in {timeout} s: {value}")
        time.sleep(interval)


def messages(entries) -> List[str]:
    return [entry["msg"] for entry in entries]


@dataclass
class Scenario:
    """One run of the scenario on a stage: onboarding (once), then the checks, each starting its own runs."""

    stage: Stage
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:6])  # keeps this run's names apart from earlier ones
    secrets: Dict[str, Dict[str, str]] = field(default_factory=dict)
    datasets: Dict[str, str] = field(default_factory=dict)
    tenant_ids: Dict[str, str] = field(default_factory=dict)
    applications: Dict[str, str] = field(default_factory=dict)

    # -- onboarding, as a user does it ---------------------------------------------------------------------------
    def onboard(self) -> "Scenario":
        first, second = self.stage.tenants
        self.secrets = {first: {content.SECRET: f"{first}-token-{self.run}"},
                        second: {content.SECRET: f"{second}-token-{self.run}",
                                 content.OTHERS_SECRET: f"{second}-private-{self.run}"}}
        for tenant in self.stage.tenants:
            self.tenant_ids[tenant] = ok(self.call("GET", "/v2/admin/tenantInfo", tenant=tenant, rg=None))["tenantId"]
            self._default_group(tenant)
            self._register_repository(tenant)
            self.applications[tenant] = self._application(tenant)
            self.datasets[tenant] = self._prepare(tenant)
            ok(self.call("POST", f"/v2/admin/applications/{self.applications[tenant]}/refresh", tenant=tenant))
        self.stage.sync_now()
        for tenant, application in self.applications.items():
            status = until(lambda: ok(self.call("GET", f"/v2/admin/applications/{application}/status",
                                                tenant=tenant)),
                           lambda s: s["syncStatus"] == "Synced" or s["healthStatus"] == "Degraded",
                           self.stage.patience, f"application {application} of {tenant} synced", 0.5)
            assert (status["syncStatus"], status["healthStatus"]) == ("Synced", "Healthy"), status
        return self

    def _default_group(self, tenant: str) -> None:
        """A new tenant on a deployed stage has no group yet (infra/README.md, "Onboard a tenant")."""
        if self.call("GET", "/v2/admin/resourceGroups/default", tenant=tenant, rg=None).status == 404:
            ok(self.call("POST", "/v2/admin/resourceGroups", {"resourceGroupId": "default"}, tenant=tenant, rg=None))
        until(lambda: ok(self.call("GET", "/v2/admin/resourceGroups/default", tenant=tenant, rg=None)),
              lambda group: group["status"] == "PROVISIONED", self.stage.patience, "resource group default", 0.5)

    def _register_repository(self, tenant: str) -> None:
        """One repository per URL and tenant: a second run of the scenario finds it registered already."""
        known = ok(self.call("GET", "/v2/admin/repositories", tenant=tenant, rg=None))["resources"]
        if self.stage.repo_url not in {repository["url"] for repository in known}:
            username, password = self.stage.repo_auth
            ok(self.call("POST", "/v2/admin/repositories", {"name": f"e2e-{self.run}", "url": self.stage.repo_url,
                                                            "username": username, "password": password},
                         tenant=tenant, rg=None))

    def _application(self, tenant: str) -> str:
        """The application over the repository's workflows/: an earlier run's, or a new one (two applications on
        one source are refused)."""
        for application in ok(self.call("GET", "/v2/admin/applications", tenant=tenant, rg=None))["resources"]:
            if (application["repositoryUrl"], application["path"]) == (self.stage.repo_url, "workflows"):
                return application["applicationName"]
        ok(self.call("POST", "/v2/admin/applications", {"repositoryUrl": self.stage.repo_url, "revision": "HEAD",
                                                        "path": "workflows", "applicationName": f"e2e-{self.run}"},
                     tenant=tenant, rg=None))
        return f"e2e-{self.run}"

    def _prepare(self, tenant: str) -> str:
        """The group's default object store (the platform's), the tenant's generic secrets, a dataset."""
        store = self.call("POST", "/v2/admin/objectStoreSecrets", {"name": "default", "type": "S3", "data": {}},
                          tenant=tenant)
        assert store.status < 300 or store.status == 409, store  # 409: an earlier run made it
        for name, value in self.secrets[tenant].items():
            data = {"token": base64.b64encode(value.encode()).decode()}
            created = self.call("POST", "/v2/admin/secrets", {"name": name, "data": data}, tenant=tenant)
            if created.status == 409:  # an earlier run's: this run's value replaces it
                ok(self.call("PATCH", f"/v2/admin/secrets/{name}", {"data": data}, tenant=tenant))
            else:
                ok(created)
        folder = f"e2e/{self.run}/data"
        ok(self.call("PUT", f"/v2/lm/dataset/files/default/{folder}/train.csv", raw=b"text,label\ngood,1\nbad,0\n",
                     headers={"Content-Type": "text/csv"}, tenant=tenant))
        return ok(self.call("POST", "/v2/lm/artifacts", {"name": f"e2e data {self.run}", "kind": "dataset",
                                                         "url": f"ai://default/{folder}",
                                                         "scenarioId": content.SCENARIO}, tenant=tenant))["id"]

    # -- what the checks use -------------------------------------------------------------------------------------
    def call(self, method: str, path: str, body: Any = None, **kwargs) -> Result:
        return self.stage.call(method, path, body, **kwargs)

    def configuration(self, tenant: str, executable: str, parameters: Dict[str, str],
                      dataset: Optional[str] = None) -> str:
        body = {"name": f"{executable}-{self.run}", "scenarioId": content.SCENARIO, "executableId": executable,
                "parameterBindings": [{"key": k, "value": v} for k, v in parameters.items()]}
        if dataset:
            body["inputArtifactBindings"] = [{"key": "dataset", "artifactId": dataset}]
        return ok(self.call("POST", "/v2/lm/configurations", body, tenant=tenant))["id"]

    def execution(self, tenant: str, mode: str, executable: str = content.TRAIN) -> str:
        configuration = self.configuration(tenant, executable, {"mode": mode}, self.datasets[tenant])
        return ok(self.call("POST", "/v2/lm/executions", {"configurationId": configuration}, tenant=tenant))["id"]

    def deployment(self, tenant: str, configuration: str) -> str:
        return ok(self.call("POST", "/v2/lm/deployments", {"configurationId": configuration}, tenant=tenant))["id"]

    def get(self, tenant: str, kind: str, run_id: str) -> dict:
        return ok(self.call("GET", f"/v2/lm/{kind}/{run_id}", tenant=tenant))

    def until_status(self, tenant: str, kind: str, run_id: str, *statuses: str) -> dict:
        return until(lambda: self.get(tenant, kind, run_id), lambda run: run["status"] in statuses,
                     self.stage.patience, f"{kind} {run_id} in {statuses}", 0.1)

    def until_switched(self, tenant: str, deployment_id: str, configuration: str) -> dict:
        return until(lambda: self.get(tenant, "deployments", deployment_id),
                     lambda d: d["status"] in ("RUNNING", "DEAD") and d.get("latestRunningConfigurationId") ==
                     configuration, self.stage.patience, f"deployment {deployment_id} running {configuration}", 0.1)

    def stop(self, tenant: str, kind: str, run_id: str) -> dict:
        ok(self.call("PATCH", f"/v2/lm/{kind}/{run_id}", {"targetStatus": "STOPPED"}, tenant=tenant))
        return self.until_status(tenant, kind, run_id, "STOPPED", "DEAD", "COMPLETED")

    def logs(self, tenant: str, kind: str, run_id: str, query: str = "") -> List[str]:
        return messages(ok(self.call("GET", f"/v2/lm/{kind}/{run_id}/logs{query}", tenant=tenant))["data"]["result"])

    def namespace(self, tenant: str, resource_group: str = "default") -> str:
        return namespace_for(self.tenant_ids[tenant], resource_group)

    def workflow(self, tenant: str, execution_id: str) -> Optional[dict]:
        assert self.stage.cluster is not None
        return self.stage.cluster.get("workflows", self.namespace(tenant), workflow_name(execution_id))


# -- the checks ---------------------------------------------------------------------------------------------------
def execution_completes_and_keeps_its_logs(s: Scenario) -> None:
    """An execution completes, registers its output artifact (written where the artifact says), and its logs are
    served after its pods are gone."""
    tenant = s.stage.tenants[0]
    execution_id = s.execution(tenant, "ok")

    run = s.until_status(tenant, "executions", execution_id, *ENDED)

    assert run["status"] == "COMPLETED", run
    assert [step["status"] for step in run["statusDetails"]["steps"]] == ["Succeeded"], run["statusDetails"]
    outputs = ok(s.call("GET", f"/v2/lm/artifacts?executionId={execution_id}", tenant=tenant))["resources"]
    assert [(a["name"], a["url"], a["kind"]) for a in outputs] == [
        ("model", f"ai://default/{execution_id}/model", "model")]
    weights = s.call("GET", f"/v2/lm/dataset/files/default/{execution_id}/model/weights.txt", tenant=tenant,
                     headers={"Accept": "application/octet-stream"})
    assert weights.status == 200 and weights.body == b"rows=3", weights
    cluster = s.stage.cluster
    if cluster is not None:
        namespace, workflow = s.namespace(tenant), workflow_name(execution_id)
        selector = f"workflows.argoproj.io/workflow={workflow}"
        assert cluster.names("pods", namespace, selector)
        cluster.gc_pods(namespace, workflow)
        until(lambda: cluster.names("pods", namespace, selector), lambda pods: not pods, s.stage.patience,
              "the pods gone")
    expected = ["mode ok", f"secret {content.digest(s.secrets[tenant][content.SECRET])}", "trained on 3 rows"]
    assert s.logs(tenant, "executions", execution_id) == expected
    assert s.logs(tenant, "executions", execution_id, "?$top=1&$order=desc") == ["trained on 3 rows"]


def failing_step_ends_dead_with_the_reason(s: Scenario) -> None:
    tenant = s.stage.tenants[0]
    execution_id = s.execution(tenant, "fail")

    run = s.until_status(tenant, "executions", execution_id, *ENDED)

    assert run["status"] == "DEAD", run
    assert "exit code 3" in run["statusMessage"] and "train" in run["statusMessage"], run["statusMessage"]
    assert ok(s.call("GET", f"/v2/lm/artifacts?executionId={execution_id}", tenant=tenant))["resources"] == []
    assert "cannot converge" in s.logs(tenant, "executions", execution_id)


def stop_ends_stopped_and_removes_the_workflow(s: Scenario) -> None:
    tenant = s.stage.tenants[0]
    execution_id = s.execution(tenant, "hold")
    s.until_status(tenant, "executions", execution_id, "RUNNING")
    # while the step runs, its log is read live
    until(lambda: s.logs(tenant, "executions", execution_id), lambda lines: "mode hold" in lines, s.stage.patience,
          "the running step's log", 0.2)

    run = s.stop(tenant, "executions", execution_id)

    assert run["status"] == "STOPPED", run
    if s.stage.cluster is not None:
        until(lambda: s.workflow(tenant, execution_id), lambda workflow: workflow is None, s.stage.patience,
              "the Workflow gone", 0.2)
    assert "mode hold" in s.logs(tenant, "executions", execution_id)  # kept after the stop


def deployment_runs_answers_switches_and_stops(s: Scenario) -> None:
    tenant, other = s.stage.tenants
    first = s.configuration(tenant, content.SERVE, {"greeting": "hello"})
    second = s.configuration(tenant, content.SERVE, {"greeting": "bonjour"})
    deployment_id = s.deployment(tenant, first)

    deployment = s.until_status(tenant, "deployments", deployment_id, "RUNNING", "DEAD")

    assert deployment["status"] == "RUNNING", deployment
    assert deployment["deploymentUrl"].endswith(f"/v2/inference/deployments/{deployment_id}"), deployment
    assert s.stage.predict(tenant, deployment) == (200, {"greeting": "hello", "path": f"/{PREDICT}"})
    status, answer = s.stage.predict(other, deployment)  # another tenant's token never gets through
    assert status in (401, 403, 404) and "greeting" not in str(answer), (status, answer)
    if s.stage.cluster is not None:
        assert s.stage.cluster.get("inferenceservices", s.namespace(tenant),
                                   inference_service_name(deployment_id)) is not None
    until(lambda: s.logs(tenant, "deployments", deployment_id), lambda lines: "serving hello" in lines,
          s.stage.patience, "the predictor's log", 0.2)

    ok(s.call("PATCH", f"/v2/lm/deployments/{deployment_id}", {"configurationId": second}, tenant=tenant))
    switched = s.until_switched(tenant, deployment_id, second)
    assert switched["status"] == "RUNNING", switched
    assert s.stage.predict(tenant, switched) == (200, {"greeting": "bonjour", "path": f"/{PREDICT}"})

    stopped = s.stop(tenant, "deployments", deployment_id)
    assert stopped["status"] == "STOPPED", stopped
    if s.stage.cluster is not None:
        until(lambda: s.stage.cluster.get("inferenceservices", s.namespace(tenant),
                                          inference_service_name(deployment_id)),
              lambda isvc: isvc is None, s.stage.patience, "the InferenceService gone", 0.2)
    assert s.stage.predict(tenant, stopped)[0] != 200


def no_request_fails_while_a_switch_rolls_over(s: Scenario) -> None:
    tenant = s.stage.tenants[0]
    first = s.configuration(tenant, content.SERVE, {"greeting": "hello"})
    second = s.configuration(tenant, content.SERVE, {"greeting": "salut"})
    deployment_id = s.deployment(tenant, first)
    deployment = s.until_status(tenant, "deployments", deployment_id, "RUNNING", "DEAD")
    assert deployment["status"] == "RUNNING", deployment
    answers: List[Tuple[int, Any]] = []
    done = threading.Event()

    def keep_asking() -> None:  # a client calling the deployment all along the switch (the previous one answers)
        while not done.is_set():
            answers.append(s.stage.predict(tenant, deployment))

    caller = threading.Thread(target=keep_asking)
    caller.start()
    try:
        ok(s.call("PATCH", f"/v2/lm/deployments/{deployment_id}", {"configurationId": second}, tenant=tenant))
        s.until_switched(tenant, deployment_id, second)
    finally:
        done.set()
        caller.join()
        s.stop(tenant, "deployments", deployment_id)
    greetings = [answer.get("greeting") for status, answer in answers if status == 200]
    assert answers and [a for a in answers if a[0] != 200] == [], [a for a in answers if a[0] != 200][:3]
    assert set(greetings) <= {"hello", "salut"}, set(greetings)


def tenants_stay_apart(s: Scenario) -> None:
    """Two tenants' runs land in two namespaces, each reads its own secret's value, never the other's; a template
    that reads a secret only the other tenant has is refused before anything reaches the cluster."""
    first, second = s.stage.tenants
    runs = {tenant: s.execution(tenant, "ok") for tenant in (first, second)}
    peek = s.execution(first, "ok", executable=content.PEEK)

    for tenant, execution_id in runs.items():
        run = s.until_status(tenant, "executions", execution_id, *ENDED)
        assert run["status"] == "COMPLETED", (tenant, run.get("statusMessage"), run.get("statusDetails"))
        assert f"secret {content.digest(s.secrets[tenant][content.SECRET])}" in s.logs(tenant, "executions",
                                                                                      execution_id)
    dead = s.until_status(first, "executions", peek, *ENDED)
    assert dead["status"] == "DEAD" and f"'{content.OTHERS_SECRET}'" in dead["statusMessage"], dead
    # the other tenant's runs are not there to read
    assert s.call("GET", f"/v2/lm/executions/{runs[second]}", tenant=first).status == 404
    assert s.call("GET", f"/v2/lm/executions/{runs[second]}/logs", tenant=first).status == 404
    cluster = s.stage.cluster
    if cluster is not None:
        assert s.namespace(first) != s.namespace(second)
        for tenant, execution_id in runs.items():
            assert s.workflow(tenant, execution_id) is not None
        assert cluster.get("workflows", s.namespace(second), workflow_name(runs[first])) is None
        assert content.OTHERS_SECRET not in cluster.names("secrets", s.namespace(first))
        assert s.workflow(first, peek) is None


def resource_group_has_its_namespace_while_it_exists(s: Scenario) -> None:
    """A group created through the API is provisioned (on a cluster: its namespace with the workload service
    account, before any run); deleted, it goes, its namespace with it."""
    tenant, group = s.stage.tenants[0], f"e2e-{s.run}"
    created = s.call("POST", "/v2/admin/resourceGroups", {"resourceGroupId": group}, tenant=tenant, rg=None)
    assert created.status in (200, 202), created
    until(lambda: ok(s.call("GET", f"/v2/admin/resourceGroups/{group}", tenant=tenant, rg=None)),
          lambda g: g["status"] == "PROVISIONED", s.stage.patience, f"resource group {group} provisioned", 0.2)
    cluster, namespace = s.stage.cluster, s.namespace(tenant, group)
    if cluster is not None:
        until(lambda: cluster.get("namespaces", "", namespace), lambda ns: ns is not None, s.stage.patience,
              f"namespace {namespace}", 0.2)
        assert cluster.get("serviceaccounts", namespace, "aicore-workload") is not None

    assert s.call("DELETE", f"/v2/admin/resourceGroups/{group}", tenant=tenant, rg=None).status in (200, 202)

    until(lambda: s.call("GET", f"/v2/admin/resourceGroups/{group}", tenant=tenant, rg=None).status,
          lambda status: status == 404, s.stage.patience, f"resource group {group} gone", 0.2)
    if cluster is not None:
        until(lambda: cluster.get("namespaces", "", namespace), lambda ns: ns is None or
              ns.get("status", {}).get("phase") == "Terminating", s.stage.patience, f"namespace {namespace} gone", 0.2)
        assert cluster.get("namespaces", "", s.namespace(tenant)) is not None


def a_deleted_secret_leaves_no_copy(s: Scenario) -> None:
    """The Kubernetes Secret a run's submit copied into the namespace goes with the tenant's secret; a run that
    needs it then is refused, naming it. (Last: it takes a secret the other checks use, and puts it back.)"""
    tenant, cluster = s.stage.tenants[0], s.stage.cluster
    first = s.until_status(tenant, "executions", s.execution(tenant, "ok"), *ENDED)
    assert first["status"] == "COMPLETED", first
    if cluster is not None:
        assert content.SECRET in cluster.names("secrets", s.namespace(tenant))

    ok(s.call("DELETE", f"/v2/admin/secrets/{content.SECRET}", tenant=tenant))

    try:
        if cluster is not None:
            until(lambda: cluster.names("secrets", s.namespace(tenant)), lambda names: content.SECRET not in names,
                  s.stage.patience, "the secret's copy gone", 0.2)
        refused = s.until_status(tenant, "executions", s.execution(tenant, "ok"), *ENDED)
        assert refused["status"] == "DEAD" and f"'{content.SECRET}'" in refused["statusMessage"], refused
    finally:
        value = base64.b64encode(s.secrets[tenant][content.SECRET].encode()).decode()
        ok(s.call("POST", "/v2/admin/secrets", {"name": content.SECRET, "data": {"token": value}}, tenant=tenant))


CHECKS = (execution_completes_and_keeps_its_logs, failing_step_ends_dead_with_the_reason,
          stop_ends_stopped_and_removes_the_workflow, deployment_runs_answers_switches_and_stops,
          no_request_fails_while_a_switch_rolls_over, tenants_stay_apart,
          resource_group_has_its_namespace_while_it_exists, a_deleted_secret_leaves_no_copy)
