"""The scenario's Stage over real HTTP, as a user's client reaches a stack: client-credential tokens from the token
URL, JSON calls to the API, predictions to `deploymentUrl`. With a kubeconfig, a ClusterView on the real cluster.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Dict, Optional, Set, Tuple

import requests

from .scenario import PREDICT


@dataclass
class Credentials:
    api_url: str  # the stack's root: paths are /v2/...
    token_url: str
    client_id: str
    client_secret: str


class HttpResult:
    def __init__(self, response: requests.Response):
        self.status = response.status_code
        self.body = response.content
        self.headers = {k.lower(): v for k, v in response.headers.items()}

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def __repr__(self) -> str:
        return f"<{self.status} {self.body[:300]!r}>"


class HttpStage:
    def __init__(self, tenants: Dict[str, Credentials], repo_url: str, repo_auth: Tuple[str, str] = ("", ""),
                 patience: float = 60.0, cluster=None):
        assert len(tenants) == 2, "the scenario needs two tenants"
        self.credentials = tenants
        self.tenants = tuple(tenants)
        self.repo_url, self.repo_auth, self.patience, self.cluster = repo_url, repo_auth, patience, cluster
        self.session = requests.Session()
        self._tokens: Dict[str, Tuple[str, float]] = {}

    def token(self, tenant: str) -> str:
        token, expires = self._tokens.get(tenant, ("", 0.0))
        if time.monotonic() < expires - 60:
            return token
        credentials = self.credentials[tenant]
        answer = self.session.post(credentials.token_url, timeout=30, data={"grant_type": "client_credentials"},
                                   auth=(credentials.client_id, credentials.client_secret))
        assert answer.status_code == 200, f"token for {tenant}: {answer.status_code} {answer.text[:300]}"
        body = answer.json()
        self._tokens[tenant] = (body["access_token"], time.monotonic() + float(body.get("expires_in", 300)))
        return body["access_token"]

    def _headers(self, tenant: str, rg: Optional[str], extra: Optional[dict] = None) -> dict:
        headers = {"Authorization": f"Bearer {self.token(tenant)}", "Content-Type": "application/json"}
        if rg is not None:
            headers["AI-Resource-Group"] = rg
        return {**headers, **(extra or {})}

    def call(self, method, path, body=None, *, tenant, rg="default", headers=None, raw=None) -> HttpResult:
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        url = self.credentials[tenant].api_url.rstrip("/") + path
        return HttpResult(self.session.request(method, url, data=data, timeout=60,
                                               headers=self._headers(tenant, rg, headers)))

    def sync_now(self) -> None:
        """Nothing to do: the refresh asked for the sync (locally at once; on AWS the git-poll rule's next tick)."""

    def predict(self, tenant, deployment, proxy=PREDICT):
        answer = requests.post(f"{deployment['deploymentUrl'].rstrip('/')}/{proxy}", data=b"{}", timeout=60,
                               headers=self._headers(tenant, "default"))
        try:
            return answer.status_code, answer.json()
        except ValueError:
            return answer.status_code, answer.content


class KubeView:
    """The scenario's ClusterView on a real cluster, through a kubeconfig (kubectl's: its current context)."""

    CUSTOM = {"workflows": ("argoproj.io", "v1alpha1"), "inferenceservices": ("serving.kserve.io", "v1beta1")}
    CORE = {"pods": "pod", "secrets": "secret", "serviceaccounts": "service_account"}  # CoreV1Api's method names

    def __init__(self, config_file: Optional[str] = None):
        from kubernetes import client, config

        self.client = config.new_client_from_config(config_file=config_file)
        self.core, self.custom = client.CoreV1Api(self.client), client.CustomObjectsApi(self.client)

    def get(self, plural: str, namespace: str, name: str) -> Optional[dict]:
        from kubernetes.client.exceptions import ApiException

        try:
            if plural in self.CUSTOM:
                group, version = self.CUSTOM[plural]
                return self.custom.get_namespaced_custom_object(group, version, namespace, plural, name)
            if plural == "namespaces":
                return self._raw(self.core.read_namespace(name, _preload_content=False))
            return self._raw(getattr(self.core, f"read_namespaced_{self.CORE[plural]}")(
                name, namespace, _preload_content=False))
        except ApiException as error:
            if error.status == 404:
                return None
            raise

    def names(self, plural: str, namespace: str, selector: str = "") -> Set[str]:
        if plural in self.CUSTOM:
            group, version = self.CUSTOM[plural]
            items = self.custom.list_namespaced_custom_object(group, version, namespace, plural,
                                                              label_selector=selector)["items"]
            return {item["metadata"]["name"] for item in items}
        listed = self._raw(getattr(self.core, f"list_namespaced_{self.CORE[plural]}")(
            namespace, label_selector=selector, _preload_content=False))
        return {item["metadata"]["name"] for item in listed["items"]}

    @staticmethod
    def _raw(response) -> dict:
        """The object as the API server sent it (the client's models refuse what a test need not care about)."""
        return json.loads(response.data)

    def gc_pods(self, namespace: str, workflow: str) -> None:
        self.core.delete_collection_namespaced_pod(namespace,
                                                   label_selector=f"workflows.argoproj.io/workflow={workflow}")
