"""The cluster path's pure rendering (domain/cluster): namespaces, the Argo Workflow of an execution, the KServe
InferenceService of a deployment and the Secrets synced beside them; every manifest passes the stand-in's schema
checks (Argo's and KServe's maintained models)."""
from __future__ import annotations

import base64
import copy
import json
import re

import pytest

from chalicelib.domain.argo.pods import WorkflowError
from chalicelib.domain.cluster import inference_service
from chalicelib.domain.cluster.inference_service import deployment_inference_service, inference_service_name
from chalicelib.domain.cluster.namespaces import namespace_for
from chalicelib.domain.cluster.resource_plans import DEFAULT_RESOURCE_PLANS, UnknownResourcePlan
from chalicelib.domain.cluster.secret_manifests import (docker_registry_secret, generic_secret,
                                                        kubernetes_secret_name, object_store_secret,
                                                        object_store_secret_name)
from chalicelib.domain.cluster.workflow_manifest import (ExecutionSpec, S3Location, execution_workflow,
                                                         pull_secret_names, secret_names, workflow_name)
from chalicelib.domain.serving import RenderError
from tests.support.cluster_schemas import inference_service_problems, workflow_problems

LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


# -- namespaces --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("tenant, group", [("t1", "default"), ("Tenant_ABC/x", "rg-1"), ("a" * 300, "b" * 253),
                                           ("", ""), ("ÜBER", "grp")])
def test_namespace_is_a_readable_dns_label(tenant, group):
    name = namespace_for(tenant, group)
    assert LABEL.match(name) and len(name) <= 63 and name.startswith("aic-")
    assert namespace_for(tenant, group) == name  # stable


def test_namespace_keeps_what_a_person_recognises():
    assert namespace_for("t1", "default").startswith("aic-t1-default-")


@pytest.mark.parametrize("one, other", [(("a-b", "c"), ("a", "b-c")), (("T1", "g"), ("t1", "g")),
                                        (("a" * 100, "x"), ("a" * 100, "y")), (("t", "g_1"), ("t", "g-1"))])
def test_pairs_that_clean_up_alike_still_differ(one, other):
    assert namespace_for(*one) != namespace_for(*other)


# -- the execution's Workflow ------------------------------------------------------------------------------------------

TEMPLATE = {
    "apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTemplate",
    "metadata": {"name": "train", "labels": {"scenarios.ai.sap.com/id": "scn", "ai.sap.com/resourcePlan": "basic"},
                 "annotations": {"scenarios.ai.sap.com/name": "Scenario"}},
    "spec": {
        "entrypoint": "main", "imagePullSecrets": [{"name": "my_registry"}],
        "arguments": {"parameters": [{"name": "lr", "default": "0.1"}, {"name": "epochs", "value": "3"}],
                      "artifacts": [{"name": "data"}]},
        "templates": [
            {"name": "main", "steps": [[{"name": "prep", "template": "prep"}],
                                       [{"name": "fit", "template": "fit", "arguments": {"artifacts": [
                                           {"name": "x", "from": "{{steps.prep.outputs.artifacts.x}}"}]}}]]},
            {"name": "prep", "inputs": {"artifacts": [{"name": "data", "path": "/in"},
                                                      {"name": "extra", "path": "/extra"}]},
             "outputs": {"artifacts": [{"name": "x", "path": "/x"},
                                       {"name": "mine", "path": "/m", "s3": {"key": "my/own/key"}},
                                       {"name": "elsewhere", "path": "/e",
                                        "s3": {"endpoint": "e", "bucket": "b", "key": "k"}},
                                       {"name": "raw", "path": "/out/folder/", "archive": {"none": {}}}]},
             "container": {"image": "python:3.12", "command": ["python", "prep.py"],
                           "env": [{"name": "KEEP", "value": "1"}, {"name": "AICORE_EXECUTION_ID", "value": "old"},
                                   {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "api_token",
                                                                                    "key": "t"}}}],
                           "resources": {"limits": {"ephemeral-storage": "1Gi", "cpu": "9"}}}},
            {"name": "fit", "metadata": {"labels": {"ai.sap.com/resourcePlan": "train.l"}},
             "inputs": {"artifacts": [{"name": "x", "path": "/x"}]},
             "outputs": {"artifacts": [{"name": "model", "path": "/model", "globalName": "model",
                                        "archive": {"none": {}}}]},
             "script": {"image": "python:3.12", "command": ["python"],
                        "source": "print('{{workflow.parameters.lr}}')"}},
        ]},
}
STORE = S3Location("tenant-bucket", "prefix/in/store", endpoint="https://minio.example.com:9000", region="eu-1",
                   credentials_secret="aic-objectstore-default")
PLATFORM = S3Location("artifacts-bucket", "tenants/t1/default")


def execution(**changes) -> ExecutionSpec:
    spec = ExecutionSpec(
        execution_id="e0a1b2c3d4e5f6a7", namespace=namespace_for("t1", "default"), parameters={"lr": "0.5"},
        inputs={"data": STORE.joined("datasets/reviews"), "extra": PLATFORM.joined("more")}, outputs=PLATFORM,
        env={"AICORE_EXECUTION_ID": "e0a1b2c3d4e5f6a7", "AICORE_TRACKING_ENDPOINT": "https://api/track"},
        pull_secrets=[kubernetes_secret_name("my_registry")], service_account="aicore-workload",
        resource_plans=DEFAULT_RESOURCE_PLANS)
    return ExecutionSpec(**{**spec.__dict__, **changes})


def templates(workflow):
    return {t["name"]: t for t in workflow["spec"]["templates"]}


def test_the_workflow_passes_argos_schema_and_is_named_after_the_execution():
    workflow = execution_workflow(TEMPLATE, execution())
    assert workflow_problems(workflow) == []
    assert workflow["metadata"]["name"] == "e0a1b2c3d4e5f6a7" == workflow_name("e0a1b2c3d4e5f6a7")
    assert workflow["metadata"]["namespace"] == namespace_for("t1", "default")
    assert workflow["metadata"]["labels"] == {"scenarios.ai.sap.com/id": "scn", "ai.sap.com/resourcePlan": "basic",
                                              "ai.sap.com/executionId": "e0a1b2c3d4e5f6a7",
                                              "executables.ai.sap.com/id": "train"}
    assert workflow["spec"]["podMetadata"]["labels"]["ai.sap.com/executionId"] == "e0a1b2c3d4e5f6a7"
    assert execution_workflow(TEMPLATE, execution()) == workflow  # same input, same manifest: idempotent submit
    assert TEMPLATE["spec"]["templates"][1]["container"]["env"][1]["value"] == "old"  # the template is untouched


def test_parameters_bound_over_defaults():
    spec = execution_workflow(TEMPLATE, execution())["spec"]
    assert spec["arguments"]["parameters"] == [{"name": "lr", "value": "0.5"}, {"name": "epochs", "value": "3"}]


def test_input_artifacts_bound_with_credentials_or_irsa():
    workflow = execution_workflow(TEMPLATE, execution())
    (data,) = workflow["spec"]["arguments"]["artifacts"][:1]
    assert data == {"name": "data", "s3": {
        "endpoint": "minio.example.com:9000", "bucket": "tenant-bucket", "key": "prefix/in/store/datasets/reviews",
        "region": "eu-1", "accessKeySecret": {"name": "aic-objectstore-default", "key": "accessKey"},
        "secretKeySecret": {"name": "aic-objectstore-default", "key": "secretKey"}}}
    prep = templates(workflow)["prep"]["inputs"]["artifacts"]
    assert prep[0]["s3"] == data["s3"] and prep[0]["path"] == "/in"  # declared on the step template (AI Core style)
    assert prep[1]["s3"] == {"endpoint": "s3.amazonaws.com", "bucket": "artifacts-bucket",
                             "key": "tenants/t1/default/more", "useSDKCreds": True}
    assert "s3" not in templates(workflow)["fit"]["inputs"]["artifacts"][0]  # passed by the step: left alone


def test_key_only_inputs_are_keys_in_the_default_store():
    doc = copy.deepcopy(TEMPLATE)
    doc["spec"]["templates"][1]["inputs"]["artifacts"][1]["s3"] = {"key": "shared/vocab"}
    extra = templates(execution_workflow(doc, execution(inputs={"data": PLATFORM})))["prep"]["inputs"]["artifacts"][1]
    assert extra["s3"]["key"] == "tenants/t1/default/shared/vocab" and extra["s3"]["bucket"] == "artifacts-bucket"


def test_an_http_endpoint_is_marked_insecure():
    loc = S3Location("b", "k", endpoint="http://minio:9000").argo()
    assert loc["endpoint"] == "minio:9000" and loc["insecure"] is True


def test_outputs_go_under_the_execution_in_the_default_store():
    t = templates(execution_workflow(TEMPLATE, execution()))
    (model,) = t["fit"]["outputs"]["artifacts"]
    assert model["s3"] == {"endpoint": "s3.amazonaws.com", "bucket": "artifacts-bucket",
                           "key": "tenants/t1/default/e0a1b2c3d4e5f6a7/model", "useSDKCreds": True}
    assert model["archive"] == {"none": {}}
    doc = copy.deepcopy(TEMPLATE)
    doc["spec"]["templates"][2]["outputs"]["artifacts"][0]["s3"] = {"key": "somewhere/else"}
    (model,) = templates(execution_workflow(doc, execution()))["fit"]["outputs"]["artifacts"]
    assert model["s3"]["key"] == "tenants/t1/default/e0a1b2c3d4e5f6a7/model"  # where finalize registers it
    x, mine, elsewhere, raw = t["prep"]["outputs"]["artifacts"]
    assert x["s3"]["key"] == "tenants/t1/default/e0a1b2c3d4e5f6a7/{{pod.name}}/x.tgz"  # as the local engine
    assert mine["s3"]["key"] == "tenants/t1/default/my/own/key"  # key-only: a key in the default store
    assert elsewhere["s3"] == {"endpoint": "e", "bucket": "b", "key": "k"}  # the template placed it itself
    assert raw["s3"]["key"] == "tenants/t1/default/e0a1b2c3d4e5f6a7/{{pod.name}}/folder"


def test_an_unbound_input_is_refused_naming_it():
    with pytest.raises(WorkflowError, match="Input artifact 'data'.*inputArtifactBindings"):
        execution_workflow(TEMPLATE, execution(inputs={}))


def test_env_injected_ours_win_theirs_kept():
    t = templates(execution_workflow(TEMPLATE, execution()))
    env = t["prep"]["container"]["env"]
    assert [e["name"] for e in env] == ["KEEP", "TOKEN", "AICORE_EXECUTION_ID", "AICORE_TRACKING_ENDPOINT"]
    assert {"name": "AICORE_EXECUTION_ID", "value": "e0a1b2c3d4e5f6a7"} in env
    assert {"name": "AICORE_TRACKING_ENDPOINT", "value": "https://api/track"} in t["fit"]["script"]["env"]
    assert "env" not in t["main"]


def test_pull_secrets_service_account_and_secret_refs():
    workflow = execution_workflow(TEMPLATE, execution())
    assert workflow["spec"]["serviceAccountName"] == "aicore-workload"
    registry = kubernetes_secret_name("my_registry")
    assert registry != "my_registry" and LABEL.match(registry)
    assert workflow["spec"]["imagePullSecrets"] == [{"name": registry}]
    token = templates(workflow)["prep"]["container"]["env"][1]["valueFrom"]["secretKeyRef"]
    assert token == {"name": kubernetes_secret_name("api_token"), "key": "t"}
    assert pull_secret_names(TEMPLATE) == ["my_registry"] and secret_names(TEMPLATE) == ["api_token"]


def test_resource_plans_from_the_step_then_the_template():
    t = templates(execution_workflow(TEMPLATE, execution()))
    assert t["prep"]["nodeSelector"] == {"ai.sap.com/resourcePlan": "basic"}  # the WorkflowTemplate's label
    assert t["prep"]["container"]["resources"] == {
        "limits": {"ephemeral-storage": "1Gi", "cpu": "3", "memory": "11Gi"},  # the plan wins where it speaks
        "requests": {"cpu": "3", "memory": "11Gi"}}
    assert t["fit"]["nodeSelector"] == {"ai.sap.com/resourcePlan": "train.l"}  # the step's own label
    assert t["fit"]["script"]["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert t["fit"]["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    assert "nodeSelector" not in t["main"]
    unlabelled = copy.deepcopy(TEMPLATE)
    del unlabelled["metadata"]["labels"]["ai.sap.com/resourcePlan"]
    assert templates(execution_workflow(unlabelled, execution()))["prep"]["nodeSelector"] == {
        "ai.sap.com/resourcePlan": "starter"}  # AI Core's default


def test_an_unknown_plan_names_the_known_ones():
    doc = copy.deepcopy(TEMPLATE)
    doc["metadata"]["labels"]["ai.sap.com/resourcePlan"] = "huge"
    with pytest.raises(UnknownResourcePlan, match="'huge'.*known plans: basic, basic.8x, infer.l, infer.m, "
                                                  "infer.s, starter, train.l"):
        execution_workflow(doc, execution())


def test_ids_that_are_not_dns_labels_get_a_derived_name():
    name = workflow_name("Exec_1")
    assert LABEL.match(name) and name != workflow_name("exec-1")
    workflow = execution_workflow(TEMPLATE, execution(execution_id="Exec_1"))
    assert workflow["metadata"]["name"] == name and workflow_problems(workflow) == []


# -- secrets -----------------------------------------------------------------------------------------------------------

def test_secret_manifests():
    config = {"auths": {"docker.io": {"username": "u", "password": "p"}}}
    docker = docker_registry_secret("my_registry", "ns", config)
    assert docker["type"] == "kubernetes.io/dockerconfigjson" and docker["metadata"]["namespace"] == "ns"
    assert docker["metadata"]["name"] == kubernetes_secret_name("my_registry")
    assert json.loads(base64.b64decode(docker["data"][".dockerconfigjson"])) == config
    assert docker_registry_secret("r", "ns", json.dumps(config))["data"] == docker["data"]
    generic = generic_secret("api-token", "ns", {"t": base64.b64encode(b"s3cr3t").decode()})
    assert generic["type"] == "Opaque" and generic["metadata"]["name"] == "api-token"
    assert generic["data"] == {"t": base64.b64encode(b"s3cr3t").decode()}  # already base64: not encoded twice
    store = object_store_secret("default", "ns", "AKIA", "shh")
    assert store["metadata"]["name"] == object_store_secret_name("default") != "default"
    assert {k: base64.b64decode(v).decode() for k, v in store["data"].items()} == {"accessKey": "AKIA",
                                                                                   "secretKey": "shh"}
    for manifest in (docker, generic, store):
        assert "shh" not in json.dumps(manifest["metadata"]) and "p" not in manifest["metadata"]["labels"].values()


# -- the deployment's InferenceService ---------------------------------------------------------------------------------

SERVING = {
    "apiVersion": "ai.sap.com/v1alpha1", "kind": "ServingTemplate",
    "metadata": {"name": "serve", "labels": {"scenarios.ai.sap.com/id": "scn", "ai.sap.com/version": "1.0"}},
    "spec": {
        "inputs": {"parameters": [{"name": "greeting", "default": "hello"}, {"name": "replicas", "default": "2"}],
                   "artifacts": [{"name": "model"}]},
        "template": {
            "apiVersion": "serving.kserve.io/v1beta1",
            "metadata": {"annotations": "autoscaling.knative.dev/metric: concurrency\n"
                                        "autoscaling.knative.dev/target: 1\n",
                         "labels": "ai.sap.com/resourcePlan: infer.s\n"},
            "spec": """
predictor:
  imagePullSecrets:
    - name: my_registry
  minReplicas: 1
  maxReplicas: {{inputs.parameters.replicas}}
  canaryTrafficPercent: 20
  containers:
  - name: kserve-container
    image: docker.io/example/serve:1.0
    ports:
      - containerPort: 9001
        protocol: TCP
    args: ["--greeting", "{{inputs.parameters.greeting}}"]
    env:
      - name: STORAGE_URI
        value: "{{inputs.artifacts.model}}"
      - name: TOKEN
        valueFrom:
          secretKeyRef: {name: api_token, key: t}
"""}}}


def isvc(document=SERVING, **changes):
    args = dict(deployment_id="d0a1b2c3d4e5f6a7", namespace=namespace_for("t1", "default"),
                parameters={"greeting": "bonjour"}, artifacts={"model": "s3://artifacts-bucket/tenants/t1/m"},
                pull_secrets=[kubernetes_secret_name("my_registry")], service_account="aicore-workload",
                resource_plans=DEFAULT_RESOURCE_PLANS)
    return deployment_inference_service(document, **{**args, **changes})


def test_the_inference_service_passes_kserves_schema():
    manifest = isvc()
    assert inference_service_problems(manifest) == []
    meta = manifest["metadata"]
    assert meta["name"] == "d0a1b2c3d4e5f6a7" and meta["namespace"] == namespace_for("t1", "default")
    assert meta["annotations"] == {"autoscaling.knative.dev/metric": "concurrency",
                                   "autoscaling.knative.dev/target": "1"}
    assert meta["labels"] == {"ai.sap.com/resourcePlan": "infer.s", "scenarios.ai.sap.com/id": "scn",
                              "executables.ai.sap.com/id": "serve", "ai.sap.com/deploymentId": "d0a1b2c3d4e5f6a7"}


def test_parameters_artifacts_and_kserves_own_fields_land_in_the_predictor():
    predictor = isvc()["spec"]["predictor"]
    assert (predictor["minReplicas"], predictor["maxReplicas"], predictor["canaryTrafficPercent"]) == (1, 2, 20)
    (container,) = predictor["containers"]
    assert container["args"] == ["--greeting", "bonjour"]
    assert container["env"][0] == {"name": "STORAGE_URI", "value": "s3://artifacts-bucket/tenants/t1/m"}
    assert container["env"][1]["valueFrom"]["secretKeyRef"]["name"] == kubernetes_secret_name("api_token")
    assert predictor["serviceAccountName"] == "aicore-workload"
    assert predictor["imagePullSecrets"] == [{"name": kubernetes_secret_name("my_registry")}]
    assert inference_service.pull_secret_names(SERVING, {}) == ["my_registry"]
    assert inference_service.secret_names(SERVING, {}) == ["api_token"]


def test_the_plan_sets_node_selector_resources_and_gpu_toleration():
    predictor = isvc()["spec"]["predictor"]
    assert predictor["nodeSelector"] == {"ai.sap.com/resourcePlan": "infer.s"}
    assert predictor["containers"][0]["resources"]["limits"] == {"cpu": "3", "memory": "10Gi", "nvidia.com/gpu": "1"}
    assert predictor["tolerations"][0]["key"] == "nvidia.com/gpu"


def test_serving_errors_are_clear():
    with pytest.raises(RenderError, match="input artifact 'model' has no value"):
        isvc(artifacts={})
    doc = copy.deepcopy(SERVING)
    doc["spec"]["template"]["metadata"]["labels"] = "ai.sap.com/resourcePlan: nope"
    with pytest.raises(UnknownResourcePlan, match="'nope'.*known plans"):
        isvc(doc)


def test_a_misspelled_kserve_field_in_the_template_is_a_schema_problem():
    doc = copy.deepcopy(SERVING)
    doc["spec"]["template"]["spec"] = doc["spec"]["template"]["spec"].replace("minReplicas", "minReplica")
    assert any("spec.predictor.minReplica: unknown field" in p for p in inference_service_problems(isvc(doc)))


def test_a_deployment_id_starting_with_a_digit_gets_a_name_kserve_takes():
    name = inference_service_name("0a1b2c3d4e5f6a7b")
    assert name[0].isalpha() and len(name) <= 45
    assert inference_service_problems(isvc(deployment_id="0a1b2c3d4e5f6a7b")) == []


def test_a_step_input_nothing_passes_or_binds_is_refused_naming_it():
    with pytest.raises(WorkflowError, match="'prep': input artifact 'extra' has no source"):
        execution_workflow(TEMPLATE, execution(inputs={"data": PLATFORM}))


def test_a_plan_table_from_settings_is_checked():
    from chalicelib.domain.cluster.resource_plans import check_resource_plans
    assert check_resource_plans(dict(DEFAULT_RESOURCE_PLANS)) == DEFAULT_RESOURCE_PLANS
    with pytest.raises(ValueError, match="resource plan 'x': resources must be requests/limits"):
        check_resource_plans({"x": {"resources": {"requests": {"cpu": 2}}}})
    with pytest.raises(ValueError, match="nodeSelector, resources and tolerations only"):
        check_resource_plans({"x": {"nodeselector": {}}})


def test_resolved_object_locations_become_s3_locations():
    from chalicelib.domain.cluster.workflow_manifest import s3_location
    from chalicelib.domain.object_store import ObjectLocation, StoreConnection
    own = ObjectLocation("tb", "p/k", StoreConnection("https://minio:9000", "eu-1", "AK", "SK"), "ai://mine/k", "mine")
    assert s3_location(own) == S3Location("tb", "p/k", "https://minio:9000", "eu-1", object_store_secret_name("mine"))
    platform = ObjectLocation("artifacts", "tenants/t/g/k", StoreConnection(None, "eu-1"), "ai://default/k", "default")
    assert s3_location(platform) == S3Location("artifacts", "tenants/t/g/k", None, "eu-1", None)
