"""The `Cluster` port: what the orchestration steps ask of a Kubernetes cluster running Argo Workflows and KServe.

Manifests are plain dicts (what `kubectl apply -f` would take); the adapter (adapters/k8s/cluster.py) speaks to the
API server with the official `kubernetes` client. Every call is idempotent, because Step Functions retries a task
whose outcome it did not see.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Protocol

Manifest = Dict[str, Any]


class ClusterError(Exception):
    """The cluster could not be asked. `transient`: worth a retry (timeouts, 5xx, 429, conflicts)."""

    def __init__(self, message: str, transient: bool = True):
        super().__init__(message)
        self.message = message
        self.transient = transient


class ManifestRejected(ClusterError):
    """The API server refused a manifest (422 Invalid, 400, 403): a retry cannot help; the run ends DEAD with it."""

    def __init__(self, message: str):
        super().__init__(message, transient=False)


class Cluster(Protocol):
    # -- namespaces and what lives in them (one namespace per tenant and resource group) -------------------
    def ensure_namespace(self, name: str, labels: Dict[str, str]) -> None:
        """Create the namespace (and its engine service account) if missing."""

    def delete_namespace(self, name: str) -> None:
        """The resource group is gone: everything in its namespace goes too (absent: nothing to do)."""

    def apply_secret(self, namespace: str, manifest: Manifest) -> None:
        """Create or replace a v1 Secret."""

    def delete_secret(self, namespace: str, name: str) -> None:
        """Absent: nothing to do."""

    # -- Argo Workflows (argoproj.io/v1alpha1) --------------------------------------------------------------
    def create_workflow(self, namespace: str, manifest: Manifest) -> Manifest:
        """Submit; a Workflow of that name already there is returned as it is (submission is idempotent)."""

    def get_workflow(self, namespace: str, name: str) -> Optional[Manifest]:
        """The Workflow with its status, or None when it does not exist."""

    def terminate_workflow(self, namespace: str, name: str) -> None:
        """Argo's terminate (`spec.shutdown: Terminate`): running pods are killed, exit handlers do not run."""

    def delete_workflow(self, namespace: str, name: str) -> None:
        """Absent: nothing to do."""

    # -- pods (logs) ------------------------------------------------------------------------------------------
    def list_pods(self, namespace: str, label_selector: str) -> List[Manifest]:
        """Pods matching the selector (e.g. `workflows.argoproj.io/workflow=<name>`), with their status."""

    def pod_logs(self, namespace: str, pod: str, container: str) -> Optional[str]:
        """The container's log with RFC 3339 timestamps (`timestamps=true`), or None once the pod is gone."""

    # -- KServe (serving.kserve.io/v1beta1) -------------------------------------------------------------------
    def apply_inference_service(self, namespace: str, manifest: Manifest) -> Manifest:
        """Create, or replace the spec of the one of that name (KServe then rolls the predictor over)."""

    def get_inference_service(self, namespace: str, name: str) -> Optional[Manifest]:
        """The InferenceService with its status, or None."""

    def delete_inference_service(self, namespace: str, name: str) -> None:
        """Absent: nothing to do."""
