"""Object-store secrets against the running stack, created with ai-core-sdk and used with `requests` (the clients
have no dataset-file method): the reference's secret (a bucket in pathPrefix, AWS keys, no endpoint) works in the
embedded store; a store that never answers gets a named error within the 10 s promised; and a second tenant that
points a secret at the stack's own object store (the emulator URL the banner prints) cannot touch the first
tenant's files."""
import re
import time

import pytest
import requests

from tests.support.conformance import bearer, provisioned_group
from tests.support.embedded import silent_store

RG = "conf-store"
KEYS = {"AWS_ACCESS_KEY_ID": "<access-key>", "AWS_SECRET_ACCESS_KEY": "<secret-key>"}
BOUND = 10 + 5  # the promised 10 s plus slack: proves "does not hang"


@pytest.fixture(scope="module")
def tenants(core, acme, stack):
    provisioned_group(core, RG)
    provisioned_group(acme, RG)
    a, b = stack.exports, stack.mint_tenant("acme")

    def files(exports):
        token = bearer(exports)

        def call(method, path, **kwargs):
            headers = {"Authorization": token, "AI-Resource-Group": RG, **kwargs.pop("headers", {})}
            return requests.request(method, f"{exports['AICORE_BASE_URL']}/lm/dataset/files/{path}",
                                    headers=headers, timeout=60, **kwargs)

        return call

    def tenant_id(exports):
        return requests.get(exports["AICORE_BASE_URL"] + "/admin/tenantInfo", timeout=10,
                            headers={"Authorization": bearer(exports)}).json()["tenantId"]

    return {"a": files(a), "b": files(b), "a_id": tenant_id(a)}


def emulator_port(stack) -> int:
    return int(re.search(r"AWS emulator \(DynamoDB, S3\): http://127\.0\.0\.1:(\d+)", stack.output())[1])


def test_the_references_secret_works_in_the_embedded_store(core, tenants):
    core.object_store_secrets.create(name="default", type="S3", path_prefix="my-bucket/training-output",
                                     data=KEYS, resource_group=RG)
    started = time.monotonic()
    created = tenants["a"]("PUT", "default/train/data.csv", data=b"a,b\n1,2\n", headers={"Content-Type": "text/csv"})
    assert time.monotonic() - started < BOUND
    assert created.status_code == 201 and created.json()["url"] == "ai://default/train/data.csv", created.text
    assert tenants["a"]("GET", "default/train/data.csv").content == b"a,b\n1,2\n"


def test_a_store_that_never_answers_is_named_within_bound(core, tenants):
    with silent_store() as endpoint:
        core.object_store_secrets.create(name="hangs", type="S3", bucket="b", endpoint=endpoint, data=KEYS,
                                         resource_group=RG)
        started = time.monotonic()
        result = tenants["a"]("PUT", "hangs/a.csv", data=b"x")
        assert time.monotonic() - started < BOUND
    assert result.status_code == 504 and result.json()["error"]["code"] == "GatewayTimeout", result.text
    assert "Object store secret 'hangs'" in result.json()["error"]["message"]


def test_another_tenant_cannot_reach_these_files_through_the_stacks_own_store(core, acme, stack, tenants):
    core.object_store_secrets.create(name="private", type="S3", path_prefix="datasets", data={}, resource_group=RG)
    assert tenants["a"]("PUT", "private/a.csv", data=b"tenant A only").status_code == 201
    port, area = emulator_port(stack), f"tenants/{tenants['a_id']}/{RG}"
    bucket = "aicore-dev-artifacts"
    spellings = {"direct": f"http://127.0.0.1:{port}", "bare": f"127.0.0.1:{port}", "named": f"localhost:{port}/",
                 "short": f"http://127.1:{port}"}
    for name, endpoint in spellings.items():
        acme.object_store_secrets.create(name=name, type="S3", bucket=bucket, endpoint=endpoint, usehttps="0",
                                         path_prefix=f"{area}/datasets", data=KEYS, resource_group=RG)
        for method, kwargs in (("GET", {}), ("PUT", {"data": b"B was here", "params": {"overwrite": "true"}}),
                               ("DELETE", {})):
            result = tenants["b"](method, f"{name}/a.csv", **kwargs)
            assert result.status_code == 403, (name, method, result.text)
            assert f"secret '{name}'" in result.json()["error"]["message"]
    assert tenants["a"]("GET", "private/a.csv").content == b"tenant A only"


def test_code_on_this_machine_cannot_use_the_emulator_with_made_up_keys(stack, tenants):
    """A step or predictor that finds the emulator's port (printed in the banner) gets nothing with its own keys."""
    import boto3
    from botocore.exceptions import ClientError

    kw = dict(endpoint_url=f"http://127.0.0.1:{emulator_port(stack)}", region_name="eu-central-1",
              aws_access_key_id="AKIASTEP", aws_secret_access_key="anything")
    with pytest.raises(ClientError) as refused:
        boto3.client("s3", **kw).list_objects_v2(Bucket="aicore-dev-artifacts")
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    with pytest.raises(ClientError) as refused:
        boto3.client("dynamodb", **kw).list_tables()
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    wipe = requests.post(f"http://127.0.0.1:{emulator_port(stack)}/moto-api/reset", timeout=10)
    assert wipe.status_code == 403
