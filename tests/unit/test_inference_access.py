"""Who may call a deployment's predictor: the token's tenant and the resource group header must own it."""

import pytest

from chalicelib.domain.auth import Principal
from chalicelib.domain.context import TenantContext
from chalicelib.domain.errors import Forbidden, InvalidInput, NotFound, ServiceUnavailable, Unauthorized
from chalicelib.domain.inference import InferenceAccess
from chalicelib.domain.lifecycle import Status
from tests.support.memory_store import with_deployments

OWNER = TenantContext("t1", "rg1")


class Verifier:
    def verify(self, token):
        if token == "restricted":
            return Principal("t1", "c", frozenset({"aicore.metrics.write:abcd"}))
        if token.startswith("tenant:"):
            return Principal(token.split(":", 1)[1], "c")
        raise Unauthorized("bad token")


@pytest.fixture
def access():
    store = with_deployments(OWNER, {"dep-running": Status.RUNNING, "dep-stopped": Status.STOPPED})
    serving = {("t1", "rg1", "dep-running"): "replica"}
    return InferenceAccess(Verifier(), store, lambda ctx, i: serving.get((ctx.tenant, ctx.resource_group, i)))


def test_the_owner_reaches_the_serving_predictor(access):
    target = access.resolve("tenant:t1", "rg1", "dep-running")
    assert (target.upstream, target.ctx.tenant, target.ctx.resource_group) == ("replica", "t1", "rg1")


@pytest.mark.parametrize("token, group", [("tenant:t2", "rg1"), ("tenant:t1", "rg2")])
def test_another_tenant_or_group_gets_404(access, token, group):
    with pytest.raises(NotFound):
        access.resolve(token, group, "dep-running")


def test_not_running_is_503_naming_the_status(access):
    with pytest.raises(ServiceUnavailable) as err:
        access.resolve("tenant:t1", "rg1", "dep-stopped")
    assert "STOPPED" in err.value.message


def test_bad_inputs(access):
    with pytest.raises(Unauthorized):
        access.resolve("garbage", "rg1", "dep-running")
    with pytest.raises(Forbidden):
        access.resolve("restricted", "rg1", "dep-running")
    with pytest.raises(InvalidInput):
        access.resolve("tenant:t1", " ", "dep-running")
    with pytest.raises(NotFound):
        access.resolve("tenant:t1", "rg1", "../../etc")
