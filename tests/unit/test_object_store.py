"""ai:// URLs, object paths and how a secret turns into a bucket/key/connection (no AWS needed)."""
from datetime import datetime, timezone

import pytest
from cryptography.fernet import Fernet

from chalicelib.adapters.crypto import FernetCipher
from chalicelib.domain.context import TenantContext
from chalicelib.domain.errors import AlreadyExists, InvalidInput, NotFound
from chalicelib.domain.object_store import (ObjectStoreResolver, PlatformStorage, check_object_path,
                                            parse_ai_url)
from chalicelib.domain.object_store_secrets import ObjectStoreSecretService, ObjectStoreSpec
from chalicelib.domain.paging import paginate
from chalicelib.domain.records import Record

CTX = TenantContext("t1", "default")
PLATFORM = PlatformStorage("platform-bucket", None, "eu-central-1", allow_private_endpoints=False)


class MemoryStore:
    """Just enough RecordStore for these services."""

    def __init__(self):
        self.items = {}

    def _key(self, ctx, kind, id):
        return (ctx.tenant, ctx.resource_group if kind.scope.value == "resource_group" else None, kind, id)

    def get(self, ctx, kind, id):
        return self.items.get(self._key(ctx, kind, id))

    def create(self, ctx, record):
        key = self._key(ctx, record.kind, record.id)
        if key in self.items:
            raise AlreadyExists("exists")
        self.items[key] = Record(record.kind, record.id, record.doc, 1)
        return self.items[key]

    def replace(self, ctx, record):
        self.items[self._key(ctx, record.kind, record.id)] = Record(record.kind, record.id, record.doc,
                                                                   (record.version or 0) + 1)
        return record

    def delete(self, ctx, kind, id, version=None):
        return self.items.pop(self._key(ctx, kind, id), None) is not None

    def query(self, ctx, kind, where=(), predicate=None, skip=0, top=None, id_prefix=""):
        records = [r for k, r in sorted(self.items.items(), key=lambda kv: kv[0][3])
                   if k[:3] == self._key(ctx, kind, "")[:3]]
        return paginate(records, predicate, skip, top)


class FixedClock:
    def now(self):
        return datetime(2024, 5, 1, tzinfo=timezone.utc)


@pytest.fixture
def resolver():
    service = ObjectStoreSecretService(MemoryStore(), FixedClock(), FernetCipher([Fernet.generate_key()]))
    service.create(CTX, ObjectStoreSpec(name="managed", type="S3", path_prefix="/ds/", data={}))
    service.create(CTX, ObjectStoreSpec(name="own", type="s3", bucket="cust", path_prefix="p", region="us-west-2",
                                        endpoint="minio.example.com", usehttps="0", verifyssl="0",
                                        data={"AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "key"}))
    return ObjectStoreResolver(service, PLATFORM)


@pytest.mark.parametrize("url, expected", [
    ("ai://default/a/b.csv", ("default", "a/b.csv")),
    ("ai://default", ("default", "")),
    ("ai://my.store/x", ("my.store", "x")),
])
def test_parse_ai_url(url, expected):
    assert parse_ai_url(url) == expected


@pytest.mark.parametrize("url", ["s3://b/k", "ai://default/a/", "ai://Default/a", "ai://default/../x",
                                 "ai://default//x", "ai:///x", "ai://default/a\\b", None])
def test_parse_ai_url_rejects(url):
    with pytest.raises(InvalidInput):
        parse_ai_url(url)


@pytest.mark.parametrize("path", ["", "/abs", "a/../b", "a/./b", "a//b", "a\\b", "a\nb", "a\x7fb", "x" * 1025,
                                  "a/b c"])
def test_check_object_path_rejects(path):
    with pytest.raises(InvalidInput):
        check_object_path(path)


def test_check_object_path_accepts_partition_style_names():
    assert check_object_path("year=2024/month=05/part-0001.csv") == "year=2024/month=05/part-0001.csv"


def test_managed_store_is_confined_to_tenant_and_group(resolver):
    location = resolver.resolve_url(CTX, "ai://managed/train/x.csv")
    assert (location.bucket, location.key) == ("platform-bucket", "tenants/t1/default/ds/train/x.csv")
    assert location.connection.access_key_id is None and location.connection.endpoint_url is None
    assert resolver.resolve_url(CTX, "ai://managed").key == "tenants/t1/default/ds"


def test_secret_with_credentials_uses_its_bucket_endpoint_and_keys(resolver):
    location = resolver.locate(CTX, "own", "a.csv")
    assert (location.bucket, location.key, location.url) == ("cust", "p/a.csv", "ai://own/a.csv")
    connection = location.connection
    assert connection.endpoint_url == "http://minio.example.com"  # usehttps "0"
    assert (connection.region, connection.access_key_id, connection.verify_ssl) == ("us-west-2", "id", False)
    assert "key" not in repr(connection).replace("access_key_id", "")  # credentials stay out of logs


def test_unknown_secret_or_other_group(resolver):
    with pytest.raises(NotFound):
        resolver.locate(CTX, "nosuch", "a.csv")
    with pytest.raises(NotFound):
        resolver.locate(TenantContext("t1", "team-b"), "managed", "a.csv")
    with pytest.raises(NotFound):
        resolver.locate(TenantContext("t2", "default"), "managed", "a.csv")


def test_internal_endpoints_are_refused_outside_the_embedded_stack():
    service = ObjectStoreSecretService(MemoryStore(), FixedClock(), FernetCipher([Fernet.generate_key()]))
    for name, endpoint in (("a", "http://127.0.0.1:9000"), ("b", "10.0.0.5"), ("c", "localhost:9000"),
                           ("d", "[::1]")):
        service.create(CTX, ObjectStoreSpec(name=name, type="S3", bucket="b", endpoint=endpoint,
                                            data={"AWS_ACCESS_KEY_ID": "i", "AWS_SECRET_ACCESS_KEY": "k"}))
        with pytest.raises(InvalidInput):
            ObjectStoreResolver(service, PLATFORM).locate(CTX, name, "x")
        local = PlatformStorage("platform-bucket", "http://127.0.0.1:5000", "eu-central-1", True)
        assert ObjectStoreResolver(service, local).locate(CTX, name, "x").bucket == "b"


def test_metadata_shows_no_data(resolver):
    service = resolver._secrets
    secret = service.get(CTX, "own")
    assert secret.metadata()["storage.ai.sap.com/bucket"] == "cust"
    assert "key" not in secret.metadata().values() and "id" not in secret.metadata().values()
    assert service.read_data(CTX, "own") == {"AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "key"}
