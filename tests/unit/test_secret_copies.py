"""A deleted secret's copies: the services tell the engine (AWS: the control machine), the forget step removes the
Kubernetes Secrets from the namespaces runs' submits wrote them into: the group's, or every group's of the tenant."""
import base64

import pytest

from chalicelib.domain.cluster.namespaces import namespace_for
from chalicelib.domain.cluster.run_ref import RunRef
from chalicelib.domain.context import TenantContext
from chalicelib.domain.docker_secrets import DockerRegistrySecretService
from chalicelib.domain.generic_secrets import GenericSecretService
from chalicelib.domain.object_store_secrets import ObjectStoreSecretService, ObjectStoreSpec
from chalicelib.domain.resource_group_cache import CachedResourceGroups
from tests.support.memory_cluster import MemoryCluster
from tests.support.memory_store import MemoryStore
from tests.support.cluster_world import Clock, build_world


class Copies:
    def __init__(self):
        self.forgotten = []

    def forget_secret(self, tenant, resource_group, kubernetes_name):
        self.forgotten.append((tenant, resource_group, kubernetes_name))


class Cipher:  # the services seal data; what with does not matter here
    def encrypt(self, plaintext: bytes) -> str:
        return plaintext.decode()

    def decrypt(self, token: str) -> bytes:
        return token.encode()


@pytest.fixture
def copies():
    return Copies()


def test_deleting_a_generic_secret_forgets_its_copies_in_its_scope(copies):
    secrets = GenericSecretService(MemoryStore(), Clock(), Cipher(), copies)
    value = {"token": base64.b64encode(b"x").decode()}
    secrets.create(TenantContext("t1", "team-a"), "my-creds", value, [])
    secrets.create(TenantContext("t1", "*", tenant_scope=True), "shared", value, [])

    secrets.delete(TenantContext("t1", "team-a"), "my-creds")
    secrets.delete(TenantContext("t1", "*", tenant_scope=True), "shared")

    assert copies.forgotten == [("t1", "team-a", "my-creds"), ("t1", None, "shared")]


def test_deleting_a_docker_secret_forgets_it_in_every_group_under_its_kubernetes_name(copies):
    secrets = DockerRegistrySecretService(MemoryStore(), Clock(), Cipher(), copies)
    config = {".dockerconfigjson": '{"auths": {"r.example.com": {"auth": "dTpw"}}}'}
    secrets.create(TenantContext("t1"), "reg_ab", config)  # '_' is no Kubernetes name: a derived one was written

    secrets.delete(TenantContext("t1", "default"), "reg_ab")

    [(tenant, group, name)] = copies.forgotten
    assert (tenant, group) == ("t1", None) and name != "reg_ab" and name.startswith("aic-secret")


def test_deleting_an_object_store_secret_forgets_its_copy_in_its_group(copies):
    secrets = ObjectStoreSecretService(MemoryStore(), Clock(), Cipher(), copies)
    secrets.create(TenantContext("t1", "team-a"), ObjectStoreSpec(name="default", type="S3", bucket="b", data={
        "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"}))

    secrets.delete(TenantContext("t1", "team-a"), "default")

    assert [(t, g) for t, g, _ in copies.forgotten] == [("t1", "team-a")]


def test_a_failed_delete_forgets_nothing(copies):
    secrets = GenericSecretService(MemoryStore(), Clock(), Cipher(), copies)
    with pytest.raises(Exception):
        secrets.delete(TenantContext("t1", "team-a"), "missing")
    assert copies.forgotten == []


def test_the_forget_step_removes_the_copies_from_one_group_or_every_group_of_the_tenant():
    cluster = MemoryCluster()
    world = build_world(cluster)
    groups = CachedResourceGroups(world.store, Clock())
    for tenant, group in (("t1", "team-a"), ("t1", "team-b"), ("t2", "team-a")):
        groups.create(TenantContext(tenant), group, [])
        cluster.ensure_namespace(namespace_for(tenant, group), {})
        for name in ("creds", "other"):
            cluster.apply_secret(namespace_for(tenant, group), {"metadata": {"name": name}})

    world.steps.forget(RunRef.from_event({"kind": "secret", "tenant": "t1", "resourceGroup": "team-a", "id": "other"}))
    world.steps.forget(RunRef.from_event({"kind": "secret", "tenant": "t1", "resourceGroup": "*", "id": "creds"}))
    world.steps.forget(RunRef.from_event({"kind": "secret", "tenant": "t1", "resourceGroup": "*", "id": "creds"}))

    assert sorted(cluster.secrets) == sorted([(namespace_for("t1", "team-b"), "other"),
                                              (namespace_for("t2", "team-a"), "creds"),
                                              (namespace_for("t2", "team-a"), "other")])
