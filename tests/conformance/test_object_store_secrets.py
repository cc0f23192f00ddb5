"""Object store secrets (resource-group level) through ai-core-sdk; their data never comes back."""
import pytest
import requests
from ai_api_client_sdk.exception import AIAPINotFoundException

from tests.support.conformance import bearer, provisioned_group

RG = "conf-oss"
KEY_ID, SECRET_KEY = "AKIACONFORMANCE0001", "conformance-secret-value-1"
PREFIX = "storage.ai.sap.com/"


@pytest.fixture(scope="module", autouse=True)
def group(core):
    provisioned_group(core, RG)


def test_object_store_secret_lifecycle(core, stack):
    created = core.object_store_secrets.create(
        name="conf-s3", type="S3", data={"AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET_KEY},
        bucket="conf-bucket", endpoint="s3.eu-central-1.amazonaws.com", region="eu-central-1",
        path_prefix="team/a", verifyssl="1", usehttps="1", resource_group=RG)
    assert created.message

    got = core.object_store_secrets.get("conf-s3", resource_group=RG)
    assert got.name == "conf-s3-object-store-secret"
    assert got.metadata[PREFIX + "type"] == "S3"
    assert got.metadata[PREFIX + "bucket"] == "conf-bucket"
    assert got.metadata[PREFIX + "pathPrefix"] == "team/a"
    assert got.metadata[PREFIX + "region"] == "eu-central-1"

    listed = core.object_store_secrets.query(resource_group=RG)
    assert [s.name for s in listed.resources] == ["conf-s3-object-store-secret"] and listed.count == 1
    # The client's default group (`default`) does not see it.
    assert "conf-s3-object-store-secret" not in [s.name for s in core.object_store_secrets.query().resources]

    modified = core.object_store_secrets.modify(
        name="conf-s3", type="S3", data={"AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET_KEY + "-2"},
        bucket="conf-bucket-2", path_prefix="team/b", resource_group=RG)
    assert modified.id == "conf-s3" and modified.message
    got = core.object_store_secrets.get("conf-s3", resource_group=RG)
    assert (got.metadata[PREFIX + "bucket"], got.metadata[PREFIX + "pathPrefix"]) == ("conf-bucket-2", "team/b")

    # As the wire shows it, not only as the client's model keeps it: no data, no secret values anywhere.
    headers = {"Authorization": bearer(stack.exports), "AI-Resource-Group": RG}
    for path in ("", "/conf-s3"):
        raw = requests.get(stack.exports["AICORE_BASE_URL"] + "/admin/objectStoreSecrets" + path,
                           headers=headers, timeout=10)
        assert raw.status_code == 200
        assert "data" not in (raw.json()["resources"][0] if path == "" else raw.json())
        assert SECRET_KEY not in raw.text and KEY_ID not in raw.text

    deleted = core.object_store_secrets.delete("conf-s3", resource_group=RG)
    assert deleted.id == "conf-s3"
    with pytest.raises(AIAPINotFoundException):
        core.object_store_secrets.get("conf-s3", resource_group=RG)
    assert core.object_store_secrets.query(resource_group=RG).count == 0


def test_listing_pages_with_dollar_top_and_skip(core):
    for name in ("conf-page-a", "conf-page-b", "conf-page-c"):
        core.object_store_secrets.create(name=name, type="S3", data={"AWS_ACCESS_KEY_ID": KEY_ID},
                                         bucket="b", resource_group=RG)
    first = core.object_store_secrets.query(top=2, resource_group=RG)
    rest = core.object_store_secrets.query(top=2, skip=2, resource_group=RG)
    assert len(first.resources) == 2 and len(rest.resources) == 1
    assert {s.name for s in first.resources + rest.resources} == {
        f"conf-page-{x}-object-store-secret" for x in "abc"}
    for name in ("conf-page-a", "conf-page-b", "conf-page-c"):
        core.object_store_secrets.delete(name, resource_group=RG)
