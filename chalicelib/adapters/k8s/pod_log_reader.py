"""Read running pods' logs from the API function without the kubernetes client (cold start: the API function never
imports kubernetes, hera or dulwich). Plain GETs over urllib3 (shipped with botocore), with the EKS bearer token
(eks_token.py): `/api/v1/namespaces/{ns}/pods?labelSelector=...` to find a Workflow's pods and
`/api/v1/namespaces/{ns}/pods/{pod}/log?container=main&timestamps=true` for one log.
"""
from __future__ import annotations

import base64
import json
import ssl
import tempfile
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import quote, urlencode

import urllib3

from chalicelib.domain.cluster.ports import ClusterError


class PodLogReader:
    """`read(namespace, pod)` -> the log text with RFC 3339 timestamps, or None once the pod is gone.
    `token`: a callable giving the current bearer token (EksToken.get); `ca_file`: PEM path, None for no TLS
    (the loopback stand-in in tests)."""

    def __init__(self, host: str, token: Callable[[], str], ca_file: Optional[str] = None, timeout: float = 10.0):
        self.host = host.rstrip("/")
        self.token = token
        kwargs = {"cert_reqs": ssl.CERT_REQUIRED, "ca_certs": ca_file} if ca_file else {}
        self.http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=5.0, read=timeout), retries=False, **kwargs)

    @classmethod
    def for_eks(cls, endpoint: str, ca_data: str, token: Callable[[], str]) -> "PodLogReader":
        """`ca_data`: the cluster's CA, base64 (describe-cluster's certificateAuthority.data)."""
        if endpoint.startswith("http://"):  # only ever given by a test (the loopback stand-in)
            return cls(endpoint, token)
        with tempfile.NamedTemporaryFile("wb", prefix="eks-ca-", suffix=".pem", delete=False) as out:
            out.write(base64.b64decode(ca_data))
        host = endpoint if endpoint.startswith("https://") else f"https://{endpoint}"
        return cls(host, token, ca_file=out.name)

    def read(self, namespace: str, pod: str, container: str = "main") -> Optional[str]:
        query = urlencode({"container": container, "timestamps": "true"})
        path = f"/api/v1/namespaces/{quote(namespace, safe='')}/pods/{quote(pod, safe='')}/log?{query}"
        data = self._get(path, f"Reading the log of {namespace}/{pod}", waiting_ok=True)
        return None if data is None else data.decode("utf-8", errors="replace")

    def list_pods(self, namespace: str, label_selector: str) -> List[Dict[str, Any]]:
        """The pods matching the selector (`workflows.argoproj.io/workflow=<name>`), as the API server lists them."""
        path = f"/api/v1/namespaces/{quote(namespace, safe='')}/pods?{urlencode({'labelSelector': label_selector})}"
        data = self._get(path, f"Listing pods in {namespace}")
        return [] if data is None else list(json.loads(data).get("items") or [])

    def _get(self, path: str, doing: str, waiting_ok: bool = False) -> Optional[bytes]:
        """`waiting_ok`: a 400 is the container not started yet ('is waiting to start'): an empty log."""
        try:
            answer = self.http.request("GET", self.host + path, headers={"Authorization": f"Bearer {self.token()}",
                                                                         "Accept": "*/*"})
        except urllib3.exceptions.HTTPError as err:
            raise ClusterError(f"{doing}: the cluster did not answer ({err})") from None
        if answer.status == 404:
            return None
        if answer.status == 400 and waiting_ok:
            return b""
        if answer.status != 200:
            raise ClusterError(f"{doing}: {_message(answer.data)} (HTTP {answer.status})",
                               transient=answer.status in (401, 429) or answer.status >= 500)
        return answer.data


def _message(body: bytes) -> str:
    try:
        return str(json.loads(body).get("message") or "error")
    except (ValueError, AttributeError):
        return body[:200].decode("utf-8", errors="replace")
