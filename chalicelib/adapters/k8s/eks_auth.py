"""A `kubernetes.client.ApiClient` for an EKS cluster, for the task functions that drive Argo and KServe.

The cluster is named by its endpoint, CA (base64, as `aws eks describe-cluster` gives `certificateAuthority.data`)
and name; the bearer token comes from eks_token.py (`aws eks get-token`'s scheme, optionally as the engine role)
and is renewed before it expires: the client asks for it on every request (`refresh_api_key_hook`).
"""
from __future__ import annotations

import base64
import os
import tempfile
from typing import Optional

from kubernetes import client

from .eks_token import EksToken


def _ca_file(ca_data: str) -> str:
    """The client wants a file path; Lambda's /tmp is the one writable place."""
    handle, path = tempfile.mkstemp(prefix="eks-ca-", suffix=".pem")
    with os.fdopen(handle, "wb") as out:
        out.write(base64.b64decode(ca_data))
    return path


def eks_api_client(endpoint: str, ca_data: str, cluster_name: str, region: str, role_arn: Optional[str] = None,
                   token: Optional[EksToken] = None) -> client.ApiClient:
    source = token or EksToken(cluster_name, region, role_arn)
    config = client.Configuration()
    if endpoint.startswith("http://"):  # only ever given by a test (the loopback stand-in): no TLS to verify
        config.host = endpoint
    else:
        config.host = endpoint if endpoint.startswith("https://") else f"https://{endpoint}"
        config.ssl_ca_cert = _ca_file(ca_data)
        config.verify_ssl = True
    config.api_key_prefix["authorization"] = "Bearer"
    config.api_key["authorization"] = source.get()

    def refresh(configuration: client.Configuration) -> None:
        configuration.api_key["authorization"] = source.get()

    config.refresh_api_key_hook = refresh
    return client.ApiClient(config)


def eks_cluster(endpoint: str, ca_data: str, cluster_name: str, region: str, role_arn: Optional[str] = None,
                workload_role_arn: Optional[str] = None):
    """The Cluster port for an EKS cluster (what the task functions use); `workload_role_arn`: the IAM role the
    namespaces' workload service account is annotated with (IRSA)."""
    from .cluster import KubernetesCluster

    return KubernetesCluster(eks_api_client(endpoint, ca_data, cluster_name, region, role_arn), workload_role_arn)
