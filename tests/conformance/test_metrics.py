"""Metrics of a real execution through ai-core-sdk's MetricsCoreClient: modify, log_metrics, set_tags,
set_custom_info (PATCH as application/json, 204), query with executionIds / $filter and $select, delete."""
from datetime import datetime, timezone

import pytest
from ai_api_client_sdk.exception import AIAPIInvalidRequestException, AIAPINotFoundException
from ai_core_sdk.models import Metric, MetricCustomInfo, MetricLabel, MetricTag

from tests.support.conformance import provisioned_group, training_configuration

RG = "conf-metrics"
ARTIFACT_LABEL = "metrics.ai.sap.com/Artifact.name"


@pytest.fixture(scope="module")
def executions(core, catalog):
    provisioned_group(core, RG)
    configuration = training_configuration(core, RG, "tracked training")
    return [core.execution.create(configuration, resource_group=RG).id for _ in range(2)]


def test_write_and_read_metrics(core, executions):
    run, other = executions
    now = datetime.now(timezone.utc).replace(microsecond=0)
    assert core.metrics.modify(
        execution_id=run, resource_group=RG,
        metrics=[Metric(name="accuracy", value=0.91, timestamp=now, step=1, labels=[MetricLabel("split", "test")])],
        tags=[MetricTag(name="team", value="nlp")],
        custom_info=[MetricCustomInfo(name="confusion", value="[[5, 1], [2, 7]]")]) is None
    core.metrics.log_metrics([Metric(name="loss", value=0.25, timestamp=now, step=2)], execution_id=run,
                             artifact_name="model", resource_group=RG)
    core.metrics.set_tags([MetricTag(name="stage", value="dev")], execution_id=run, resource_group=RG)
    core.metrics.set_custom_info([MetricCustomInfo(name="notes", value="first run")], execution_id=run,
                                 resource_group=RG)
    core.metrics.set_tags([MetricTag(name="team", value="vision")], execution_id=other, resource_group=RG)

    result = core.metrics.query(execution_ids=[run], resource_group=RG)
    assert result.count == 1
    resource = result.resources[0]
    assert resource.execution_id == run
    metrics = {m.name: m for m in resource.metrics}
    assert (metrics["accuracy"].value, metrics["accuracy"].step, metrics["accuracy"].timestamp) == (0.91, 1, now)
    assert [(l.name, l.value) for l in metrics["accuracy"].labels] == [("split", "test")]
    assert [(l.name, l.value) for l in metrics["loss"].labels] == [(ARTIFACT_LABEL, "model")]
    assert sorted((t.name, t.value) for t in resource.tags) == [("stage", "dev"), ("team", "nlp")]
    assert sorted((c.name, c.value) for c in resource.custom_info) == [("confusion", "[[5, 1], [2, 7]]"),
                                                                        ("notes", "first run")]

    both = core.metrics.query(execution_ids=[run, other], select=["tags"], resource_group=RG)
    assert {r.execution_id for r in both.resources} == {run, other}
    assert all(r.metrics is None and r.custom_info is None and r.tags for r in both.resources)

    filtered = core.metrics.query(filter=f"executionId eq '{other}'", resource_group=RG)
    assert [r.execution_id for r in filtered.resources] == [other]


def test_delete_metrics(core, executions):
    run, other = executions
    core.metrics.delete(run, resource_group=RG)
    assert [r.execution_id for r in core.metrics.query(execution_ids=[run, other], resource_group=RG).resources] \
        == [other]
    with pytest.raises(AIAPINotFoundException):
        core.metrics.delete(run, resource_group=RG)


def test_query_needs_a_selection(core, executions):
    with pytest.raises(AIAPIInvalidRequestException):
        core.metrics.query(resource_group=RG)
