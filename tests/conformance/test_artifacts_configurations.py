"""Artifacts and configurations through ai-core-sdk: every filter the client sends, $count, $expand, $search."""
import pytest
from ai_api_client_sdk.models.artifact import Artifact
from ai_api_client_sdk.models.label import Label
from ai_api_client_sdk.models.parameter_binding import ParameterBinding

from tests.support.conformance import SERVE, TRAIN, provisioned_group, serving_configuration, training_configuration

RG = "conf-artifacts"
CFG_RG = "conf-configurations"  # its own group: the training configuration registers a dataset artifact too
TIER = "ext.ai.sap.com/tier"


@pytest.fixture(scope="module")
def artifacts(core, catalog):
    provisioned_group(core, RG)
    made = {}
    for name, kind, tier in (("Gold Model", Artifact.Kind.MODEL, "gold"),
                             ("Bronze Model", Artifact.Kind.MODEL, "bronze"),
                             ("Raw Dataset", Artifact.Kind.DATASET, "gold")):
        made[name] = core.artifact.create(name=name, kind=kind, url=f"ai://default/{name.replace(' ', '-')}",
                                          scenario_id=catalog, description=f"{name} for the conformance suite",
                                          labels=[Label(key=TIER, value=tier)], resource_group=RG).id
    return made


def ids(listing) -> set:
    return {item.id for item in listing.resources}


def test_artifact_get_with_expand(core, catalog, artifacts):
    plain = core.artifact.get(artifacts["Gold Model"], resource_group=RG)
    assert (plain.name, plain.kind, plain.url) == ("Gold Model", Artifact.Kind.MODEL, "ai://default/Gold-Model")
    assert [(l.key, l.value) for l in plain.labels] == [(TIER, "gold")]
    assert plain.scenario is None
    expanded = core.artifact.get(artifacts["Gold Model"], expand="scenario", resource_group=RG)
    assert expanded.scenario.id == catalog and expanded.scenario.name == catalog


def test_artifact_filters_and_count(core, catalog, artifacts):
    models = {artifacts["Gold Model"], artifacts["Bronze Model"]}
    assert ids(core.artifact.query(kind=Artifact.Kind.MODEL, resource_group=RG)) == models
    assert core.artifact.count(kind=Artifact.Kind.MODEL, resource_group=RG) == 2
    assert ids(core.artifact.query(name="Raw Dataset", resource_group=RG)) == {artifacts["Raw Dataset"]}
    gold = core.artifact.query(artifact_label_selector=[f"{TIER}=gold"], kind=Artifact.Kind.MODEL, resource_group=RG)
    assert ids(gold) == {artifacts["Gold Model"]}
    assert core.artifact.count(artifact_label_selector=[f"{TIER}!=gold"], resource_group=RG) == 1
    assert core.artifact.count(scenario_id=catalog, resource_group=RG) == 3
    assert core.artifact.count(scenario_id="no-such-scenario", resource_group=RG) == 0
    assert core.artifact.count(execution_id="0123456789abcdef", resource_group=RG) == 0


def test_artifact_search_paging_and_expand(core, catalog, artifacts):
    assert core.artifact.query(search="model", resource_group=RG).count == 0  # case-sensitive by default
    found = core.artifact.query(search="model", search_case_insensitive=True, expand="scenario", resource_group=RG)
    assert ids(found) == {artifacts["Gold Model"], artifacts["Bronze Model"]}
    assert {a.scenario.id for a in found.resources} == {catalog}
    first, rest = core.artifact.query(top=1, resource_group=RG), core.artifact.query(skip=1, resource_group=RG)
    assert len(first.resources) == 1 and len(rest.resources) == 2
    assert ids(first) | ids(rest) == set(artifacts.values())


@pytest.fixture(scope="module")
def configurations(core, catalog):
    provisioned_group(core, CFG_RG)
    return {"train": training_configuration(core, CFG_RG, "Nightly training", env="conf"),
            "serve": serving_configuration(core, CFG_RG, "Online serving"),
            "serve2": core.configuration.create(name="Shadow serving", scenario_id=catalog, executable_id=SERVE,
                                                parameter_bindings=[ParameterBinding(key="envexample", value="b")],
                                                resource_group=CFG_RG).id}


def test_configuration_get_with_expand(core, catalog, configurations):
    got = core.configuration.get(configurations["train"], resource_group=CFG_RG)
    assert (got.name, got.scenario_id, got.executable_id) == ("Nightly training", catalog, TRAIN)
    assert [(p.key, p.value) for p in got.parameter_bindings] == [("envexample", "conf")]
    assert [b.key for b in got.input_artifact_bindings] == ["dataset"]
    assert got.scenario is None
    expanded = core.configuration.get(configurations["train"], expand="scenario", resource_group=CFG_RG)
    assert expanded.scenario.id == catalog


def test_configuration_query_count_search(core, catalog, configurations):
    serving = {configurations["serve"], configurations["serve2"]}
    assert ids(core.configuration.query(executable_ids=[SERVE], resource_group=CFG_RG)) == serving
    assert core.configuration.count(executable_ids=[SERVE, TRAIN], resource_group=CFG_RG) == 3
    assert core.configuration.count(scenario_id=catalog, resource_group=CFG_RG) == 3
    assert core.configuration.count(search="serving", resource_group=CFG_RG) == 2
    assert core.configuration.count(search="SERVING", resource_group=CFG_RG) == 0
    found = core.configuration.query(search="NIGHTLY", search_case_insensitive=True, expand="scenario",
                                     resource_group=CFG_RG)
    assert ids(found) == {configurations["train"]} and found.resources[0].scenario.id == catalog
    assert len(core.configuration.query(top=2, resource_group=CFG_RG).resources) == 2
    assert len(core.configuration.query(skip=2, resource_group=CFG_RG).resources) == 1
