"""pytest fixtures over the stand-in, for a conftest to import (`from tests.support.kube_standin.fixtures import
kube_cluster  # noqa: F401`). They expect S3 to be moto already (in-process `mock_aws`, e.g. the `aws` fixture)."""
from __future__ import annotations

import pytest

from . import kube_standin


@pytest.fixture
def kube_cluster():
    """(stand-in, KubernetesCluster over a real HTTP ApiClient) for one test."""
    from chalicelib.adapters.k8s.cluster import KubernetesCluster

    with kube_standin() as standin:
        yield standin, KubernetesCluster(standin.api_client())
