"""The `inference_authorizer` Lambda function as API Gateway calls it: a real token of the local issuer, records on
moto's DynamoDB, the host KServe serves the deployment's InferenceService under (its default domain template)."""
from datetime import datetime, timezone

import pytest

from app import inference_authorizer
from chalicelib import bootstrap
from chalicelib.domain.cluster.inference_service import inference_service_name
from chalicelib.domain.cluster.namespaces import namespace_for
from chalicelib.domain.context import TenantContext
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.runs import Deployment

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
DEPLOYMENT = "d0123456789abcde"


@pytest.fixture
def running(api):
    settings = api.settings.model_copy(update={"ingress_domain": "models.example.org"})
    container = bootstrap.configure(settings)
    d = Deployment(id=DEPLOYMENT, configuration_id="c1", configuration_name="c", scenario_id="s", executable_id="e",
                   status=Status.RUNNING, inference_url="u", created_at=NOW, modified_at=NOW)
    container.store.create(TenantContext("t1", "rg1"), d.to_record(DEPLOYMENT))
    return api


def _event(api, tenant):
    arn = f"arn:aws:execute-api:eu-central-1:123456789012:abc/prd/POST/v2/inference/deployments/{DEPLOYMENT}/v1/x"
    return {"type": "REQUEST", "methodArn": arn, "pathParameters": {"deploymentId": DEPLOYMENT, "proxy": "v1/x"},
            "headers": {"Authorization": f"Bearer {api.token(tenant)}", "AI-Resource-Group": "rg1"}}


def test_the_owner_reaches_the_kserve_host_and_another_tenant_does_not(running):
    allowed = inference_authorizer(_event(running, "t1"), None)
    assert allowed["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    assert allowed["context"]["host"] == (f"{inference_service_name(DEPLOYMENT)}-{namespace_for('t1', 'rg1')}"
                                          ".models.example.org")
    denied = inference_authorizer(_event(running, "t2"), None)
    assert denied["policyDocument"]["Statement"][0]["Effect"] == "Deny"
    assert denied["context"]["code"] == "NotFound"
