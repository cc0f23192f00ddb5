"""The embedded emulator serves only the stack's own key: tenant code on the same machine (a step, a predictor)
that finds its loopback port cannot read or wipe other tenants' records and objects with made-up credentials."""
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import boto3
import pytest
from botocore.exceptions import ClientError

from chalicelib.adapters.local.emulator import Emulator
from chalicelib.adapters.local.emulator_gate import emulator_credentials


@pytest.fixture
def gated(tmp_path):
    key_id, key = emulator_credentials(tmp_path / "keys")
    emulator = Emulator(access_key_id=key_id).start()
    yield emulator, key_id, key
    s3, _ = clients(emulator.endpoint_url, key_id, key)
    s3.delete_object(Bucket="private", Key="tenants/a/default/x")  # moto's state is per process: leave none
    s3.delete_bucket(Bucket="private")
    emulator.stop()


def clients(endpoint, key_id, key):
    kw = dict(endpoint_url=endpoint, region_name="eu-central-1", aws_access_key_id=key_id, aws_secret_access_key=key)
    return boto3.client("s3", **kw), boto3.client("dynamodb", **kw)


def test_the_stacks_key_is_served_and_any_other_is_refused(gated, tmp_path):
    emulator, key_id, key = gated
    assert emulator_credentials(tmp_path / "keys") == (key_id, key)  # stable across starts
    assert (tmp_path / "keys" / "emulator.json").stat().st_mode & 0o077 == 0
    s3, dynamodb = clients(emulator.endpoint_url, key_id, key)
    s3.create_bucket(Bucket="private", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    s3.put_object(Bucket="private", Key="tenants/a/default/x", Body=b"A only")
    dynamodb.list_tables()

    for other in ("testing", "local", key_id[:-1], ""):
        s3, dynamodb = clients(emulator.endpoint_url, other or "x", key)
        with pytest.raises(ClientError) as refused:
            s3.get_object(Bucket="private", Key="tenants/a/default/x")
        assert refused.value.response["Error"]["Code"] == "AccessDenied"
        with pytest.raises(ClientError) as refused:
            dynamodb.list_tables()
        assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    with pytest.raises(HTTPError) as wiped:
        urlopen(Request(f"{emulator.endpoint_url}/moto-api/reset", method="POST"), timeout=10)
    assert wiped.value.code == 403
    s3, _ = clients(emulator.endpoint_url, key_id, key)
    assert s3.get_object(Bucket="private", Key="tenants/a/default/x")["Body"].read() == b"A only"
