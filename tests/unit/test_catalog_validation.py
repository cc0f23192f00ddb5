"""Configuration checks against the executable, artifact URL / selector rules and $search rules."""
from datetime import datetime, timezone

import pytest

from chalicelib.domain.artifacts import ArtifactKind, ArtifactService, label_selector, validate_url
from chalicelib.domain.configurations import ArtifactBinding, ConfigurationService, ParameterBinding
from chalicelib.domain.context import TenantContext
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.filters import search_predicate
from chalicelib.domain.records import Kind
from tests.support.memory_store import MemoryStore
from tests.support.seed import seed_executable

CTX = TenantContext("t1", "default")


class FixedClock:
    def now(self):
        return datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)


@pytest.fixture
def env():
    store = MemoryStore()
    seed_executable(store, "t1", "scen1", "train", parameters=["lr", "epochs"], input_artifacts=["data"])
    seed_executable(store, "t1", "scen1", "bare")
    artifacts = ArtifactService(store, FixedClock())
    data = artifacts.register(CTX, "ds", ArtifactKind.DATASET, "ai://default/data", "scen1")
    return store, ConfigurationService(store, FixedClock()), data


def test_valid_configuration_is_stored(env):
    store, configs, data = env
    created = configs.create(CTX, "cfg", "scen1", "train", [ParameterBinding(key="lr", value="0.1")],
                             [ArtifactBinding(key="data", artifact_id=data.id)])
    stored = store.get(CTX, Kind.CONFIGURATION, created.id)
    assert stored.doc["parameter_bindings"] == [{"key": "lr", "value": "0.1"}]
    assert configs.get(CTX, created.id).input_artifact_bindings[0].artifact_id == data.id


def test_unknown_executable_message(env):
    _, configs, _ = env
    with pytest.raises(InvalidInput) as err:
        configs.create(CTX, "cfg", "scen1", "nope", [], [])
    assert err.value.message == ("Could not create configuration, because executable nope for scenario scen1 "
                                 "is not found.")
    with pytest.raises(InvalidInput, match="executable train for scenario scen2"):
        configs.create(CTX, "cfg", "scen2", "train", [], [])


def test_other_tenant_executable_is_invisible(env):
    _, configs, _ = env
    with pytest.raises(InvalidInput, match="is not found"):
        configs.create(TenantContext("t2", "default"), "cfg", "scen1", "train", [], [])


def test_undeclared_parameter_keys_are_kept(env):
    """As the ML Operations reference binds batch_size to a template without it: Argo keeps extra arguments."""
    _, configs, _ = env
    made = configs.create(CTX, "cfg", "scen1", "train", [ParameterBinding(key="lr", value="1"),
                                                          ParameterBinding(key="batch_size", value="32")], [])
    assert [(b.key, b.value) for b in configs.get(CTX, made.id).parameter_bindings] == [("lr", "1"),
                                                                                         ("batch_size", "32")]
    bare = configs.create(CTX, "cfg", "scen1", "bare", [ParameterBinding(key="lr", value="1")], [])
    assert bare.parameter_bindings[0].key == "lr"


def test_unknown_artifact_key_and_duplicates(env):
    _, configs, data = env
    with pytest.raises(InvalidInput, match="'inputArtifactBindings' key 'model'.*Valid keys: data"):
        configs.create(CTX, "cfg", "scen1", "train", [], [ArtifactBinding(key="model", artifact_id=data.id)])
    with pytest.raises(InvalidInput, match="binds key 'lr' more than once"):
        configs.create(CTX, "cfg", "scen1", "train", [ParameterBinding(key="lr", value="1")] * 2, [])


def test_bound_artifact_must_exist_in_the_resource_group(env):
    _, configs, data = env
    with pytest.raises(InvalidInput, match="artifact 'missing-1' not found in resource group 'default'"):
        configs.create(CTX, "cfg", "scen1", "train", [], [ArtifactBinding(key="data", artifact_id="missing-1")])
    other_rg = TenantContext("t1", "rg2")
    with pytest.raises(InvalidInput, match=f"artifact '{data.id}' not found in resource group 'rg2'"):
        configs.create(other_rg, "cfg", "scen1", "train", [], [ArtifactBinding(key="data", artifact_id=data.id)])


def test_get_unknown_and_invalid_configuration(env):
    _, configs, _ = env
    with pytest.raises(NotFound):
        configs.get(CTX, "abcd-missing")
    with pytest.raises(InvalidInput):
        configs.get(CTX, "a b")


@pytest.mark.parametrize("url", ["ai://default/data", "ai://default/a/b.csv", "ai://my-store.x/p", "ai://default",
                                 "https://example.com/x", "s3://bucket/key"])
def test_urls_accepted(url):
    assert validate_url(url) == url


@pytest.mark.parametrize("url", ["default/data", "AI://default/x", "ai://Default/x", "ai://default/../x",
                                 "ai://default/a/./b", "ai://default\\x", "ai:///x", "x" * 1020 + "://abc"])
def test_urls_refused(url):
    with pytest.raises(InvalidInput, match="'url'"):
        validate_url(url)


def test_label_selector_decodes_comma_and_validates():
    selector = label_selector(["ext.ai.sap.com/a=x{comma}y", "ext.ai.sap.com/b!=z"])
    assert selector.matches([{"key": "ext.ai.sap.com/a", "value": "x,y"}])
    assert not selector.matches([{"key": "ext.ai.sap.com/a", "value": "x,y"}, {"key": "ext.ai.sap.com/b", "value": "z"}])
    with pytest.raises(InvalidInput, match="must be ext.ai.sap.com/<key>=<value>"):
        label_selector(["owner=me"])
    with pytest.raises(InvalidInput, match="at most 10"):
        label_selector([f"ext.ai.sap.com/k{i}=v" for i in range(11)])


def test_search_rules():
    match = search_predicate("Net", True, ("name", "description"))
    assert match({"name": "resnet"}) and match({"name": "x", "description": "a NETwork"})
    assert not search_predicate("Net", False, ("name",))({"name": "resnet"})
    assert search_predicate(None, False, ("name",)) is None
    for bad in ("a~b", "x" * 81, ""):
        with pytest.raises(InvalidInput, match=r"\$search"):
            search_predicate(bad, False, ("name",))
