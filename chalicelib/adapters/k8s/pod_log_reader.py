"""Read a running pod's log from the API function without the kubernetes client (cold start: the API function never
imports kubernetes, hera or dulwich). One GET over urllib3 (shipped with botocore):
`/api/v1/namespaces/{ns}/pods/{pod}/log?container=main&timestamps=true`, with the EKS bearer token (eks_token.py).
"""
from __future__ import annotations

import json
import ssl
from typing import Callable, Optional
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

    def read(self, namespace: str, pod: str, container: str = "main") -> Optional[str]:
        query = urlencode({"container": container, "timestamps": "true"})
        url = f"{self.host}/api/v1/namespaces/{quote(namespace, safe='')}/pods/{quote(pod, safe='')}/log?{query}"
        try:
            answer = self.http.request("GET", url, headers={"Authorization": f"Bearer {self.token()}",
                                                              "Accept": "*/*"})
        except urllib3.exceptions.HTTPError as err:
            raise ClusterError(f"Reading the log of {namespace}/{pod}: the cluster did not answer ({err})") from None
        if answer.status == 404:
            return None
        if answer.status != 200:
            raise ClusterError(f"Reading the log of {namespace}/{pod}: {_message(answer.data)} (HTTP {answer.status})",
                               transient=answer.status == 429 or answer.status >= 500)
        return answer.data.decode("utf-8", errors="replace")


def _message(body: bytes) -> str:
    try:
        return str(json.loads(body).get("message") or "error")
    except (ValueError, AttributeError):
        return body[:200].decode("utf-8", errors="replace")
