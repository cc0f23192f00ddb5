"""The Container builds the cluster_task function's services from settings (no cluster is reached here)."""
from __future__ import annotations

import pytest

from chalicelib import bootstrap
from chalicelib.adapters.aws.s3_log_archive import S3LogArchive
from chalicelib.adapters.aws.stepfunctions import StepFunctionsOrchestrator
from chalicelib.adapters.local.orchestrator import IdleOrchestrator
from chalicelib.domain.cluster.steps import ClusterRunSteps


@pytest.fixture
def container(settings):
    yield lambda **changes: bootstrap.configure(settings.model_copy(update=changes))
    bootstrap.reset()


def test_the_engine_setting_picks_the_orchestrator(container):
    assert isinstance(container().orchestrator, IdleOrchestrator)
    assert isinstance(container(engine="stepfunctions").orchestrator, StepFunctionsOrchestrator)


def test_cluster_steps_are_built_over_the_cluster_and_the_s3_log_archive(container):
    c = container(cluster_poll_running_seconds=5)
    c.__dict__["cluster"] = object()  # the EKS client is the k8s adapter's; not reached here
    assert isinstance(c.cluster_steps, ClusterRunSteps)
    assert isinstance(c.cluster_log_archive, S3LogArchive)


def test_the_cluster_needs_its_eks_settings(container):
    with pytest.raises(RuntimeError, match="AICORE_EKS_CLUSTER_NAME"):
        container().cluster
