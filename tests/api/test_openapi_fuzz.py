"""schemathesis against /v2/openapi.json, in-process: every operation, with requests the document calls valid.

Bounded (EXAMPLES_PER_OPERATION generated cases per operation) so `make test` pays well under two minutes.
Checks: no 5xx, statuses, content types and bodies as documented, and valid requests not rejected with 400/422.
Random ids mostly name nothing, so a documented 404 is a fine answer.

schemathesis's pytest plugin (`schema.parametrize`) does not run under pytest 9, so the operations are walked
here, one hypothesis run each, and every failure is reported at the end.
"""
from __future__ import annotations

import json
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.support.wsgi_gateway import WsgiGateway

EXAMPLES_PER_OPERATION = 6
# The AI API answers 400 (its only documented error for these) when a body names another resource that does not
# exist, schedules when their window is not one (see WINDOW), and the dataset file API when the named object store
# secret is not an S3 one (fuzzing creates others).
# No document can say which ids exist, so these 400s are accepted (the error body's `target` is the request path,
# so the message tells them apart). Any other 400 or 422 to a request the document calls valid fails: this
# replaces schemathesis's positive_data_acceptance.
MISSING = r"not found|is not on-boarded"
# A schedule's window: start before end, end still ahead (relations between fields and the clock).
WINDOW = MISSING + r"|must be before|has passed"
ACCEPTED_400 = {
    ("POST", "/v2/lm/executions"): MISSING,
    ("POST", "/v2/lm/deployments"): MISSING,
    ("PATCH", "/v2/lm/deployments/{deploymentId}"): MISSING,
    ("POST", "/v2/lm/executionSchedules"): WINDOW,
    ("PATCH", "/v2/lm/executionSchedules/{scheduleId}"): WINDOW,
    ("POST", "/v2/lm/configurations"): MISSING,
    # Each id at most once: JSON Schema cannot say so (uniqueItems compares whole items); the description does.
    ("PATCH", "/v2/lm/executions"): "appears more than once",
    ("PATCH", "/v2/lm/deployments"): "appears more than once",
    ("POST", "/v2/admin/applications"): MISSING,
    **{(method, "/v2/lm/dataset/files/{objectStoreSecret}/{filePath}"): "only S3 stores"
       for method in ("PUT", "GET", "DELETE")},
}
# Writes that would make later random requests meaningless, and none of which the document can help.
SKIPPED = {
    # Deleting `default` would turn every later resource-group request into a 404.
    ("DELETE", "/v2/admin/resourceGroups/{resourceGroupId}"),
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    from moto import mock_aws

    from app import app
    from chalicelib import bootstrap
    from chalicelib.adapters.local.emulator import provision
    from chalicelib.settings import Settings
    from tests.support.api_client import Api

    aicore_settings = Settings(home=tmp_path_factory.mktemp("fuzz") / "aicore", stage="tst", aws_endpoint_url=None)
    with mock_aws():
        provision(aicore_settings)
        bootstrap.configure(aicore_settings)
        api = Api(app, aicore_settings)
        api.call("GET", "/v2/admin/resourceGroups")  # lists (and so creates) the tenant's `default` group
        yield app, api.token()
        bootstrap.reset()


def test_api_honours_its_document(stack):
    app, token = stack
    # Loaded through the app without a token: the document is public.
    schema = schemathesis.openapi.from_wsgi("/v2/openapi.json", WsgiGateway(app))
    failures = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        operations += 1
        failures += _run(operation, token)
    assert operations > 50
    assert not failures, "\n\n".join(failures)


def _run(operation, token) -> list:
    failures = []
    auth = {"Authorization": f"Bearer {token}"}

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def check(case):
        headers = dict(auth)
        if "AI-Resource-Group" in (case.headers or {}):
            headers["AI-Resource-Group"] = "default"  # a random group would only ever be a 404
        try:
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance],
                                   additional_checks=[valid_data_accepted])
        except (Exception, BaseExceptionGroup) as err:  # FailureGroup: the failures and a curl to reproduce
            failures.append(f"{operation.method.upper()} {operation.path}: {str(err)[:2000]}")
            raise

    try:
        check()
    except (Exception, BaseExceptionGroup) as err:  # a failure is recorded above; hypothesis re-raises it
        if not failures:  # the document itself is the problem (e.g. a pattern nothing can satisfy)
            failures.append(f"{operation.method.upper()} {operation.path}: {type(err).__name__}: {err}")
    return failures[-1:]



def valid_data_accepted(ctx, response, case):
    if response.status_code not in (400, 422):
        return None
    try:
        message = (json.loads(response.content or b"null") or {}).get("error", {}).get("message", "")
    except ValueError:
        message = ""
    accepted = ACCEPTED_400.get((case.operation.method.upper(), case.operation.path))
    if not (accepted and re.search(accepted, message)):
        raise AssertionError(f"A request the document calls valid was rejected with {response.status_code}: "
                             f"{response.content[:500]!r}")
    return None
