"""An in-memory `Cluster` (domain/cluster/ports.py) for the orchestration steps' unit tests: it keeps what was applied
and lets a test move status as Argo's and KServe's controllers would. The stand-in that speaks the Kubernetes API
over HTTP is tests/support/kube_standin/; this double only counts calls and holds dicts."""
from __future__ import annotations

import copy
from typing import Any, Dict, List, Optional, Tuple

from chalicelib.domain.cluster.ports import ClusterError


class MemoryCluster:
    def __init__(self) -> None:
        self.namespaces: Dict[str, Dict[str, str]] = {}
        self.secrets: Dict[Tuple[str, str], Dict[str, Any]] = {}
        self.workflows: Dict[Tuple[str, str], Dict[str, Any]] = {}
        self.isvcs: Dict[Tuple[str, str], Dict[str, Any]] = {}
        self.pods: Dict[Tuple[str, str], Dict[str, Any]] = {}
        self.logs: Dict[Tuple[str, str, str], str] = {}
        self.calls: List[str] = []
        self.fail: Dict[str, Exception] = {}  # method name -> error raised once

    def _call(self, name: str) -> None:
        self.calls.append(name)
        error = self.fail.pop(name, None)
        if error is not None:
            raise error

    def _namespace(self, namespace: str) -> None:
        if namespace not in self.namespaces:
            raise ClusterError(f'namespaces "{namespace}" not found', transient=False)

    # -- the port -------------------------------------------------------------------------------------------
    def ensure_namespace(self, name, labels):
        self._call("ensure_namespace")
        self.namespaces.setdefault(name, dict(labels))

    def delete_namespace(self, name):
        self._call("delete_namespace")
        self.namespaces.pop(name, None)

    def apply_secret(self, namespace, manifest):
        self._call("apply_secret")
        self._namespace(namespace)
        self.secrets[(namespace, manifest["metadata"]["name"])] = copy.deepcopy(manifest)

    def delete_secret(self, namespace, name):
        self._call("delete_secret")
        self.secrets.pop((namespace, name), None)

    def create_workflow(self, namespace, manifest):
        self._call("create_workflow")
        self._namespace(namespace)
        key = (namespace, manifest["metadata"]["name"])
        if key not in self.workflows:
            self.workflows[key] = copy.deepcopy(manifest)
        return copy.deepcopy(self.workflows[key])

    def get_workflow(self, namespace, name):
        self._call("get_workflow")
        found = self.workflows.get((namespace, name))
        return copy.deepcopy(found) if found is not None else None

    def terminate_workflow(self, namespace, name):
        self._call("terminate_workflow")
        found = self.workflows.get((namespace, name))
        if found is not None:
            found["spec"]["shutdown"] = "Terminate"

    def delete_workflow(self, namespace, name):
        self._call("delete_workflow")
        self.workflows.pop((namespace, name), None)
        for key in [k for k, p in self.pods.items()
                    if k[0] == namespace and p["metadata"]["labels"].get("workflows.argoproj.io/workflow") == name]:
            self.pods.pop(key)

    def list_pods(self, namespace, label_selector):
        self._call("list_pods")
        label, _, value = label_selector.partition("=")
        return [copy.deepcopy(p) for (ns, _), p in sorted(self.pods.items())
                if ns == namespace and p["metadata"]["labels"].get(label) == value]

    def pod_logs(self, namespace, pod, container):
        self._call("pod_logs")
        if (namespace, pod) not in self.pods:
            return None
        return self.logs.get((namespace, pod, container), "")

    def apply_inference_service(self, namespace, manifest):
        self._call("apply_inference_service")
        self._namespace(namespace)
        key = (namespace, manifest["metadata"]["name"])
        current = self.isvcs.get(key)
        stored = copy.deepcopy(manifest)
        generation = 1
        if current is not None:
            generation = current["metadata"].get("generation", 1) + (current["spec"] != manifest["spec"])
            stored["status"] = current.get("status", {})
        stored["metadata"]["generation"] = generation
        self.isvcs[key] = stored
        return copy.deepcopy(stored)

    def get_inference_service(self, namespace, name):
        self._call("get_inference_service")
        found = self.isvcs.get((namespace, name))
        return copy.deepcopy(found) if found is not None else None

    def delete_inference_service(self, namespace, name):
        self._call("delete_inference_service")
        self.isvcs.pop((namespace, name), None)

    # -- what the controllers would do -----------------------------------------------------------------------
    def set_workflow_status(self, namespace: str, name: str, status: Dict[str, Any]) -> None:
        self.workflows[(namespace, name)]["status"] = copy.deepcopy(status)

    def set_isvc_status(self, namespace: str, name: str, status: Dict[str, Any]) -> None:
        found = self.isvcs[(namespace, name)]
        found["status"] = {"observedGeneration": found["metadata"]["generation"], **copy.deepcopy(status)}

    def add_pod(self, namespace: str, name: str, labels: Dict[str, str], phase: str,
                logs: Optional[Dict[str, str]] = None) -> None:
        self.pods[(namespace, name)] = {"metadata": {"name": name, "namespace": namespace, "labels": dict(labels)},
                                        "status": {"phase": phase}}
        for container, text in (logs or {}).items():
            self.logs[(namespace, name, container)] = text
