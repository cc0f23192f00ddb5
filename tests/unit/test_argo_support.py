"""The local engine's whitelist: a rich template it carries out passes untouched; every other field is refused
by name, with its path in the template."""
import copy

import pytest

from chalicelib.domain.argo.support import refusals

SUPPORTED = {
    "apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTemplate",
    "metadata": {"name": "rich", "labels": {"scenarios.ai.sap.com/id": "s"}, "annotations": {"a": "b"}},
    "spec": {
        "entrypoint": "main", "onExit": "cleanup", "parallelism": 2, "activeDeadlineSeconds": 600,
        "imagePullSecrets": [{"name": "registry"}], "serviceAccountName": "x", "nodeSelector": {"a": "b"},
        "podGC": {"strategy": "OnPodCompletion"}, "ttlStrategy": {"secondsAfterCompletion": 10},
        "podMetadata": {"labels": {"a": "b"}}, "securityContext": {"runAsUser": 1000},
        "podDisruptionBudget": {"minAvailable": 1}, "podResources": {"requests": {"cpu": "100m"}}, "priority": 1,
        "arguments": {"parameters": [{"name": "alpha", "value": "0.5", "description": "d"},
                                     {"name": "mode", "default": "a", "enum": ["a", "b"]}],
                      "artifacts": [{"name": "dataset", "path": "/data/in", "archive": {"none": {}}},
                                    {"name": "raw", "path": "/data/raw", "raw": {"data": "x"}, "optional": True},
                                    {"name": "keyed", "path": "/data/k", "s3": {"key": "some/key.tgz"}}]},
        "volumes": [{"name": "scratch", "emptyDir": {}}],
        "volumeClaimTemplates": [{"metadata": {"name": "work"},
                                  "spec": {"accessModes": ["ReadWriteOnce"],
                                           "resources": {"requests": {"storage": "1Gi"}}}}],
        "templates": [
            {"name": "main", "failFast": True, "parallelism": 1,
             "steps": [[{"name": "gen", "template": "gen"}],
                       [{"name": "loop", "template": "echo", "withItems": [1, 2, {"a": 1}],
                         "arguments": {"parameters": [{"name": "msg", "value": "{{item}}"}]}},
                        {"name": "seq", "template": "echo", "withSequence": {"count": "3", "format": "%02d"},
                         "arguments": {"parameters": [{"name": "msg", "value": "{{item}}"}]}},
                        {"name": "param", "template": "echo", "withParam": "{{steps.gen.outputs.result}}",
                         "when": "{{steps.gen.outputs.result}} != ''", "continueOn": {"failed": True},
                         "onExit": "cleanup",
                         "arguments": {"parameters": [{"name": "msg", "value": "{{item}}"}]}}],
                       [{"name": "inline", "inline": {"container": {"image": "alpine", "command": ["true"]}}}],
                       [{"name": "dag", "template": "graph"}]],
             "outputs": {"parameters": [{"name": "out", "valueFrom": {"parameter": "{{steps.gen.outputs.result}}"}}]}},
            {"name": "graph", "dag": {"failFast": False, "tasks": [
                {"name": "a", "template": "produce"},
                {"name": "b", "template": "consume", "depends": "a.Succeeded || a.Failed",
                 "arguments": {"artifacts": [{"name": "in", "from": "{{tasks.a.outputs.artifacts.out}}"},
                                             {"name": "lit", "raw": {"data": "hello"}},
                                             {"name": "key", "s3": {"key": "x/y"}},
                                             {"name": "expr", "fromExpression": "tasks.a.outputs.artifacts.out"}]}},
                {"name": "c", "template": "echo", "dependencies": ["a"],
                 "arguments": {"parameters": [{"name": "msg", "value": "{{tasks.a.outputs.parameters.p}}"}]}}]}},
            {"name": "gen", "script": {"image": "python:3.11", "command": ["python"], "source": "print(1)",
                                       "resources": {"limits": {"cpu": "1"}}, "imagePullPolicy": "Always"},
             "retryStrategy": {"limit": "3", "retryPolicy": "OnError",
                               "backoff": {"duration": "1s", "factor": 2, "maxDuration": "1m"}}},
            {"name": "echo", "inputs": {"parameters": [{"name": "msg"}]}, "timeout": "60s",
             "activeDeadlineSeconds": 30, "metadata": {"labels": {"a": "b"}}, "nodeSelector": {"gpu": "yes"},
             "container": {"image": "alpine", "command": ["sh", "-c"], "args": ["echo {{inputs.parameters.msg}}"],
                           "workingDir": "/w", "env": [{"name": "A", "value": "1"},
                                                       {"name": "T", "valueFrom": {"secretKeyRef": {"name": "s",
                                                                                                    "key": "k"}}}],
                           "envFrom": [{"secretRef": {"name": "s"}}],
                           "volumeMounts": [{"name": "scratch", "mountPath": "/scratch", "readOnly": False}]}},
            {"name": "produce", "volumes": [{"name": "tmp", "emptyDir": {"medium": "Memory"}}],
             "container": {"image": "alpine", "command": ["sh", "-c", "echo hi > /tmp/out"],
                           "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}]},
             "outputs": {"parameters": [{"name": "p", "globalName": "gp",
                                         "valueFrom": {"path": "/tmp/out", "default": "none"}},
                                        {"name": "e", "valueFrom": {"expression": "1 + 1"}}],
                         "artifacts": [{"name": "out", "path": "/tmp/out", "archive": {"tar": {"compressionLevel": 1}},
                                        "globalName": "model", "optional": False},
                                       {"name": "keyed", "path": "/tmp/out", "s3": {"key": "k/out"},
                                        "archive": {"none": {}}}]}},
            {"name": "consume", "inputs": {"artifacts": [
                {"name": "in", "path": "/in", "mode": 493}, {"name": "lit", "path": "/lit", "raw": {"data": "x"}},
                {"name": "key", "path": "/key", "s3": {"key": "x/y"}, "optional": True, "archive": {"none": {}}},
                {"name": "expr", "path": "/expr"}]},
             "container": {"image": "alpine", "command": ["cat", "/in"]}},
            {"name": "pause", "suspend": {"duration": "5s"}, "archiveLocation": {"archiveLogs": True},
             "annotations": {"workflows.argoproj.io/display-name": "pause {{workflow.name}}"}},
            {"name": "cleanup", "container": {"image": "alpine", "command": ["echo", "{{workflow.status}}"]}},
        ]}}


def test_a_rich_supported_template_has_no_refusals():
    assert refusals(SUPPORTED) == []


def test_not_a_workflow_document_has_nothing_to_say():
    assert refusals({}) == [] and refusals({"spec": "x"}) == [] and refusals(None) == []


def with_template(**fields):
    doc = copy.deepcopy(SUPPORTED)
    doc["spec"]["templates"].append({"name": "odd", **fields})
    return doc


def refused(doc):
    return refusals(doc)


def message(path, template="odd"):
    return f"template '{template}': {path} is not supported by the local engine"


ALPINE = {"image": "alpine"}


@pytest.mark.parametrize("fields,path", [
    ({"container": ALPINE, "sidecars": [{"name": "db", "image": "postgres"}]}, "sidecars"),
    ({"container": ALPINE, "initContainers": [{"name": "i", "image": "alpine"}]}, "initContainers"),
    ({"container": ALPINE, "daemon": True}, "daemon"),
    ({"resource": {"action": "create", "manifest": "x"}}, "resource"),
    ({"http": {"url": "http://example.com"}}, "http"),
    ({"plugin": {"hello": {}}}, "plugin"),
    ({"containerSet": {"containers": []}}, "containerSet"),
    ({"data": {"source": {}, "transformation": []}}, "data"),
    ({"container": ALPINE, "synchronization": {"mutex": {"name": "m"}}}, "synchronization"),
    ({"container": ALPINE, "memoize": {"key": "k"}}, "memoize"),
    ({"container": ALPINE, "metrics": {"prometheus": []}}, "metrics"),
    ({"container": ALPINE, "podSpecPatch": "{}"}, "podSpecPatch"),
    ({"container": ALPINE, "archiveLocation": {"archiveLogs": True, "s3": {"key": "k"}}}, "archiveLocation.s3"),
    ({"container": {**ALPINE, "lifecycle": {"preStop": {}}}}, "container.lifecycle"),
    ({"script": {**ALPINE, "source": "x", "volumeDevices": []}}, "script.volumeDevices"),
    ({"container": {**ALPINE, "volumeMounts": [{"name": "v", "mountPath": "/v", "subPath": "a"}]}},
     "container.volumeMounts[0].subPath"),
    ({"container": {**ALPINE, "env": [{"name": "A", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "k"}}}]}},
     "container.env[0].valueFrom.configMapKeyRef"),
    ({"container": {**ALPINE, "env": [{"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "x"}}}]}},
     "container.env[0].valueFrom.fieldRef"),
    ({"container": {**ALPINE, "envFrom": [{"configMapRef": {"name": "c"}}]}}, "container.envFrom[0].configMapRef"),
    ({"container": ALPINE, "volumes": [{"name": "v", "persistentVolumeClaim": {"claimName": "c"}}]},
     "volumes[0].persistentVolumeClaim"),
    ({"container": ALPINE, "volumes": [{"name": "v", "configMap": {"name": "c"}}]}, "volumes[0].configMap"),
    ({"container": ALPINE, "volumes": [{"name": "v", "secret": {"secretName": "c"}}]}, "volumes[0].secret"),
    ({"container": ALPINE, "volumes": [{"name": "v", "hostPath": {"path": "/"}}]}, "volumes[0].hostPath"),
    ({"container": ALPINE, "volumes": [{"name": "v"}]}, "volumes[0] without emptyDir"),
    ({"container": ALPINE, "retryStrategy": {"limit": 1, "expression": "true"}}, "retryStrategy.expression"),
    ({"container": ALPINE, "retryStrategy": {"limit": 1, "affinity": {"nodeAntiAffinity": {}}}},
     "retryStrategy.affinity"),
    ({"container": ALPINE, "retryStrategy": {"retryPolicy": "Never"}}, "retryStrategy.retryPolicy 'Never'"),
    ({"container": ALPINE, "retryStrategy": {"backoff": {"duration": "1", "jitter": 1}}},
     "retryStrategy.backoff.jitter"),
    ({"suspend": {}}, "suspend without duration"),
    ({"suspend": None}, "suspend without duration"),
    ({"dag": {"tasks": [{"name": "a", "template": "echo"}, {"name": "b", "templateRef": {"name": "x"}}]}},
     "dag.tasks[1].templateRef"),
    ({"dag": {"tasks": [{"name": "a", "template": "echo", "hooks": {"running": {"template": "echo"}}}]}},
     "dag.tasks[0].hooks.running"),
    ({"steps": [[{"name": "a", "template": "echo"},
                 {"name": "b", "template": "echo", "hooks": {"exit": {"templateRef": {"name": "x"}}}}]]},
     "steps[0][1].hooks.exit.templateRef"),
    ({"steps": [[{"name": "a", "template": "echo", "continueOn": {"failed": True, "other": 1}}]]},
     "steps[0][0].continueOn.other"),
    ({"steps": [[{"name": "a", "inline": {"container": ALPINE, "sidecars": []}}]]}, "steps[0][0].inline.sidecars"),
    ({"dag": {"tasks": [{"name": "a", "inline": {"steps": [[{"name": "b", "templateRef": {}}]]}}]}},
     "dag.tasks[0].inline.steps[0][0].templateRef"),
    ({"steps": [[{"name": "a", "template": "echo",
                  "arguments": {"parameters": [{"name": "p", "valueFrom": {"configMapKeyRef": {}}}]}}]]},
     "steps[0][0].arguments.parameters[0].valueFrom"),
    ({"steps": [[{"name": "a", "template": "echo", "arguments": {"artifacts": [{"name": "x", "http": {}}]}}]]},
     "steps[0][0].arguments.artifacts[0].http"),
    ({"container": ALPINE, "inputs": {"artifacts": [{"name": "a", "path": "/a", "git": {"repo": "r"}}]}},
     "inputs.artifacts[0].git"),
    ({"container": ALPINE, "inputs": {"artifacts": [{"name": "a", "path": "/a", "gcs": {}}]}},
     "inputs.artifacts[0].gcs"),
    ({"container": ALPINE, "inputs": {"artifacts": [{"name": "a", "path": "/a", "s3": {"key": "k", "bucket": "b"}}]}},
     "inputs.artifacts[0].s3.bucket"),
    ({"container": ALPINE, "inputs": {"artifacts": [{"name": "a", "path": "/a", "archive": {"zip": {}}}]}},
     "inputs.artifacts[0].archive.zip"),
    ({"container": ALPINE, "inputs": {"parameters": [{"name": "p", "valueFrom": {"configMapKeyRef": {}}}]}},
     "inputs.parameters[0].valueFrom"),
    ({"container": ALPINE, "outputs": {"parameters": [{"name": "p", "valueFrom": {"jsonPath": "{.x}"}}]}},
     "outputs.parameters[0].valueFrom.jsonPath"),
    ({"container": ALPINE, "outputs": {"parameters": [{"name": "p", "valueFrom": {"supplied": {}}}]}},
     "outputs.parameters[0].valueFrom.supplied"),
    ({"container": ALPINE, "outputs": {"parameters": [{"name": "p", "valueFrom": {"event": "x"}}]}},
     "outputs.parameters[0].valueFrom.event"),
    ({"container": ALPINE, "outputs": {"artifacts": [{"name": "a", "path": "/a", "azure": {}}]}},
     "outputs.artifacts[0].azure"),
    ({"container": ALPINE, "outputs": {"artifacts": [{"name": "a", "path": "/a", "artifactGC": {}}]}},
     "outputs.artifacts[0].artifactGC"),
    ({"container": ALPINE, "outputs": {"result": "x"}}, "outputs.result"),
])
def test_each_refused_field_is_named_with_its_path(fields, path):
    assert refused(with_template(**fields)) == [message(path)]


@pytest.mark.parametrize("spec_field,value,path", [
    ("hooks", {"exit": {"template": "cleanup"}}, "spec.hooks"),
    ("workflowTemplateRef", {"name": "x"}, "spec.workflowTemplateRef"),
    ("podSpecPatch", "{}", "spec.podSpecPatch"),
    ("synchronization", {"mutex": {}}, "spec.synchronization"),
    ("metrics", {}, "spec.metrics"),
    ("hostNetwork", True, "spec.hostNetwork"),
    ("retryStrategy", {"limit": 1}, "spec.retryStrategy"),
    ("templateDefaults", "not a map", "spec.templateDefaults"),
    ("artifactRepositoryRef", {"key": "k"}, "spec.artifactRepositoryRef"),
    ("volumes", [{"name": "v", "emptyDir": {}}, {"name": "w", "persistentVolumeClaim": {}}],
     "spec.volumes[1].persistentVolumeClaim"),
])
def test_spec_level_fields_are_named_on_the_workflow(spec_field, value, path):
    doc = copy.deepcopy(SUPPORTED)
    doc["spec"][spec_field] = value
    assert refusals(doc) == [f"workflow 'rich': {path} is not supported by the local engine"]


def test_workflow_arguments_sources_are_checked():
    doc = copy.deepcopy(SUPPORTED)
    doc["spec"]["arguments"]["artifacts"].append({"name": "h", "path": "/h", "http": {"url": "u"}})
    doc["spec"]["arguments"]["parameters"].append({"name": "p", "valueFrom": {"configMapKeyRef": {}}})
    assert refusals(doc) == [
        "workflow 'rich': spec.arguments.parameters[2].valueFrom is not supported by the local engine",
        "workflow 'rich': spec.arguments.artifacts[3].http is not supported by the local engine"]


def test_template_defaults_are_checked_in_each_template_they_reach():
    doc = copy.deepcopy(SUPPORTED)
    doc["spec"]["templateDefaults"] = {"timeout": "30s", "retryStrategy": {"limit": 2}, "sidecars": [],
                                       "container": {"image": "x", "lifecycle": {}}}
    found = refusals(doc)
    names = [t["name"] for t in SUPPORTED["spec"]["templates"]]
    assert all(message("sidecars", name) in found for name in names)
    containers = [t["name"] for t in SUPPORTED["spec"]["templates"] if "container" in t]
    assert [f for f in found if "lifecycle" in f] == [message("container.lifecycle", name) for name in containers]


def test_each_distinct_field_once_per_template_in_order():
    doc = with_template(steps=[[{"name": "a", "templateRef": {}, "hooks": {"failed": {}}},
                                {"name": "b", "templateRef": {}}],
                               [{"name": "c", "templateRef": {}}]],
                        sidecars=[])
    doc["spec"]["templates"].append({"name": "other", "container": ALPINE, "sidecars": []})
    assert refusals(doc) == [message("steps[0][0].templateRef"), message("steps[0][0].hooks.failed"),
                             message("sidecars"),
                             message("sidecars", "other")]
