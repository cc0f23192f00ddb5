"""`KubernetesCluster`: the Cluster port (domain/cluster/ports.py) over the official `kubernetes` client.

Argo Workflows and KServe InferenceServices are custom resources (CustomObjectsApi); namespaces, service accounts,
secrets, pods and their logs are core v1 (CoreV1Api). Every call is idempotent because Step Functions retries a
task whose outcome it did not see: a create that meets 409 returns what is there, a delete that meets 404 is done.

How the API server's answers become the port's errors:
- 422 Invalid, 400 BadRequest, 403 Forbidden -> ManifestRejected with the server's own `message` (a retry cannot
  help; the run ends DEAD with a sentence a person can act on);
- 429, 5xx, 409 Conflict (someone else wrote first), 401 (an EKS token that expired in flight: the next call
  signs a new one), timeouts, connection errors -> ClusterError(transient=True) (Step Functions' Retry);
- anything else -> ClusterError(transient=False).
Only task functions import this module (the API function never imports the kubernetes client: cold start).
"""
from __future__ import annotations

import json
from typing import Any, Callable, Dict, List, Optional, TypeVar

import urllib3
from kubernetes import client
from kubernetes.client.rest import ApiException

from chalicelib.domain.cluster.namespaces import WORKLOAD_SERVICE_ACCOUNT
from chalicelib.domain.cluster.ports import ClusterError, Manifest, ManifestRejected

ARGO = ("argoproj.io", "v1alpha1", "workflows")
KSERVE = ("serving.kserve.io", "v1beta1", "inferenceservices")
IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"  # EKS gives a pod of an account so annotated that role's credentials
REJECTED = (400, 403, 422)
TIMEOUT = (5, 30)  # (connect, read) seconds per request: a task function's time is bounded

T = TypeVar("T")


def server_message(err: ApiException) -> str:
    """The Status body's `message` (what kubectl prints), else the reason and code."""
    try:
        body = json.loads(err.body or "")
    except (TypeError, ValueError):
        body = None
    if isinstance(body, dict) and body.get("message"):
        return str(body["message"])
    return f"{err.reason or 'error'} (HTTP {err.status})"


def _error(err: ApiException, doing: str) -> ClusterError:
    message = f"{doing}: {server_message(err)}"
    if err.status in REJECTED:
        return ManifestRejected(message)
    transient = err.status in (0, None, 401, 409, 429) or (err.status or 0) >= 500
    return ClusterError(message, transient=transient)


class KubernetesCluster:
    def __init__(self, api_client: client.ApiClient, workload_role_arn: Optional[str] = None):
        self.core = client.CoreV1Api(api_client)
        self.custom = client.CustomObjectsApi(api_client)
        self.rbac = client.RbacAuthorizationV1Api(api_client)
        self.service_account = WORKLOAD_SERVICE_ACCOUNT
        self.workload_role_arn = workload_role_arn  # the IAM role the pods reach S3 with (IRSA)

    # -- one call, its errors mapped ------------------------------------------------------------------------
    def _call(self, doing: str, call: Callable[[], T], *, absent: Any = ..., exists: Optional[Callable[[], T]] = None
              ) -> T:
        """`absent`: what a 404 means (a value; `...`: an error); `exists`: what a 409 means (a fallback call)."""
        try:
            return call()
        except ApiException as err:
            if err.status == 404 and absent is not ...:
                return absent
            if err.status == 409 and exists is not None:
                return self._call(doing, exists)
            raise _error(err, doing) from None
        except (urllib3.exceptions.HTTPError, OSError) as err:  # timeouts, refused/reset connections, TLS
            raise ClusterError(f"{doing}: the cluster did not answer ({type(err).__name__}: {err})",
                               transient=True) from None

    # -- namespaces and what lives in them ---------------------------------------------------------------------
    def ensure_namespace(self, name: str, labels: Dict[str, str]) -> None:
        body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": dict(labels)}}
        self._call(f"Creating namespace {name}",
                   lambda: self.core.create_namespace(body, _request_timeout=TIMEOUT), exists=lambda: None)
        # The namespace's workload account, as infra/k8s/namespace/ makes it by hand: the IRSA role, and the binding
        # to the ClusterRole that lets Argo's executor in the pods report step results.
        meta = {"name": self.service_account}
        if self.workload_role_arn:
            meta["annotations"] = {IRSA_ANNOTATION: self.workload_role_arn}
        account = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta}
        self._call(f"Creating service account {name}/{self.service_account}",
                   lambda: self.core.create_namespaced_service_account(name, account, _request_timeout=TIMEOUT),
                   exists=lambda: self.core.patch_namespaced_service_account(self.service_account, name, account,
                                                                            _request_timeout=TIMEOUT))
        binding = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                   "metadata": {"name": self.service_account},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                               "name": self.service_account},
                   "subjects": [{"kind": "ServiceAccount", "name": self.service_account, "namespace": name}]}
        self._call(f"Binding {name}/{self.service_account} to its role",
                   lambda: self.rbac.create_namespaced_role_binding(name, binding, _request_timeout=TIMEOUT),
                   exists=lambda: None)

    def delete_namespace(self, name: str) -> None:
        self._call(f"Deleting namespace {name}",
                   lambda: self.core.delete_namespace(name, _request_timeout=TIMEOUT), absent=None)

    def apply_secret(self, namespace: str, manifest: Manifest) -> None:
        name = manifest["metadata"]["name"]
        doing = f"Writing secret {namespace}/{name}"
        self._call(doing, lambda: self.core.create_namespaced_secret(namespace, manifest, _request_timeout=TIMEOUT),
                   exists=lambda: self.core.replace_namespaced_secret(name, namespace, manifest,
                                                                      _request_timeout=TIMEOUT))

    def delete_secret(self, namespace: str, name: str) -> None:
        self._call(f"Deleting secret {namespace}/{name}",
                   lambda: self.core.delete_namespaced_secret(name, namespace, _request_timeout=TIMEOUT), absent=None)

    # -- Argo Workflows --------------------------------------------------------------------------------------
    def create_workflow(self, namespace: str, manifest: Manifest) -> Manifest:
        name = manifest["metadata"]["name"]
        return self._call(
            f"Submitting workflow {namespace}/{name}",
            lambda: self.custom.create_namespaced_custom_object(*ARGO[:2], namespace, ARGO[2], manifest,
                                                                _request_timeout=TIMEOUT),
            exists=lambda: self._get(ARGO, namespace, name))

    def get_workflow(self, namespace: str, name: str) -> Optional[Manifest]:
        return self._call(f"Reading workflow {namespace}/{name}", lambda: self._get(ARGO, namespace, name),
                          absent=None)

    def terminate_workflow(self, namespace: str, name: str) -> None:
        """Argo's `argo terminate`: `spec.shutdown: Terminate` (docs/workflow-controller... shutdown strategies);
        a Workflow already gone has nothing to terminate."""
        patch = {"spec": {"shutdown": "Terminate"}}
        self._call(f"Terminating workflow {namespace}/{name}",
                   lambda: self.custom.patch_namespaced_custom_object(*ARGO[:2], namespace, ARGO[2], name, patch,
                                                                      _request_timeout=TIMEOUT), absent=None)

    def delete_workflow(self, namespace: str, name: str) -> None:
        self._call(f"Deleting workflow {namespace}/{name}",
                   lambda: self.custom.delete_namespaced_custom_object(*ARGO[:2], namespace, ARGO[2], name,
                                                                       _request_timeout=TIMEOUT), absent=None)

    # -- pods ---------------------------------------------------------------------------------------------
    def list_pods(self, namespace: str, label_selector: str) -> List[Manifest]:
        pods = self._call(f"Listing pods in {namespace}",
                          lambda: self.core.list_namespaced_pod(namespace, label_selector=label_selector,
                                                                _preload_content=False, _request_timeout=TIMEOUT))
        return list(json.loads(pods.data).get("items") or [])

    def pod_logs(self, namespace: str, pod: str, container: str) -> Optional[str]:
        # _preload_content=False: the raw text (the client would otherwise decode it as a Python literal)
        def read():
            try:
                return self.core.read_namespaced_pod_log(pod, namespace, container=container, timestamps=True,
                                                         _preload_content=False, _request_timeout=TIMEOUT)
            except ApiException as err:
                if err.status == 400:  # 'container "main" in pod ... is waiting to start': no log yet
                    return None
                raise
        answer = self._call(f"Reading the log of {namespace}/{pod}", read, absent=None)
        if answer is None:
            return None if self._call(f"Reading pod {namespace}/{pod}", lambda: self.core.read_namespaced_pod(
                pod, namespace, _preload_content=False, _request_timeout=TIMEOUT), absent=None) is None else ""
        return answer.data.decode("utf-8", errors="replace")

    # -- KServe -----------------------------------------------------------------------------------------------
    def apply_inference_service(self, namespace: str, manifest: Manifest) -> Manifest:
        name = manifest["metadata"]["name"]
        doing = f"Applying inference service {namespace}/{name}"

        def replace() -> Manifest:
            current = self._get(KSERVE, namespace, name)
            body = dict(manifest)
            body["metadata"] = {**manifest["metadata"],
                                "resourceVersion": current["metadata"]["resourceVersion"]}
            return self.custom.replace_namespaced_custom_object(*KSERVE[:2], namespace, KSERVE[2], name, body,
                                                                _request_timeout=TIMEOUT)

        return self._call(doing, lambda: self.custom.create_namespaced_custom_object(
            *KSERVE[:2], namespace, KSERVE[2], manifest, _request_timeout=TIMEOUT), exists=replace)

    def get_inference_service(self, namespace: str, name: str) -> Optional[Manifest]:
        return self._call(f"Reading inference service {namespace}/{name}", lambda: self._get(KSERVE, namespace, name),
                          absent=None)

    def delete_inference_service(self, namespace: str, name: str) -> None:
        self._call(f"Deleting inference service {namespace}/{name}",
                   lambda: self.custom.delete_namespaced_custom_object(*KSERVE[:2], namespace, KSERVE[2], name,
                                                                       _request_timeout=TIMEOUT), absent=None)

    def _get(self, kind, namespace: str, name: str) -> Manifest:
        return self.custom.get_namespaced_custom_object(kind[0], kind[1], namespace, kind[2], name,
                                                        _request_timeout=TIMEOUT)
