"""A resource group's own namespace: the service tells the engine when a group comes and goes; on the cluster path
the provision and deprovision steps make and remove the namespace."""
from chalicelib.domain.cluster.namespaces import namespace_for
from chalicelib.domain.cluster.run_ref import GROUP, RunRef
from chalicelib.domain.context import TenantContext
from chalicelib.domain.resource_group_cache import CachedResourceGroups
from tests.support.memory_cluster import MemoryCluster
from tests.support.memory_store import MemoryStore
from tests.support.cluster_world import Clock, build_world


class Provisioner:
    def __init__(self):
        self.calls = []

    def provision_group(self, tenant, resource_group):
        self.calls.append(("provision", tenant, resource_group))

    def deprovision_group(self, tenant, resource_group):
        self.calls.append(("deprovision", tenant, resource_group))


def test_a_new_group_is_provisioned_once_and_deprovisioned_when_deleted():
    provisioner = Provisioner()
    groups = CachedResourceGroups(MemoryStore(), Clock(), provisioner=provisioner)
    groups.create(TenantContext("t1"), "team-b", [])
    groups.create(TenantContext("t1"), "team-b", [])  # a CI script creating its group again: nothing more to do
    groups.onboard("t2")
    assert provisioner.calls == [("provision", "t1", "team-b"), ("provision", "t2", "default")]
    groups.delete(TenantContext("t1"), "team-b")
    assert provisioner.calls[-1] == ("deprovision", "t1", "team-b")


def test_without_an_engine_that_provisions_nothing_is_asked():
    groups = CachedResourceGroups(MemoryStore(), Clock())
    groups.create(TenantContext("t1"), "team-b", [])
    groups.delete(TenantContext("t1"), "team-b")  # no error: the local stack needs no namespace


def test_the_cluster_steps_make_and_remove_the_groups_namespace():
    cluster = MemoryCluster()
    world = build_world(cluster)
    ref = RunRef.from_event({"kind": GROUP, "tenant": "t1", "resourceGroup": "team-b", "id": "team-b"})
    world.steps.provision(ref)
    world.steps.provision(ref)  # a retried step
    assert namespace_for("t1", "team-b") in cluster.namespaces
    world.steps.fail(ref, "TransientError", "the cluster did not answer")  # no record to end: nothing breaks
    world.steps.deprovision(ref)
    world.steps.deprovision(ref)
    assert namespace_for("t1", "team-b") not in cluster.namespaces
