"""The AWS inference path's authorizer: API Gateway REQUEST events in, IAM policies with the ingress host out."""

import pytest

from chalicelib.adapters.aws.inference_authorizer import handle, running_host
from chalicelib.domain.context import TenantContext
from chalicelib.domain.inference import InferenceAccess
from chalicelib.domain.lifecycle import Status
from tests.support.memory_store import with_deployments
from tests.unit.test_inference_access import Verifier

OWNER = TenantContext("t1", "rg1")
ARN = "arn:aws:execute-api:eu-central-1:123456789012:abc/prd/POST/v2/inference/deployments/dep-running/v1/models/m"


@pytest.fixture
def access():
    store = with_deployments(OWNER, {"dep-running": Status.RUNNING, "dep-pending": Status.PENDING})
    host = lambda ctx, i: f"{i}.{ctx.tenant}-{ctx.resource_group}.inference.internal"  # noqa: E731
    return InferenceAccess(Verifier(), store, running_host(store, host))


def event(token="tenant:t1", group="rg1", deployment="dep-running"):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if group:
        headers["AI-Resource-Group"] = group
    return {"type": "REQUEST", "methodArn": ARN, "headers": headers, "pathParameters": {"deploymentId": deployment}}


def statement(policy):
    return policy["policyDocument"]["Statement"][0]


def test_the_owner_is_allowed_with_the_deployments_ingress_host(access):
    policy = handle(access, event())
    assert statement(policy)["Effect"] == "Allow" and statement(policy)["Resource"] == ARN
    assert policy["context"] == {"host": "dep-running.t1-rg1.inference.internal", "deploymentId": "dep-running",
                                 "tenant": "t1", "resourceGroup": "rg1"}  # the access log's inference figures
    assert policy["principalId"] == "t1/rg1"


@pytest.mark.parametrize("token, group, deployment, code", [
    ("tenant:t2", "rg1", "dep-running", "NotFound"),       # another tenant
    ("tenant:t1", "rg2", "dep-running", "NotFound"),       # another resource group
    ("tenant:t1", "rg1", "dep-pending", "ServiceUnavailable"),  # not RUNNING yet
    ("tenant:t1", None, "dep-running", "InvalidRequest"),  # no AI-Resource-Group header
])
def test_refusals_deny_with_the_ai_api_error_in_the_context(access, token, group, deployment, code):
    policy = handle(access, event(token, group, deployment))
    assert statement(policy)["Effect"] == "Deny"
    assert policy["context"]["code"] == code and policy["context"]["message"]
    assert "host" not in policy["context"]


@pytest.mark.parametrize("token", [None, "garbage"])
def test_a_missing_or_bad_token_is_api_gateways_401(access, token):
    with pytest.raises(Exception, match="^Unauthorized$"):
        handle(access, event(token=token))


def test_a_refusal_message_cannot_break_the_gateway_responses_json(access):
    policy = handle(access, event(deployment='x"y\\z'))
    assert statement(policy)["Effect"] == "Deny"
    assert '"' not in policy["context"]["message"] and "\\" not in policy["context"]["message"]


def test_a_configuration_switch_keeps_the_previous_revision_reachable():
    from chalicelib.adapters.aws.inference_authorizer import running_host as lookup_of
    from chalicelib.domain.lifecycle import Operation

    host = lambda ctx, i: f"{i}.host"  # noqa: E731
    rolling = with_deployments(OWNER, {"dep-rolling": Status.PENDING}, last_operation=Operation.UPDATE,
                               latest_running_configuration_id="cfg0")
    assert lookup_of(rolling, host)(OWNER, "dep-rolling") == "dep-rolling.host"
    never_ran = with_deployments(OWNER, {"dep-new": Status.PENDING}, last_operation=Operation.UPDATE)
    assert lookup_of(never_ran, host)(OWNER, "dep-new") is None
    starting = with_deployments(OWNER, {"dep-start": Status.PENDING}, latest_running_configuration_id="cfg0")
    assert lookup_of(starting, host)(OWNER, "dep-start") is None
