"""The stand-in cluster's schema checks (tests/support/cluster_schemas.py): a good manifest passes; a misspelled
field, a wrong type, a missing required field or a bad name fails with a message naming it."""
from __future__ import annotations

import copy

import pytest

from tests.support.cluster_schemas import inference_service_problems, workflow_problems

WORKFLOW = {
    "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
    "metadata": {"name": "e1a2b3", "namespace": "t-ab12cd34", "labels": {"ai.sap.com/executionId": "e1a2b3"},
                 "annotations": {"scenarios.ai.sap.com/name": "Text classifier"}},
    "spec": {
        "entrypoint": "main", "serviceAccountName": "aicore-workload", "imagePullSecrets": [{"name": "reg"}],
        "arguments": {"parameters": [{"name": "alpha", "value": "0.5"}],
                      "artifacts": [{"name": "data", "s3": {"bucket": "b", "key": "k/data"}}]},
        "templates": [{"name": "main", "nodeSelector": {"node.kubernetes.io/instance-type": "m5.large"},
                       "inputs": {"artifacts": [{"name": "data", "path": "/data"}]},
                       "outputs": {"artifacts": [{"name": "model", "path": "/model", "globalName": "model",
                                                  "s3": {"key": "p/e1a2b3/model"}}]},
                       "container": {"image": "python:3.12", "command": ["python", "-c", "print(1)"],
                                     "env": [{"name": "A", "value": "1"}],
                                     "resources": {"requests": {"cpu": 1, "memory": "2Gi"},
                                                   "limits": {"cpu": "1", "memory": "2Gi"}}}}]},
}

ISVC = {
    "apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService",
    "metadata": {"name": "d1a2b3", "namespace": "t-ab12cd34",
                 "annotations": {"autoscaling.knative.dev/target": "1"}},
    "spec": {"predictor": {
        "minReplicas": 1, "maxReplicas": 2, "canaryTrafficPercent": 10, "serviceAccountName": "aicore-workload",
        "imagePullSecrets": [{"name": "reg"}], "nodeSelector": {"a": "b"},
        "containers": [{"name": "kserve-container", "image": "docker.io/example/serve:1.0",
                        "ports": [{"containerPort": 9001, "protocol": "TCP"}],
                        "env": [{"name": "STORAGE_URI", "value": "s3://b/k"}],
                        "resources": {"requests": {"cpu": 1, "memory": "2Gi"}}}]}},
}


def changed(manifest, path, value, delete=False):
    doc = copy.deepcopy(manifest)
    node = doc
    *parents, last = path
    for part in parents:
        node = node[part]
    if delete:
        del node[last]
    else:
        node[last] = value
    return doc


def test_good_manifests_pass():
    assert workflow_problems(WORKFLOW) == []
    assert inference_service_problems(ISVC) == []


@pytest.mark.parametrize("doc, words", [
    (changed(WORKFLOW, ["spec", "templates", 0, "container", "imagee"], "x"),
     "spec.templates.0.container.imagee: Extra inputs are not permitted"),
    (changed(WORKFLOW, ["spec", "entrypint"], "main"), "spec.entrypint"),
    (changed(WORKFLOW, ["spec", "templates", 0, "container", "args"], "not-a-list"),
     "spec.templates.0.container.args: Input should be a valid list"),
    (changed(WORKFLOW, ["spec", "arguments", "artifacts", 0, "s3", "bucket"], ["b"]),
     "spec.arguments.artifacts.0.s3.bucket"),
    (changed(WORKFLOW, ["spec", "templates", 0, "container", "image"], None, delete=True),
     "spec.templates.0.container.image: templates.main.container.image may not be empty"),
    (changed(WORKFLOW, ["metadata", "name"], "E1_bad"), "metadata.name: 'E1_bad' is not a DNS-1123 subdomain"),
    (changed(WORKFLOW, ["metadata", "name"], "e" * 64), "at most 63 characters"),
    (changed(WORKFLOW, ["metadata", "namespace"], None, delete=True), "metadata.namespace: missing"),
    (changed(WORKFLOW, ["metadata", "labels", "ai.sap.com/executionId"], "x" * 64), "not a valid label value"),
    (changed(WORKFLOW, ["metadata", "labels", "bad key!"], "v"), "is not a valid label/annotation name"),
    (changed(WORKFLOW, ["kind"], "WorkflowTemplate"), "is not argoproj.io/v1alpha1/Workflow"),
])
def test_workflow_problems_name_the_field(doc, words):
    problems = workflow_problems(doc)
    assert any(words in p for p in problems), problems


@pytest.mark.parametrize("doc, words", [
    (changed(ISVC, ["spec", "predictor", "minReplica"], 1), "spec.predictor.minReplica: unknown field"),
    (changed(ISVC, ["spec", "predictor", "containers", 0, "imag"], "x"),
     "spec.predictor.containers.0.imag: unknown field of V1Container"),
    (changed(ISVC, ["spec", "predictor", "maxReplicas"], "two"),
     "spec.predictor.maxReplicas: 'two' is not of type int"),
    (changed(ISVC, ["spec", "predictor", "containers", 0, "ports", 0, "containerPort"], "9001"),
     "spec.predictor.containers.0.ports.0.containerPort: '9001' is not of type int"),
    (changed(ISVC, ["spec", "predictor", "containers", 0, "env"], {"A": "1"}),
     "spec.predictor.containers.0.env: {'A': '1'} is not a list"),
    (changed(ISVC, ["spec", "predictor", "containers", 0, "env", 0, "name"], None, delete=True),
     "spec.predictor.containers.0.env.0: Invalid value for `name`, must not be `None`"),
    (changed(ISVC, ["spec", "predictor"], None, delete=True), "spec.predictor: missing"),
    (changed(ISVC, ["spec", "predictr"], {}), "spec.predictr: unknown field of V1beta1InferenceServiceSpec"),
    (changed(ISVC, ["metadata", "name"], "1abc"), "metadata.name: '1abc' is not a DNS-1035 label"),
    (changed(ISVC, ["metadata", "annotations", "autoscaling.knative.dev/target"], 1), "is not a string"),
    (changed(ISVC, ["apiVersion"], "serving.kserve.io/v1alpha1"), "is not serving.kserve.io/v1beta1"),
])
def test_inference_service_problems_name_the_field(doc, words):
    problems = inference_service_problems(doc)
    assert any(words in p for p in problems), problems


def test_the_request_namespace_may_stand_in_for_the_bodys():
    bare = changed(WORKFLOW, ["metadata", "namespace"], None, delete=True)
    assert workflow_problems(bare, namespace="t-ab12cd34") == []
    assert any("does not match the namespace sent on the request (other)" in p
               for p in workflow_problems(WORKFLOW, namespace="other"))
    assert inference_service_problems(changed(ISVC, ["metadata", "namespace"], None, delete=True), "ns") == []
