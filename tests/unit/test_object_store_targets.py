"""Which secrets reach the platform's own store, in every spelling, and where their files land (no AWS needed)."""
import pytest
from cryptography.fernet import Fernet

from chalicelib.adapters.crypto import FernetCipher
from chalicelib.domain.context import TenantContext
from chalicelib.domain.errors import Forbidden
from chalicelib.domain.object_store import ObjectStoreResolver, PlatformStorage
from chalicelib.domain.object_store_secrets import ObjectStoreSecretService, ObjectStoreSpec
from tests.unit.test_object_store import FixedClock, MemoryStore

B = TenantContext("tenant-b", "default")
KEYS = {"AWS_ACCESS_KEY_ID": "AKIAB", "AWS_SECRET_ACCESS_KEY": "b-secret"}
EMBEDDED = PlatformStorage("aicore-dev-artifacts", "http://127.0.0.1:4566", "eu-central-1",
                           allow_private_endpoints=True, buckets_in_platform_store=True)
AWS = PlatformStorage("aicore-prd-artifacts", None, "eu-central-1", allow_private_endpoints=False)


def resolver(platform, **spec):
    service = ObjectStoreSecretService(MemoryStore(), FixedClock(), FernetCipher([Fernet.generate_key()]))
    service.create(B, ObjectStoreSpec(name="s", type="S3", data=spec.pop("data", KEYS), **spec))
    return ObjectStoreResolver(service, platform)


def home(key=""):
    return "tenants/tenant-b/default" + (f"/{key}" if key else "")


@pytest.mark.parametrize("spec", [
    {"path_prefix": "my-bucket/training-output"},  # the ML Operations reference's secret, as written
    {"bucket": "my-bucket", "path_prefix": "training-output"},
    {"bucket": "my-bucket/training-output"},
    {"bucket": "/my-bucket/", "path_prefix": "/training-output/"},
])
def test_a_bucket_without_endpoint_lives_in_the_embedded_store(spec):
    location = resolver(EMBEDDED, **spec).locate(B, "s", "train.csv")
    assert (location.bucket, location.key) == ("aicore-dev-artifacts", home("my-bucket/training-output/train.csv"))
    assert location.connection.endpoint_url == "http://127.0.0.1:4566"
    assert location.connection.access_key_id is None  # the platform's own credentials, inside the prefix
    assert location.secret == "s"


def test_told_to_use_real_s3_a_bucket_without_endpoint_goes_to_aws_with_its_keys():
    real = PlatformStorage("aicore-dev-artifacts", "http://127.0.0.1:4566", "eu-central-1", True, False)
    location = resolver(real, bucket="my-bucket", path_prefix="out").locate(B, "s", "a.csv")
    assert (location.bucket, location.key) == ("my-bucket", "out/a.csv")
    assert location.connection.endpoint_url is None and location.connection.access_key_id == "AKIAB"


EMULATOR_SPELLINGS = [
    ("http://127.0.0.1:4566", None), ("127.0.0.1:4566", "0"), ("http://127.0.0.1:4566/", None),
    ("http://localhost:4566", None), ("HTTP://LOCALHOST:4566//", None), ("localhost:4566", "0"),
    ("http://127.1:4566", None), ("http://0.0.0.0:4566", None), ("http://[::1]:4566", None),
    ("http://[::ffff:127.0.0.1]:4566", None), ("http://2130706433:4566", None), ("http://0x7f000001:4566", None),
    ("http://s3.localtest.me:4566", None), ("https://127.0.0.1:4566", None), ("http://10.1.2.3:4566", None),
]


@pytest.mark.parametrize("endpoint, usehttps", EMULATOR_SPELLINGS)
@pytest.mark.parametrize("bucket", ["aicore-dev-artifacts", "AICORE-DEV-ARTIFACTS", "tenant-a-data", None])
def test_every_spelling_of_the_emulator_is_confined(endpoint, usehttps, bucket):
    spec = {"endpoint": endpoint, "usehttps": usehttps, "bucket": bucket}
    location = resolver(EMBEDDED, **spec, path_prefix="datasets").locate(B, "s", "a.csv")
    own = "" if bucket in (None, "aicore-dev-artifacts", "AICORE-DEV-ARTIFACTS") else f"{bucket}/"
    assert (location.bucket, location.key) == ("aicore-dev-artifacts", home(f"{own}datasets/a.csv"))
    assert location.connection.access_key_id is None


@pytest.mark.parametrize("spec, path", [
    ({"bucket": "aicore-dev-artifacts", "path_prefix": "tenants/tenant-a/default/datasets"}, "a.csv"),
    ({"bucket": "aicore-dev-artifacts/tenants/tenant-a/default"}, "datasets/a.csv"),
    ({"bucket": "aicore-dev-artifacts", "endpoint": "localhost:4566", "usehttps": "0"},
     "tenants/tenant-a/default/datasets/a.csv"),
    ({"bucket": "tenants", "endpoint": "http://127.1:4566", "path_prefix": "tenant-a/default"}, "datasets/a.csv"),
    ({"path_prefix": "/tenants/tenant-a/"}, "default/datasets/a.csv"),
    ({"path_prefix": "tenants"}, ""),
])
def test_naming_another_tenants_area_is_refused_by_name(spec, path):
    with pytest.raises(Forbidden) as refused:
        resolver(EMBEDDED, **spec).resolve_url(B, f"ai://s/{path}" if path else "ai://s")
    assert "tenant 'tenant-b'" in refused.value.message and "'s'" in refused.value.message


@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:9000", "localhost:4567", "http://8.8.8.8:4566"])
def test_other_stores_keep_their_own_bucket_and_keys(endpoint):
    location = resolver(EMBEDDED, bucket="mine", endpoint=endpoint, usehttps="0").locate(B, "s", "a.csv")
    assert (location.bucket, location.key, location.connection.access_key_id) == ("mine", "a.csv", "AKIAB")
    assert location.connection.endpoint_url == (endpoint if "://" in endpoint else f"http://{endpoint}")


@pytest.mark.parametrize("spec", [
    {"bucket": "x", "endpoint": "https://aicore-prd-artifacts.s3.eu-central-1.amazonaws.com"},
    {"bucket": "aicore-prd-artifacts", "endpoint": "https://s3.eu-central-1.amazonaws.com"},
    {"bucket": "aicore-prd-artifacts"},
])
def test_on_aws_the_platform_bucket_in_any_form_is_confined(spec):
    location = resolver(AWS, **spec).locate(B, "s", "a.csv")
    assert location.bucket == "aicore-prd-artifacts" and location.key.startswith(home())
    assert location.connection.access_key_id is None


def test_on_aws_another_bucket_without_endpoint_is_real_s3():
    location = resolver(AWS, bucket="customer").locate(B, "s", "a.csv")
    assert (location.bucket, location.connection.endpoint_url, location.connection.access_key_id) == \
        ("customer", None, "AKIAB")


def test_the_real_s3_setting(monkeypatch):
    from chalicelib.settings import Settings

    assert Settings(aws_endpoint_url="http://127.0.0.1:1").secret_buckets_in_platform_store
    assert not Settings(aws_endpoint_url=None).secret_buckets_in_platform_store  # on AWS it is real S3 anyway
    monkeypatch.setenv("AICORE_OBJECT_STORE_REAL_S3", "1")
    assert not Settings(aws_endpoint_url="http://127.0.0.1:1").secret_buckets_in_platform_store


@pytest.mark.parametrize("endpoint", ["https://s3.eu-central-1.amazonaws.com/aicore-prd-artifacts",
                                      "https://minio.example.com:9000/x?y=1", "https://user:pw@minio.example.com"])
def test_an_endpoint_with_a_path_or_credentials_is_refused(endpoint):
    from chalicelib.domain.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        resolver(AWS, bucket="mine", endpoint=endpoint).locate(B, "s", "a.csv")
    assert "host (and port) only" in refused.value.message
    assert resolver(AWS, bucket="mine", endpoint="https://minio.example.com:9000/").locate(B, "s", "a").bucket == \
        "mine"
