"""A world for the cluster path's orchestration steps (domain/cluster/steps.py): an in-memory Cluster and record store,
a clock, object store locations and secrets, the templates and the helpers that start runs. Shared by the unit tests
of the steps, their deployments, telemetry, group provisioning and secret copies."""
from datetime import datetime, timedelta, timezone

from chalicelib.domain.artifacts import ArtifactKind, ArtifactService
from chalicelib.domain.cluster.log_archive import MemoryLogArchive
from chalicelib.domain.cluster.namespaces import namespace_for
from chalicelib.domain.cluster.steps import ClusterRunSteps, ClusterServices, RunRef
from chalicelib.domain.configurations import ArtifactBinding, Configuration, ParameterBinding
from chalicelib.domain.context import TenantContext
from chalicelib.domain.errors import NotFound
from chalicelib.domain.object_store import ObjectLocation, StoreConnection, parse_ai_url
from chalicelib.domain.runs import Deployment, Execution, RunRepository
from chalicelib.domain.scenarios import Executable, ExecutableArtifact
from tests.support.memory_cluster import MemoryCluster
from tests.support.memory_store import MemoryStore

T0 = datetime(2026, 12, 4, 10, 0, 0, tzinfo=timezone.utc)
CTX = TenantContext("t1", "default")
NS = namespace_for("t1", "default")
STORE_KEY_ID, STORE_SECRET = "AKIAEXAMPLEKEY", "store-secret-value-do-not-show"
DOCKER_PASSWORD, GENERIC_VALUE, TRACKING = "docker-password-do-not-show", "generic-value-do-not-show", "cred-xyz"

TRAIN = {
    "apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTemplate",
    "metadata": {"name": "train", "labels": {"scenarios.ai.sap.com/id": "scen1"}},
    "spec": {
        "entrypoint": "main", "imagePullSecrets": [{"name": "my-registry"}],
        "arguments": {"parameters": [{"name": "epochs", "value": "1"}], "artifacts": [{"name": "data"}]},
        "templates": [
            {"name": "main", "steps": [[{"name": "train", "template": "train"}]]},
            {"name": "train", "inputs": {"artifacts": [{"name": "data", "path": "/data"}]},
             "outputs": {"artifacts": [{"name": "model", "path": "/out/model", "globalName": "model"}]},
             "container": {"image": "python:3.12", "command": ["python", "train.py"],
                           "args": ["{{workflow.parameters.epochs}}"],
                           "env": [{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "api-token",
                                                                                    "key": "token"}}}]}},
        ]}}
SERVE = {
    "apiVersion": "ai.sap.com/v1alpha1", "kind": "ServingTemplate",
    "metadata": {"name": "serve", "labels": {"scenarios.ai.sap.com/id": "scen1"}},
    "spec": {"inputs": {"parameters": [{"name": "greeting", "default": "hi"}]},
             "template": {"apiVersion": "serving.kserve.io/v1beta1",
                          "metadata": {"labels": {"ai.sap.com/resourcePlan": "starter"}},
                          "spec": "predictor:\n  containers:\n  - name: kserve-container\n    image: my/predictor:1\n"
                                  "    env:\n    - name: GREETING\n      value: \"{{inputs.parameters.greeting}}\"\n"}}}


class Clock:
    def __init__(self):
        self.value = T0

    def now(self):
        self.value += timedelta(seconds=1)
        return self.value


class Locations:
    """ai://<store>/<path> -> the store's bucket; `default` has its own credentials (a tenant's bucket)."""

    def __init__(self, stores=("default",)):
        self.stores = set(stores)

    def locate(self, ctx, secret_name, path, *, allow_empty=False):
        if secret_name not in self.stores:
            raise NotFound(f"Object store secret '{secret_name}' not found.")
        return ObjectLocation("tenant-bucket", "/".join(p for p in ("prefix", path) if p),
                              StoreConnection(None, "eu-central-1", STORE_KEY_ID, STORE_SECRET),
                              f"ai://{secret_name}/{path}", secret_name)

    def resolve_url(self, ctx, url):
        secret, path = parse_ai_url(url)
        return self.locate(ctx, secret, path, allow_empty=True)


class DockerSecrets:
    def read_config(self, ctx, name):
        if name != "my-registry":
            raise NotFound(f"Docker registry secret '{name}' not found.")
        return {"auths": {"registry.example": {"username": "u", "password": DOCKER_PASSWORD}}}


class GenericSecrets:
    def read_data(self, ctx, name):
        if name != "api-token":
            raise NotFound(f"Secret '{name}' not found.")
        return {"token": GENERIC_VALUE.encode()}


def build_world(cluster=None, locations=None, train=TRAIN, serve=SERVE):
    """Records, services and steps over `cluster` (an in-memory one unless given)."""
    store, clock, cluster = MemoryStore(), Clock(), cluster or MemoryCluster()
    artifacts = ArtifactService(store, clock)
    archive = MemoryLogArchive()
    services = ClusterServices(
        artifacts=artifacts, locations=locations or Locations(), docker_secrets=DockerSecrets(),
        generic_secrets=GenericSecrets(),
        tracking_env=lambda ctx, run_id: {"AICORE_TRACKING_ENDPOINT": f"https://api.example/track/{TRACKING}"},
        log_archive=archive)
    steps = ClusterRunSteps(store, clock, cluster, services)

    class World:
        pass

    w = World()
    w.store, w.clock, w.cluster, w.artifacts, w.archive, w.steps = store, clock, cluster, artifacts, archive, steps
    w.runs = RunRepository(store)
    data = artifacts.register(CTX, "data", ArtifactKind.DATASET, "ai://default/datasets/train", "scen1")
    _executable(store, train, deployable=False, outputs=[ExecutableArtifact(name="model", kind="model")])
    _executable(store, serve, deployable=True)
    _configuration(store, "c-train", "train", [ParameterBinding(key="epochs", value="3")],
                   [ArtifactBinding(key="data", artifact_id=data.id)])
    _configuration(store, "c-serve", "serve", [ParameterBinding(key="greeting", value="hello")], [])
    _configuration(store, "c-serve2", "serve", [ParameterBinding(key="greeting", value="hey")], [])
    return w


def _executable(store, document, deployable, outputs=()):
    name = document["metadata"]["name"]
    executable = Executable(id=name, name=name, scenario_id="scen1", version_id="1", deployable=deployable,
                            output_artifacts=list(outputs), created_at=T0, modified_at=T0, template=document)
    store.create(TenantContext("t1"), executable.to_record(Executable.record_id("scen1", name)))


def _configuration(store, config_id, executable_id, parameters, artifacts):
    configuration = Configuration(id=config_id, name=config_id, scenario_id="scen1", executable_id=executable_id,
                                  parameter_bindings=parameters, input_artifact_bindings=artifacts, created_at=T0)
    store.create(CTX, configuration.to_record(config_id))


def new_execution(w, run_id="e0001", configuration="c-train"):
    w.runs.create(CTX, Execution(id=run_id, configuration_id=configuration, configuration_name=configuration,
                                 scenario_id="scen1", executable_id="train", created_at=T0, modified_at=T0))
    return RunRef("execution", "t1", "default", run_id)


def new_deployment(w, run_id="d0001", configuration="c-serve", ttl=None):
    w.runs.create(CTX, Deployment(id=run_id, configuration_id=configuration, configuration_name=configuration,
                                  scenario_id="scen1", executable_id="serve", created_at=T0, modified_at=T0,
                                  inference_url=f"https://api.example/v2/inference/deployments/{run_id}", ttl=ttl))
    return RunRef("deployment", "t1", "default", run_id)


def started(w, ref):
    w.steps.submit(ref, w.steps.render(ref))
    return ref


def record(w, ref):
    return w.runs.find(CTX, ref.run_class, ref.id)


def node(node_id, name, type_, phase, template="", children=(), message="", exit_code=None, started="10:00:01",
         finished=None, outputs=None):
    n = {"id": node_id, "name": name, "displayName": name.rsplit(".", 1)[-1], "type": type_, "phase": phase,
         "templateName": template, "children": list(children), "startedAt": f"2026-12-04T{started}Z"}
    if finished:
        n["finishedAt"] = f"2026-12-04T{finished}Z"
    if message:
        n["message"] = message
    if exit_code is not None or outputs:
        n["outputs"] = {**({"exitCode": str(exit_code)} if exit_code is not None else {}), **(outputs or {})}
    return n


def nodes(*items):
    return {n["id"]: n for n in items}


def train_status(phase, pod_phase, message="", exit_code=0):
    """Argo's status for TRAIN: the root Steps node, its step group, the train pod."""
    finished = "10:00:09" if pod_phase not in ("Running", "Pending") else None
    outputs = {"artifacts": [{"name": "model", "globalName": "model",
                              "s3": {"key": "prefix/e0001/model"}}]} if pod_phase == "Succeeded" else None
    status = {"phase": phase, "startedAt": "2026-12-04T10:00:00Z", "nodes": nodes(
        node("e0001", "e0001", "Steps", phase, "main", ["e0001-1"]),
        node("e0001-1", "e0001[0]", "StepGroup", phase, "", ["e0001-2"]),
        node("e0001-2", "e0001[0].train", "Pod", pod_phase, "train", message=message,
             exit_code=exit_code if finished else None, finished=finished, outputs=outputs))}
    if phase == "Succeeded":
        status["outputs"] = {"artifacts": [{"name": "model", "s3": {"key": "prefix/e0001/model"}}]}
    if phase in ("Failed", "Error"):
        status["message"] = "child 'e0001-2' failed"
    return status


# -- executions ---------------------------------------------------------------------------------------------------
