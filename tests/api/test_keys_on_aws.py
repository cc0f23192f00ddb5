"""On AWS the container seals secret data with KMS and derives the run-credential key from a KMS HMAC key:
no key material in the environment or on a Lambda's disk (moto's KMS)."""
import base64

import boto3
import pytest

from app import app
from chalicelib import bootstrap
from chalicelib.domain.context import TenantContext
from chalicelib.domain.records import Kind
from tests.support.api_client import Api

GENERIC = "/v2/admin/secrets"


@pytest.fixture
def kms_api(aws):
    kms = boto3.client("kms", region_name=aws.aws_region)
    sealing = kms.create_key(Description="secret data")["KeyMetadata"]["Arn"]
    mac = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["Arn"]
    settings = aws.model_copy(update={"kms_key_id": sealing, "tracking_mac_key_id": mac})
    container = bootstrap.configure(settings)
    yield Api(app, settings), container, settings
    bootstrap.reset()


def test_secret_data_is_a_kms_envelope_and_never_on_disk(kms_api):
    api, container, settings = kms_api
    value = base64.b64encode(b"the-very-secret-value").decode()
    assert api.call("POST", GENERIC, {"name": "token", "data": {"key": value}}).status == 200
    record = container.store.get(TenantContext("t1", "default"), Kind.GENERIC_SECRET, "token")
    sealed = record.doc["sealed_data"]
    assert sealed.startswith("kms1:") and "very-secret" not in sealed and value not in sealed
    assert not (settings.keys_dir / "secrets.key").exists()  # the local stack's key file was never made
    got = api.call("GET", f"{GENERIC}/token")
    assert got.status == 200 and value not in got.body.decode()


def test_run_credentials_verify_across_lambda_instances(kms_api):
    _, container, settings = kms_api
    ctx = TenantContext("t1", "default")
    env = container.tracking_credentials.run_environment("https://api.example", ctx, "e0123456789abcde")
    credential = env["AICORE_TRACKING_ENDPOINT"].rsplit("/", 1)[-1]
    other = bootstrap.Container(settings)  # another Lambda instance: derives the same key from KMS
    assert other.tracking_credentials.verify(credential).execution_id == "e0123456789abcde"
    stranger = bootstrap.Container(settings.model_copy(update={"tracking_mac_key_id": None,
                                                               "secrets_key": "x" * 43 + "="}))
    with pytest.raises(Exception):
        stranger.tracking_credentials.verify(credential)
