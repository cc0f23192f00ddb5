"""Errors as the official clients see them: the status decides the exception type (ai-api-notes §9.7), and
every error body carries the code and message the clients read."""
import base64
import json

import pytest
from ai_api_client_sdk.exception import (AIAPIAuthenticatorAuthorizationException, AIAPIAuthorizationException,
                                         AIAPIInvalidRequestException, AIAPINotFoundException,
                                         AIAPIPreconditionFailedException)
from ai_api_client_sdk.models.target_status import TargetStatus

from tests.conformance.conftest import core_client
from tests.support.conformance import provisioned_group, training_configuration

RG = "conf-errors"


@pytest.fixture(scope="module")
def execution(core, catalog):
    provisioned_group(core, RG)
    return core.execution.create(training_configuration(core, RG, "errors"), resource_group=RG).id


def test_not_found(core, execution):
    for call in (lambda: core.execution.get("0000000000000000", resource_group=RG),
                 lambda: core.configuration.get("no-such-configuration", resource_group=RG),
                 lambda: core.artifact.get("no-such-artifact", resource_group=RG),
                 lambda: core.resource_groups.get("conf-no-such-group"),
                 lambda: core.repositories.get("conf-no-such-repo"),
                 lambda: core.applications.get_status("conf-no-such-app"),
                 lambda: core.execution.get(execution, resource_group="default")):  # another group's run
        with pytest.raises(AIAPINotFoundException) as raised:
            call()
        assert raised.value.error_code and raised.value.error_message and raised.value.request_id


def test_other_tenant_gets_not_found(acme, execution):
    provisioned_group(acme, RG)  # the same group name in the other tenant
    with pytest.raises(AIAPINotFoundException):
        acme.execution.get(execution, resource_group=RG)


def test_invalid_request(core, lm, execution):
    for call in (lambda: core.execution.create("no-such-configuration", resource_group=RG),
                 lambda: core.deployment.create("x", resource_group=RG),  # id shorter than 4 characters
                 lambda: core.execution.modify(execution, TargetStatus.COMPLETED, resource_group=RG),
                 lambda: core.artifact.query(top=-1, resource_group=RG),
                 lambda: core.secrets.create("conf-not-base64", {"key": "not base64!"}),
                 lambda: lm.execution_schedule.create("bad", "* *", "no-such-configuration", resource_group=RG)):
        with pytest.raises(AIAPIInvalidRequestException) as raised:
            call()
        assert raised.value.status_code == 400 and raised.value.error_code and raised.value.error_message


def test_precondition_failed(core, execution):
    # A live execution (its step holds until stopped) must be stopped before it can be deleted.
    with pytest.raises(AIAPIPreconditionFailedException) as raised:
        core.execution.delete(execution, resource_group=RG)
    assert raised.value.status_code == 412 and raised.value.error_message
    core.execution.modify(execution, TargetStatus.STOPPED, resource_group=RG)
    with pytest.raises(AIAPIPreconditionFailedException):  # a stopped run cannot be stopped again
        core.execution.modify(execution, TargetStatus.STOPPED, resource_group=RG)


def test_wrong_secret_is_refused_by_the_token_endpoint(stack):
    wrong = core_client({**stack.exports, "AICORE_CLIENT_SECRET": "not-the-secret"})
    with pytest.raises(AIAPIAuthenticatorAuthorizationException) as raised:
        wrong.resource_groups.query()
    assert raised.value.status_code == 401


def _unsigned_token(exports) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return "Bearer " + ".".join([part({"alg": "none", "typ": "JWT"}),
                                 part({"sub": exports["AICORE_CLIENT_ID"], "zid": "default"}), ""])


@pytest.mark.parametrize("token", ["Bearer not-a-jwt", "unsigned"])
def test_bad_token_is_authorization_error(stack, token):
    from ai_api_client_sdk.ai_api_v2_client import AIAPIV2Client
    from ai_core_sdk.ai_core_v2_client import AICoreV2Client

    value = _unsigned_token(stack.exports) if token == "unsigned" else token
    base = stack.exports["AICORE_BASE_URL"]
    core = AICoreV2Client(base_url=base, token_creator=lambda: value, resource_group="default")
    lm = AIAPIV2Client(base_url=base + "/lm", token_creator=lambda: value, resource_group="default")
    for call in (core.resource_groups.query, core.object_store_secrets.query, lm.execution_schedule.query,
                 lambda: core.execution.count()):
        with pytest.raises(AIAPIAuthorizationException) as raised:
            call()
        assert raised.value.status_code == 401
