"""infra/k8s renders with kubectl's embedded kustomize and grants exactly what the engine and the pods need.

`make test` installs Debian's kubernetes-client (kubectl 1.20, kustomize v2) when no kubectl is on PATH, so the tree
stays within kustomize v2's features; set KUBECTL to pick another binary.
"""
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

K8S = Path(__file__).resolve().parents[2] / "infra" / "k8s"
ENGINE_GROUP = "aicore:engine"

ENGINE_GRANTS = {  # (api group, resource) -> verbs; anything more is a finding, anything less breaks the engine
    ("", "namespaces"): {"get", "create", "delete"},
    ("argoproj.io", "workflows"): {"get", "list", "create", "patch", "delete"},
    ("serving.kserve.io", "inferenceservices"): {"get", "list", "create", "patch", "update", "delete"},
    ("", "secrets"): {"get", "list", "create", "patch", "update", "delete"},
    ("", "configmaps"): {"get", "list", "create", "patch", "update", "delete"},
    ("", "serviceaccounts"): {"get", "create", "patch"},
    ("", "pods"): {"get", "list"},
    ("", "pods/log"): {"get"},
    ("rbac.authorization.k8s.io", "rolebindings"): {"get", "create"},
    ("rbac.authorization.k8s.io", "clusterroles"): {"bind"},  # aicore-workload only (resourceNames)
}


def _kubectl():
    kubectl = os.environ.get("KUBECTL") or shutil.which("kubectl")
    if not kubectl:
        pytest.fail("no kubectl: `make system-tools` (make test) installs Debian's kubernetes-client")
    return kubectl


def _render(directory: Path):
    done = subprocess.run([_kubectl(), "kustomize", str(directory)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return [d for d in yaml.safe_load_all(done.stdout) if d]


def _objects(docs):
    return {(d["kind"], d["metadata"]["name"]): d for d in docs}


def _grants(role):
    grants = {}
    for rule in role["rules"]:
        for group in rule["apiGroups"]:
            for resource in rule["resources"]:
                grants.setdefault((group, resource), set()).update(rule["verbs"])
    return grants


def test_cluster_side_holds_the_engine_and_workload_roles():
    objects = _objects(_render(K8S))
    assert set(objects) == {("ClusterRole", "aicore-engine"), ("ClusterRoleBinding", "aicore-engine"),
                            ("ClusterRole", "aicore-workload"), ("ClusterRole", "aicore-log-reader"),
                            ("ClusterRoleBinding", "aicore-log-reader")}
    binding = objects["ClusterRoleBinding", "aicore-engine"]
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                  "name": "aicore-engine"}
    assert binding["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": ENGINE_GROUP}]


def test_engine_gets_exactly_what_it_needs():
    role = _objects(_render(K8S))["ClusterRole", "aicore-engine"]
    assert _grants(role) == ENGINE_GRANTS
    assert not any("*" in v for rule in role["rules"] for v in rule["verbs"] + rule["resources"])
    (bind,) = [rule for rule in role["rules"] if "bind" in rule["verbs"]]
    assert bind["resourceNames"] == ["aicore-workload"]  # no other role may be bound (escalation)


def test_the_api_function_may_only_read_pods_logs():
    objects = _objects(_render(K8S))
    assert _grants(objects["ClusterRole", "aicore-log-reader"]) == {("", "pods"): {"list"}, ("", "pods/log"): {"get"}}
    binding = objects["ClusterRoleBinding", "aicore-log-reader"]
    assert binding["roleRef"]["name"] == "aicore-log-reader"
    assert binding["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group",
                                    "name": "aicore:log-reader"}]


def test_workflow_pods_may_only_report_their_results():
    role = _objects(_render(K8S))["ClusterRole", "aicore-workload"]
    assert _grants(role) == {("argoproj.io", "workflowtaskresults"): {"create", "patch"}}


def test_namespace_template_binds_the_irsa_role_in_the_given_namespace(tmp_path):
    namespace, role_arn = "aicore-t1-default-1a2b3c", "arn:aws:iam::123456789012:role/aicore-dev-workload"
    # kustomize v2 takes bases by relative path only
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump({
        "namespace": namespace,
        "bases": [os.path.relpath(K8S / "namespace", tmp_path)],
        "configMapGenerator": [{"name": "aicore-workload", "behavior": "merge", "literals": [f"roleArn={role_arn}"]}],
    }))
    objects = _objects(_render(tmp_path))
    assert set(objects) == {("ServiceAccount", "aicore-workload"), ("RoleBinding", "aicore-workload"),
                            ("ConfigMap", "aicore-workload")}
    assert {o["metadata"]["namespace"] for o in objects.values()} == {namespace}
    account = objects["ServiceAccount", "aicore-workload"]
    assert account["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": role_arn}
    binding = objects["RoleBinding", "aicore-workload"]
    assert binding["roleRef"]["name"] == "aicore-workload"
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "aicore-workload", "namespace": namespace}]
