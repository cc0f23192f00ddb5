"""Dataset files over HTTP on in-process moto: the managed store, a secret's own bucket, and bad paths."""
import logging

import boto3
import pytest

from chalicelib import bootstrap

OSS = "/v2/admin/objectStoreSecrets"
FILES = "/v2/lm/dataset/files"
ANY = {"Accept": "*/*"}
SECRET_KEY = "SECRET-ACCESS-KEY-MARKER-123"


@pytest.fixture
def managed(api):
    """A secret without bucket or credentials: the platform bucket, confined to the tenant and group."""
    assert api.call("POST", OSS, {"name": "default", "type": "S3", "pathPrefix": "datasets", "data": {}},
                    rg=None).status == 202
    return api


def put(api, path, data, **kw):
    headers = {"Content-Type": "application/octet-stream", **kw.pop("headers", {})}
    return api.call("PUT", f"{FILES}/{path}", raw=data, headers=headers, **kw)


def s3_keys(api, bucket):
    listing = boto3.client("s3", region_name=api.settings.aws_region).list_objects_v2(Bucket=bucket)
    return [item["Key"] for item in listing.get("Contents", [])]


def test_upload_download_delete_round_trip(managed):
    api = managed
    content = bytes(range(256)) * 3
    created = put(api, "default/train/2024/data.bin", content)
    assert created.status == 201, created
    assert created.json == {"message": "File default/train/2024/data.bin created successfully.",
                            "url": "ai://default/train/2024/data.bin"}
    assert created.headers["location"] == "ai://default/train/2024/data.bin"
    assert s3_keys(api, api.settings.resolved_bucket) == ["tenants/t1/default/datasets/train/2024/data.bin"]

    got = api.call("GET", f"{FILES}/default/train/2024/data.bin", headers=ANY)
    assert got.status == 200 and got.body == content
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert got.headers["content-disposition"] == "attachment"

    assert api.call("DELETE", f"{FILES}/default/train/2024/data.bin").status == 204
    assert api.call("GET", f"{FILES}/default/train/2024/data.bin", headers=ANY).status == 404
    assert api.call("DELETE", f"{FILES}/default/train/2024/data.bin").status == 404


def test_text_upload_and_overwrite(managed):
    api = managed
    assert put(api, "default/a.csv", b"x,y\n1,2\n", headers={"Content-Type": "text/csv"}).status == 201
    again = put(api, "default/a.csv", b"other")
    assert again.status == 409 and "overwrite=true" in again.json["error"]["message"]
    assert put(api, "default/a.csv?overwrite=false", b"other").status == 409
    assert put(api, "default/a.csv?overwrite=true", b"x,y\n3,4\n").status == 201
    assert api.call("GET", f"{FILES}/default/a.csv", headers=ANY).body == b"x,y\n3,4\n"


def test_ten_levels_deep_and_no_deeper(managed):
    deep = "/".join(f"d{i}" for i in range(9))  # secret + 9 segments = 10 path segments
    assert put(managed, f"default/{deep}", b"1").status == 201
    assert managed.call("GET", f"{FILES}/default/{deep}", headers=ANY).body == b"1"
    assert put(managed, f"default/{deep}/d9", b"1").status >= 400


@pytest.mark.parametrize("path", ["default/a/../b.csv", "default/./b.csv", "default/a%5Cb.csv", "default/a%01b",
                                  "default", "default/..", "default/a%2F..%2Fb", "default/%2e%2e/b",
                                  "default//b", "default/a%20b.csv", "%2e%2e/a.csv"])
def test_bad_paths_are_400(managed, path):
    result = put(managed, path, b"x")
    assert result.status == 400, result
    assert result.json["error"]["message"]
    assert managed.call("GET", f"{FILES}/{path}", headers=ANY).status == 400


@pytest.mark.parametrize("write, read", [("default%2Fdata%2Ftrain.csv", "default/data/train.csv"),
                                         ("default/data/train.csv", "default%2Fdata%2Ftrain.csv"),
                                         ("default/data%2Ftrain.csv", "default%2Fdata/train.csv")])
def test_encoded_slashes_address_the_same_file(managed, write, read):
    """SAP's JavaScript SDK sends the whole path as one percent-encoded segment; curl and Python send segments."""
    api = managed
    created = put(api, write, b"text,label\n")
    assert created.status == 201, created
    assert created.json["url"] == "ai://default/data/train.csv"
    assert api.call("GET", f"{FILES}/{read}", headers=ANY).body == b"text,label\n"
    assert put(api, read, b"other").status == 409  # the same file, so no silent second copy
    assert api.call("DELETE", f"{FILES}/{read}").status == 204
    assert api.call("GET", f"{FILES}/{write}", headers=ANY).status == 404
    assert s3_keys(api, api.settings.resolved_bucket) == []


@pytest.mark.parametrize("segments", [{"p1": "default/data/train.csv"}, {"p1": "default%2Fdata%2Ftrain.csv"},
                                      {"p1": "default", "p2": "data", "p3": "train.csv"},
                                      {"p1": "default", "p2": "data%2Ftrain.csv"}])
def test_segments_as_either_gateway_hands_them_over(segments):
    """Chalice's local gateway passes segments raw; API Gateway may pass them decoded (a '/' inside one)."""
    from chalicelib.api.dataset import _split

    assert _split(segments) == ("default", "data/train.csv")


@pytest.mark.parametrize("path", ["default%2F..%2F..%2Fother%2Fa.csv", "default%2Fa%2F..%2F..%2Fb.csv",
                                  "..%2Fdefault%2Fa.csv", "default%2F%2E%2E%2Fa.csv", "default%252F..%252Fa.csv",
                                  "default%2F%2Fa.csv", "default%2F", "%2Fdefault%2Fa.csv", "default%2Fa%5C..%5Cb"])
def test_encoded_traversal_is_400_for_every_verb(managed, path):
    assert put(managed, "default/a.csv", b"inside").status == 201
    for method in ("PUT", "GET", "DELETE"):
        result = managed.call(method, f"{FILES}/{path}", raw=b"x" if method == "PUT" else None, headers=ANY)
        assert result.status == 400, (method, result)
        assert result.json["error"]["message"]
    assert s3_keys(managed, managed.settings.resolved_bucket) == ["tenants/t1/default/datasets/a.csv"]


def test_too_large_is_413(managed, monkeypatch):
    from chalicelib.domain.dataset_files import DatasetFileService

    c = bootstrap.container()
    bootstrap.override(dataset_files=DatasetFileService(c.object_locations, c.object_store, 10))
    result = put(managed, "default/big.bin", b"x" * 11)
    assert result.status == 413 and "at most 10 bytes" in result.json["error"]["message"]
    assert put(managed, "default/small.bin", b"x" * 10).status == 201


def test_unknown_secret_and_missing_group(managed):
    assert put(managed, "nosuch/a.csv", b"x").status == 404
    assert put(managed, "default/a.csv", b"x", rg=None).status == 400
    assert put(managed, "default/a.csv", b"x", rg="no-such-group").status == 404


def test_files_are_confined_to_tenant_and_group(managed):
    api = managed
    assert put(api, "default/private.csv", b"t1 data").status == 201
    # Another tenant with a secret of the same name reaches its own prefix only.
    assert api.call("POST", OSS, {"name": "default", "type": "S3", "data": {}}, rg=None, tenant="t2").status == 202
    assert api.call("GET", f"{FILES}/default/datasets/private.csv", tenant="t2", headers=ANY).status == 404
    assert api.call("GET", f"{FILES}/default/private.csv", tenant="t2", headers=ANY).status == 404
    # Another resource group of the same tenant, even naming the platform bucket explicitly.
    assert api.call("POST", "/v2/admin/resourceGroups", {"resourceGroupId": "team-b"}).status == 202
    body = {"name": "default", "type": "S3", "bucket": api.settings.resolved_bucket, "pathPrefix": "datasets",
            "data": {}}
    assert api.call("POST", OSS, body, rg="team-b").status == 202
    assert api.call("GET", f"{FILES}/default/private.csv", rg="team-b", headers=ANY).status == 404
    assert put(api, "default/private.csv", b"team-b", rg="team-b").status == 201
    assert api.call("GET", f"{FILES}/default/private.csv", headers=ANY).body == b"t1 data"


def test_secret_with_own_bucket_and_credentials(api, caplog):
    from chalicelib.adapters.aws.s3_store import S3ObjectStore

    bootstrap.override(object_store=S3ObjectStore(create_missing_buckets=True))
    caplog.set_level(logging.DEBUG)
    body = {"name": "own", "type": "S3", "bucket": "customer-bucket", "pathPrefix": "/root/", "region": "eu-central-1",
            "data": {"AWS_ACCESS_KEY_ID": "AKIAOWN", "AWS_SECRET_ACCESS_KEY": SECRET_KEY}}
    assert api.call("POST", OSS, body, rg=None).status == 202
    assert put(api, "own/x/y.txt", b"hello").status == 201
    assert s3_keys(api, "customer-bucket") == ["root/x/y.txt"]
    assert api.call("GET", f"{FILES}/own/x/y.txt", headers=ANY).body == b"hello"
    assert SECRET_KEY not in caplog.text


def test_secret_store_misconfigurations_are_400(api):
    no_creds = {"name": "nocreds", "type": "S3", "bucket": "someone-elses-bucket", "data": {}}
    assert api.call("POST", OSS, no_creds, rg=None).status == 202
    result = put(api, "nocreds/a.csv", b"x")
    assert result.status == 400 and "AWS_ACCESS_KEY_ID" in result.json["error"]["message"]

    internal = {"name": "internal", "type": "S3", "bucket": "b", "endpoint": "http://169.254.169.254",
                "data": {"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"}}
    assert api.call("POST", OSS, internal, rg=None).status == 202
    result = put(api, "internal/a.csv", b"x")
    assert result.status == 400 and "internal address" in result.json["error"]["message"]

    azure = {"name": "blob", "type": "azure", "bucket": "c", "data": {}}
    assert api.call("POST", OSS, azure, rg=None).status == 202
    result = put(api, "blob/a.csv", b"x")
    assert result.status == 400 and "only S3" in result.json["error"]["message"]


def test_missing_bucket_is_404_unless_emulated(api):
    body = {"name": "gone", "type": "S3", "bucket": "not-created", "data": {"AWS_ACCESS_KEY_ID": "a",
                                                                          "AWS_SECRET_ACCESS_KEY": "b"}}
    assert api.call("POST", OSS, body, rg=None).status == 202
    result = put(api, "gone/a.csv", b"x")
    assert result.status == 404 and "not-created" in result.json["error"]["message"]
    assert api.call("GET", f"{FILES}/gone/a.csv", headers=ANY).status == 404
