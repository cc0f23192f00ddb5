"""The logs endpoints on AWS (`AICORE_ENGINE=stepfunctions`): the domain's ClusterRunLogs over the S3 log archive and
the EKS cluster's running pods.

The API function serves these, and its cold start must not load the kubernetes client: the live pods are read with
PodLogReader (plain GETs over urllib3) and an EksToken (boto3's STS presigning), never with KubernetesCluster.
"""
from __future__ import annotations

from typing import Any

from chalicelib.domain.cluster.run_logs import ClusterRunLogs


def cluster_log_store(settings: Any, archive: Any) -> ClusterRunLogs:
    """`settings`: the EKS cluster as the stack gives it to the API function (name, endpoint, CA, engine role)."""
    from chalicelib.adapters.k8s.eks_token import EksToken
    from chalicelib.adapters.k8s.pod_log_reader import PodLogReader

    s = settings
    if not (s.eks_cluster_name and s.eks_endpoint and s.eks_ca_data):
        raise RuntimeError("AICORE_EKS_CLUSTER_NAME, AICORE_EKS_ENDPOINT and AICORE_EKS_CA_DATA must be set for the "
                           "logs of runs on the cluster")
    token = EksToken(s.eks_cluster_name, s.aws_region, s.eks_role_arn)
    return ClusterRunLogs(archive, PodLogReader.for_eks(s.eks_endpoint, s.eks_ca_data, token.get))
