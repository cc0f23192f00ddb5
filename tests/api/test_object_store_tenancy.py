"""Dataset files on the embedded stack's real emulator: the reference's secret (a bucket, no endpoint) works in the
embedded store, a store that never answers gets a named error within the 10 s the issue promises, and tenant B's
secrets that point at the platform's own store in any spelling cannot read or change tenant A's files."""
import time

import boto3
import pytest

from tests.support.embedded import closed_port, embedded_api, silent_store

OSS = "/v2/admin/objectStoreSecrets"
FILES = "/v2/lm/dataset/files"
ANY = {"Accept": "*/*"}
KEYS = {"AWS_ACCESS_KEY_ID": "<access-key>", "AWS_SECRET_ACCESS_KEY": "<secret-key>"}
BOUND = 10 + 5  # the promised 10 s, plus slack for a loaded machine: proves "does not hang", not speed


@pytest.fixture
def api(settings):
    with embedded_api(settings) as api:
        yield api


def secret(api, body, tenant="t1"):
    result = api.call("POST", OSS, {"type": "S3", "data": KEYS, **body}, rg=None, tenant=tenant)
    assert result.status == 202, result


def put(api, path, data, tenant="t1", query=""):
    return api.call("PUT", f"{FILES}/{path}{query}", raw=data, tenant=tenant,
                    headers={"Content-Type": "application/octet-stream"})


def get(api, path, tenant="t1"):
    return api.call("GET", f"{FILES}/{path}", tenant=tenant, headers=ANY)


def platform_keys(api):
    s3 = boto3.client("s3", region_name=api.settings.aws_region, endpoint_url=api.settings.aws_endpoint_url)
    return [o["Key"] for o in s3.list_objects_v2(Bucket=api.settings.resolved_bucket).get("Contents", [])]


def test_the_references_secret_works_in_the_embedded_store(api):
    secret(api, {"name": "default", "pathPrefix": "my-bucket/training-output"})  # as the reference writes it
    secret(api, {"name": "split", "bucket": "my-bucket", "pathPrefix": "training-output"})
    started = time.monotonic()
    assert put(api, "default/train/data.csv", b"a,b\n1,2\n").status == 201
    assert time.monotonic() - started < BOUND
    assert get(api, "default/train/data.csv").body == b"a,b\n1,2\n"
    assert get(api, "split/train/data.csv").body == b"a,b\n1,2\n"  # bucket in `bucket` or in pathPrefix: same file
    assert platform_keys(api) == ["tenants/t1/default/my-bucket/training-output/train/data.csv"]
    assert api.call("DELETE", f"{FILES}/split/train/data.csv").status == 204
    assert get(api, "default/train/data.csv").status == 404


@pytest.mark.parametrize("usehttps", ["0", "1"])
def test_a_store_that_never_answers_is_a_504_naming_the_secret_within_bound(api, usehttps):
    with silent_store() as endpoint:
        secret(api, {"name": "hangs", "bucket": "b", "endpoint": endpoint.replace("http://", ""),
                     "usehttps": usehttps})
        for call in (lambda: put(api, "hangs/a.csv", b"x"), lambda: get(api, "hangs/a.csv")):
            started = time.monotonic()
            result = call()
            assert time.monotonic() - started < BOUND
            assert result.status in (503, 504), result
            message = result.json["error"]["message"]
            assert "Object store secret 'hangs'" in message and "endpoint" in message, message


def test_a_store_nobody_listens_on_is_a_503_naming_the_secret(api):
    secret(api, {"name": "refused", "bucket": "b", "endpoint": closed_port()})
    started = time.monotonic()
    result = put(api, "refused/a.csv", b"x")
    assert time.monotonic() - started < BOUND
    assert result.status == 503 and result.json["error"]["code"] == "ServiceUnavailable", result
    assert "Object store secret 'refused'" in result.json["error"]["message"]
    assert "check its endpoint" in result.json["error"]["message"]


def attack_secrets(api):
    """Tenant B's secrets aimed at the emulator (in several spellings) and at tenant A's prefix."""
    port = api.emulator.port
    bucket = api.settings.resolved_bucket
    a_prefix = "tenants/t1/default/datasets"
    return {
        "direct": {"endpoint": api.emulator.endpoint_url, "bucket": bucket, "pathPrefix": a_prefix},
        "no-scheme": {"endpoint": f"127.0.0.1:{port}", "usehttps": "0", "bucket": bucket, "pathPrefix": a_prefix},
        "localhost": {"endpoint": f"http://localhost:{port}/", "bucket": bucket, "pathPrefix": f"/{a_prefix}/"},
        "short-ip": {"endpoint": f"http://127.1:{port}", "bucket": f"{bucket}/{a_prefix}"},
        "zeros": {"endpoint": f"http://0.0.0.0:{port}", "bucket": bucket.upper(), "pathPrefix": a_prefix},
        "in-prefix": {"pathPrefix": a_prefix},
        "bucket-only": {"bucket": bucket, "pathPrefix": a_prefix},
    }


def test_tenant_b_cannot_read_or_change_tenant_a_files_through_the_platform_store(api):
    secret(api, {"name": "default", "pathPrefix": "datasets", "data": {}})
    assert put(api, "default/private.csv", b"tenant A only").status == 201
    before = platform_keys(api)
    for name, body in attack_secrets(api).items():
        secret(api, {"name": name, **body}, tenant="t2")
        for result in (get(api, f"{name}/private.csv", tenant="t2"),
                       put(api, f"{name}/private.csv", b"overwritten by B", tenant="t2", query="?overwrite=true"),
                       api.call("DELETE", f"{FILES}/{name}/private.csv", tenant="t2")):
            assert result.status == 403, (name, result)
            error = result.json["error"]
            assert error["code"] == "Forbidden" and f"secret '{name}'" in error["message"], (name, error)
            assert "tenant 't2'" in error["message"] and "tenant A only" not in str(error)
    assert get(api, "default/private.csv").body == b"tenant A only"
    assert platform_keys(api) == before


def test_tenant_b_aimed_at_the_emulator_without_naming_a_reaches_only_its_own_area(api):
    secret(api, {"name": "default", "pathPrefix": "datasets", "data": {}})
    assert put(api, "default/private.csv", b"tenant A only").status == 201
    body = {"name": "mine", "endpoint": f"localhost:{api.emulator.port}", "usehttps": "0",
            "bucket": api.settings.resolved_bucket, "pathPrefix": "datasets"}
    secret(api, body, tenant="t2")
    assert get(api, "mine/private.csv", tenant="t2").status == 404
    assert put(api, "mine/private.csv", b"B's own", tenant="t2").status == 201
    assert get(api, "default/private.csv").body == b"tenant A only"
    assert "tenants/t2/default/datasets/private.csv" in platform_keys(api)


def test_told_to_use_real_s3_a_bucket_without_endpoint_leaves_the_embedded_store(settings):
    """Here the network has only loopback, so AWS cannot be reached: the answer still comes within bound and names
    the secret (with internet access it would be S3's own refusal of these made-up keys: a 400, also named)."""
    with embedded_api(settings.model_copy(update={"object_store_real_s3": True})) as api:
        secret(api, {"name": "real-s3", "bucket": "my-bucket", "pathPrefix": "training-output"})
        started = time.monotonic()
        result = put(api, "real-s3/a.csv", b"x")
        assert time.monotonic() - started < BOUND
        assert result.status in (400, 403, 503, 504), result
        assert "real-s3" in result.json["error"]["message"]
        assert platform_keys(api) == []
