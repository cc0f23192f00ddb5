"""Object-store, docker-registry and generic secrets over HTTP, plus encryption at rest."""
import base64
import json
import logging

import boto3
import pytest

from chalicelib import bootstrap
from chalicelib.domain.context import TenantContext

OSS = "/v2/admin/objectStoreSecrets"
DOCKER = "/v2/admin/dockerRegistrySecrets"
GENERIC = "/v2/admin/secrets"
PLAIN_KEY = "wJalrXUtnFEMI-K7MDENG-PLAINTEXT-MARKER"
TENANT = {"AI-Tenant-Scope": "true"}


def oss_body(name="default", **extra):
    body = {"name": name, "type": "S3", "bucket": "my-bucket", "region": "eu-central-1", "pathPrefix": "mp",
            "endpoint": "s3.eu-central-1.amazonaws.com",
            "data": {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": PLAIN_KEY}}
    body.update(extra)
    return body


def docker_body(name="my-registry", password=PLAIN_KEY):
    config = {"auths": {"docker.io": {"username": "me", "password": password}}}
    return {"name": name, "data": {".dockerconfigjson": json.dumps(config)}}


def b64(text):
    return base64.b64encode(text.encode()).decode()


# -- object store secrets ----------------------------------------------------------------------------
def test_object_store_secret_lifecycle_defaults_to_default_group(api):
    created = api.call("POST", OSS, oss_body(), rg=None)
    assert created.status == 202 and created.json == {"message": "Secret has been created"}

    got = api.call("GET", f"{OSS}/default", rg="default")  # same group as the header-less create
    assert got.status == 200, got
    assert got.json["name"] == "default-object-store-secret"
    meta = got.json["metadata"]
    assert meta["storage.ai.sap.com/bucket"] == "my-bucket"
    assert meta["storage.ai.sap.com/pathPrefix"] == "mp"
    assert meta["serving.kubeflow.org/s3-region"] == "eu-central-1"
    assert meta["serving.kubeflow.org/s3-usehttps"] == "1"
    assert "data" not in got.json and PLAIN_KEY not in got.body.decode()
    assert api.call("GET", f"{OSS}/default-object-store-secret", rg=None).status == 200

    patched = api.call("PATCH", f"{OSS}/default", oss_body(bucket="other-bucket"), rg=None)
    assert patched.status == 202 and patched.json == {"id": "default", "message": "Secret has been modified"}
    meta = api.call("GET", f"{OSS}/default", rg=None).json["metadata"]
    assert meta["storage.ai.sap.com/bucket"] == "other-bucket"

    deleted = api.call("DELETE", f"{OSS}/default", rg=None)
    assert deleted.status == 202 and deleted.json["id"] == "default"
    assert api.call("GET", f"{OSS}/default", rg=None).status == 404
    assert api.call("DELETE", f"{OSS}/default", rg=None).status == 404


def test_object_store_secret_list_paging(api):
    for name in ("a-store", "b-store", "c-store"):
        assert api.call("POST", OSS, oss_body(name), rg=None).status == 202
    listed = api.call("GET", OSS, rg=None).json
    assert listed["count"] == 3 and [r["name"] for r in listed["resources"]][0] == "a-store-object-store-secret"
    assert all("data" not in r for r in listed["resources"])
    page = api.call("GET", f"{OSS}?$top=1&$skip=1&$count=true", rg=None).json
    assert page["count"] == 3 and [r["name"] for r in page["resources"]] == ["b-store-object-store-secret"]
    assert api.call("GET", f"{OSS}?$top=1&$count=false", rg=None).json["count"] == 1
    assert api.call("GET", f"{OSS}?$top=-1", rg=None).status == 400


def test_object_store_secret_bad_input(api):
    bad_name = api.call("POST", OSS, oss_body("Bad_Name"), rg=None)
    assert bad_name.status == 400 and "lower-case" in bad_name.json["error"]["message"]
    no_data = oss_body("s1")
    del no_data["data"]
    assert "'data' is required" in api.call("POST", OSS, no_data, rg=None).json["error"]["message"]
    assert api.call("POST", OSS, oss_body("s2", type="ftp"), rg=None).status == 400
    assert api.call("POST", OSS, oss_body("s3", verifyssl="yes"), rg=None).status == 400
    not_strings = api.call("POST", OSS, oss_body("s4", data={"AWS_SECRET_ACCESS_KEY": 5}), rg=None)
    assert not_strings.status == 400 and "must be a string" in not_strings.json["error"]["message"]
    assert api.call("POST", OSS, oss_body(), rg=None).status == 202
    assert api.call("POST", OSS, oss_body(), rg=None).status == 409
    renamed = api.call("PATCH", f"{OSS}/default", oss_body("other"), rg=None)
    assert renamed.status == 400 and "renamed" in renamed.json["error"]["message"]
    assert api.call("GET", f"{OSS}/bad%23name", rg=None).status in (400, 404)


def test_object_store_secret_is_per_resource_group_and_tenant(api):
    assert api.call("POST", "/v2/admin/resourceGroups", {"resourceGroupId": "team-a"}).status == 202
    assert api.call("POST", OSS, oss_body("shared"), rg="team-a").status == 202
    assert api.call("GET", f"{OSS}/shared", rg="team-a").status == 200
    assert api.call("GET", f"{OSS}/shared", rg=None).status == 404  # default group
    assert api.call("GET", f"{OSS}/shared", rg="team-a", tenant="t2").status == 404  # t2 has no team-a
    assert api.call("GET", f"{OSS}/shared", rg="default", tenant="t2").status == 404
    assert api.call("GET", OSS, rg="missing-rg").status == 404


# -- docker registry secrets ---------------------------------------------------------------------------
def test_docker_registry_secret_lifecycle_ignores_resource_group(api):
    created = api.call("POST", DOCKER, docker_body(), rg="no-such-group")
    assert created.status == 202 and created.json["message"] == "Secret has been created"
    got = api.call("GET", f"{DOCKER}/my-registry", rg=None)
    assert got.status == 200 and got.json == {"name": "my-registry"}
    listed = api.call("GET", DOCKER).json
    assert listed == {"count": 1, "resources": [{"name": "my-registry"}]}
    patched = api.call("PATCH", f"{DOCKER}/my-registry", {"data": docker_body()["data"]},
                       headers={"Content-Type": "application/merge-patch+json"})
    assert patched.status == 202 and patched.json["id"] == "my-registry"
    assert api.call("POST", DOCKER, docker_body()).status == 409
    assert api.call("DELETE", f"{DOCKER}/my-registry").json["message"] == "Docker Registry Secret has been deleted"
    assert api.call("GET", f"{DOCKER}/my-registry").status == 404


@pytest.mark.parametrize("encode", [base64.b64encode, base64.urlsafe_b64encode,
                                    lambda raw: base64.b64encode(raw).rstrip(b"="), lambda raw: raw,
                                    lambda raw: json.loads(raw)])
def test_docker_registry_secret_accepts_base64_config_json(api, encode):
    """The ML Operations reference sends `.dockerconfigjson` base64-encoded, as a Kubernetes Secret holds it;
    others send the JSON as text (the tutorials) or as an object."""
    config = {"auths": {"my-registry.example.com": {"username": "ci", "password": PLAIN_KEY, "auth": "Y2k6eA=="}}}
    value = encode(json.dumps(config).encode())
    body = {"name": "docker-registry", "data": {".dockerconfigjson": value.decode() if isinstance(value, bytes)
                                                 else value}}
    created = api.call("POST", DOCKER, body)
    assert created.status == 202, created.json
    assert PLAIN_KEY not in api.call("GET", f"{DOCKER}/docker-registry").body.decode()
    assert bootstrap.container().docker_registry_secrets.read_config(TenantContext("t1"), "docker-registry") == config
    assert api.call("PATCH", f"{DOCKER}/docker-registry", {"data": body["data"]}).status == 202
    assert api.call("DELETE", f"{DOCKER}/docker-registry").status == 202


def test_docker_registry_secret_bad_input_never_echoes_data(api):
    body = {"name": "reg", "data": {".dockerconfigjson": "not json " + PLAIN_KEY}}
    result = api.call("POST", DOCKER, body)
    assert result.status == 400 and "neither Docker config JSON nor base64" in result.json["error"]["message"]
    assert PLAIN_KEY not in result.body.decode()
    # Valid base64 of something that is not JSON: the same clear 400, still without the value.
    not_config = {"name": "reg", "data": {".dockerconfigjson": base64.b64encode(PLAIN_KEY.encode()).decode()}}
    refused = api.call("POST", DOCKER, not_config)
    assert refused.status == 400 and "base64" in refused.json["error"]["message"]
    assert PLAIN_KEY not in refused.body.decode()
    no_auths = {"name": "reg", "data": {".dockerconfigjson": "{}"}}
    assert "'auths'" in api.call("POST", DOCKER, no_auths).json["error"]["message"]
    extra_key = {"name": "reg", "data": {".dockerconfigjson": "{}", "other": "x"}}
    assert api.call("POST", DOCKER, extra_key).status == 400
    assert api.call("POST", DOCKER, docker_body("UPPER")).status == 400
    # A long name that would make the spec's regex backtrack for ages is refused at once.
    assert api.call("GET", f"{DOCKER}/{'a' * 60}_").status == 400


def test_docker_registry_secret_other_tenant_gets_404(api):
    assert api.call("POST", DOCKER, docker_body(), tenant="t1").status == 202
    assert api.call("GET", f"{DOCKER}/my-registry", tenant="t2").status == 404
    assert api.call("GET", DOCKER, tenant="t2").json["count"] == 0
    assert api.call("DELETE", f"{DOCKER}/my-registry", tenant="t2").status == 404


# -- generic secrets -----------------------------------------------------------------------------------
def test_generic_secret_tenant_scope_lifecycle(api):
    body = {"name": "my-secret", "data": {"clientSecret": b64("s3cr3t")},
            "labels": [{"key": "ext.ai.sap.com/owner", "value": "me"}]}
    created = api.call("POST", GENERIC, body, headers=TENANT)
    assert created.status == 200 and created.json == {"name": "my-secret", "message": "Secret has been created"}
    got = api.call("GET", f"{GENERIC}/my-secret", headers=TENANT)
    assert got.status == 200 and got.json["createdAt"].endswith("Z")
    assert got.json["labels"] == [{"key": "ext.ai.sap.com/owner", "value": "me"}] and "data" not in got.json
    assert "resourceGroupSecretsSyncStatus" not in got.json
    listed = api.call("GET", GENERIC, headers=TENANT).json
    assert listed["count"] == 1 and listed["resources"][0]["name"] == "my-secret"
    # The resource group sees none of the tenant's secrets.
    assert api.call("GET", GENERIC, rg="default").json["count"] == 0

    patched = api.call("PATCH", f"{GENERIC}/my-secret", {"data": {"clientSecret": b64("new")}}, headers=TENANT)
    assert patched.status == 200 and patched.json["name"] == "my-secret"
    assert api.call("GET", f"{GENERIC}/my-secret", headers=TENANT).json["labels"][0]["value"] == "me"
    deleted = api.call("DELETE", f"{GENERIC}/my-secret", headers=TENANT)
    assert deleted.status == 200 and deleted.json == {"message": "Secret has been deleted"}
    assert api.call("GET", f"{GENERIC}/my-secret", headers=TENANT).status == 404


def test_generic_secret_resource_group_scope_and_engine_access(api):
    assert api.call("POST", "/v2/admin/resourceGroups", {"resourceGroupId": "team-a"}).status == 202
    body = {"name": "db", "data": {"userName": b64("alice"), "PASSWORD": b64("pw")}}
    assert api.call("POST", GENERIC, body, rg="team-a").status == 200
    assert api.call("GET", f"{GENERIC}/db", rg="team-a").status == 200
    assert api.call("GET", f"{GENERIC}/db", rg="default").status == 404
    assert api.call("GET", f"{GENERIC}/db", headers=TENANT).status == 404
    assert api.call("GET", f"{GENERIC}/db", rg="team-a", tenant="t2").status == 404
    assert api.call("POST", GENERIC, body, rg="team-a").status == 409

    from chalicelib.domain.context import TenantContext

    service = bootstrap.container().generic_secrets
    # Keys are stored exactly as received (the py client camel-cases them); values come back decoded.
    assert service.read_data(TenantContext("t1", "team-a"), "db") == {"userName": b"alice", "PASSWORD": b"pw"}
    with pytest.raises(Exception):
        service.read_data(TenantContext("t1", "default"), "db")


def test_generic_secret_tenant_wide_is_seen_by_groups(api):
    tenant_wide = {"AI-Tenant-Scope": "true"}
    assert api.call("POST", GENERIC, {"name": "wide", "data": {"k": b64("v")}}, rg="*", headers=tenant_wide).status == 200
    assert api.call("POST", GENERIC, {"name": "main", "data": {"k": b64("v")}}, rg=None, headers=TENANT).status == 200
    got = api.call("GET", f"{GENERIC}/wide", rg="*", headers=tenant_wide).json
    assert got["resourceGroupSecretsSyncStatus"] == {"default": True}

    from chalicelib.domain.context import TenantContext
    from chalicelib.domain.errors import NotFound

    service = bootstrap.container().generic_secrets
    assert service.read_data(TenantContext("t1", "default"), "wide") == {"k": b"v"}
    with pytest.raises(NotFound):  # main-tenant-level secrets are not replicated into groups
        service.read_data(TenantContext("t1", "default"), "main")


def test_generic_secret_bad_input(api):
    not_b64 = api.call("POST", GENERIC, {"name": "s", "data": {"token": PLAIN_KEY + "!"}}, headers=TENANT)
    assert not_b64.status == 400 and "base64" in not_b64.json["error"]["message"]
    assert PLAIN_KEY not in not_b64.body.decode()
    assert api.call("POST", GENERIC, {"name": "MY_SECRET", "data": {}}, headers=TENANT).status == 400
    assert api.call("POST", GENERIC, {"name": "s", "data": ["x"]}, headers=TENANT).status == 400
    assert api.call("POST", GENERIC, {"name": "s", "data": {"bad key": b64("x")}}, headers=TENANT).status == 400
    bad_label = {"name": "s", "data": {}, "labels": [{"key": "owner", "value": "me"}]}
    assert "ext.ai.sap.com" in api.call("POST", GENERIC, bad_label, headers=TENANT).json["error"]["message"]
    no_group = api.call("POST", GENERIC, {"name": "s", "data": {}}, rg=None)
    assert no_group.status == 400 and "AI-Resource-Group" in no_group.json["error"]["message"]
    assert api.call("POST", GENERIC, {"name": "s", "data": {}}, rg="*").status == 400
    assert api.call("PATCH", f"{GENERIC}/missing", {"data": {}}, headers=TENANT).status == 404
    assert api.call("DELETE", f"{GENERIC}/missing", headers=TENANT).status == 404


# -- encryption at rest --------------------------------------------------------------------------------
def test_stored_items_hold_no_plaintext_and_nothing_logs_it(api, caplog):
    caplog.set_level(logging.DEBUG)
    assert api.call("POST", OSS, oss_body(), rg=None).status == 202
    assert api.call("POST", DOCKER, docker_body()).status == 202
    assert api.call("POST", GENERIC, {"name": "g", "data": {"k": b64(PLAIN_KEY)}}, headers=TENANT).status == 200
    api.call("GET", OSS, rg=None)
    api.call("GET", f"{GENERIC}/g", headers=TENANT)
    api.call("PATCH", f"{OSS}/default", oss_body(), rg=None)

    table = boto3.client("dynamodb", region_name=api.settings.aws_region).scan(
        TableName=f"{api.settings.resolved_table_prefix}records")  # test-only full read of the table
    dumped = json.dumps(table["Items"])
    assert "sealed_data" in dumped
    for plain in (PLAIN_KEY, b64(PLAIN_KEY), "AKIAEXAMPLE"):
        assert plain not in dumped
        assert plain not in caplog.text
    assert PLAIN_KEY not in json.dumps(api.call("GET", GENERIC, headers=TENANT).json)
    assert "sealed_data" in caplog.text  # storage did log the items at DEBUG: only sealed

    from chalicelib.domain.context import TenantContext

    data = bootstrap.container().object_store_secrets.read_data(TenantContext("t1", "default"), "default")
    assert data["AWS_SECRET_ACCESS_KEY"] == PLAIN_KEY
    config = bootstrap.container().docker_registry_secrets.read_config(TenantContext("t1"), "my-registry")
    assert config["auths"]["docker.io"]["password"] == PLAIN_KEY
