"""One Kubernetes namespace per tenant and resource group: the boundary that keeps one group's secrets, pods and
services out of another's reach (RBAC, network policies and quotas all attach to it)."""
from __future__ import annotations

from .names import label_name

PREFIX = "aic"  # marks the namespaces this service owns, so an admin sees at a glance what is ours
# What workflow and predictor pods run as in every namespace: the service account the cluster maps to the S3 role
# (IRSA), bound to the ClusterRole of the same name (infra/k8s/workload-rbac.yaml: Argo's executor reports results).
WORKLOAD_SERVICE_ACCOUNT = "aicore-workload"


def namespace_for(tenant: str, resource_group: str) -> str:
    """`aic-<tenant>-<group>-<hash>`: a DNS-1123 label of at most 63 characters. The readable part helps a person
    running kubectl and may be cut short; the 12-hex-digit hash of the exact pair tells pairs apart (the readable
    part alone would not: 'a-b'/'c' and 'a'/'b-c', or upper/lower case, clean up to the same text)."""
    return label_name(PREFIX, tenant, resource_group)
