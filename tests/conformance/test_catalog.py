"""Scenarios, versions and executables synced from Git, read through ai-core-sdk."""
import pytest
from ai_api_client_sdk.exception import AIAPINotFoundException

from tests.support.conformance import SERVE, STAGE_LABEL, TRAIN, provisioned_group

RG = "conf-catalog"


@pytest.fixture(scope="module", autouse=True)
def group(core, catalog):
    provisioned_group(core, RG)


def test_scenario_get(core, catalog):
    scenario = core.scenario.get(catalog, resource_group=RG)
    assert scenario.id == catalog and scenario.name == catalog
    assert scenario.created_at.tzinfo is not None
    assert catalog in [s.id for s in core.scenario.query(resource_group=RG).resources]


def test_versions_with_label_selector(core, catalog):
    versions = core.scenario.query_versions(catalog, resource_group=RG)
    assert sorted(v.id for v in versions.resources) == ["1.0.0", "2.0.0"]
    assert {v.scenario_id for v in versions.resources} == {catalog}
    dev = core.scenario.query_versions(catalog, label_selector=[f"{STAGE_LABEL}=dev"], resource_group=RG)
    assert [v.id for v in dev.resources] == ["1.0.0"]
    not_dev = core.scenario.query_versions(catalog, label_selector=[f"{STAGE_LABEL}!=dev"], resource_group=RG)
    assert [v.id for v in not_dev.resources] == ["2.0.0"]


def test_executable_get(core, catalog):
    train = core.executable.get(catalog, TRAIN, resource_group=RG)
    assert (train.id, train.scenario_id, train.version_id, train.deployable) == (TRAIN, catalog, "1.0.0", False)
    assert [p.name for p in train.parameters] == ["envexample"]
    assert [a.name for a in train.input_artifacts] == ["dataset"]
    assert [(a.name, a.kind) for a in train.output_artifacts] == [("model", "model")]
    assert [(l.key, l.value) for l in train.labels] == [(STAGE_LABEL, "dev")]
    assert core.executable.get(catalog, SERVE, resource_group=RG).deployable


def test_executable_query_by_version(core, catalog):
    assert {e.id for e in core.executable.query(catalog, resource_group=RG).resources} == {TRAIN, SERVE}
    assert [e.id for e in core.executable.query(catalog, version_id="2.0.0", resource_group=RG).resources] == [SERVE]
    assert core.executable.query(catalog, version_id="9.9.9", resource_group=RG).count == 0


def test_unknown_executable_is_not_found(core, catalog):
    with pytest.raises(AIAPINotFoundException):
        core.executable.get(catalog, "no-such-executable", resource_group=RG)
