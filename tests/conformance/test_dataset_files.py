"""Dataset files (PUT/GET/DELETE /lm/dataset/files/<secret>/<path>). The clients have no method for them, so
this is `requests` with a token from the printed AICORE_AUTH_URL, as a user would write it."""
import pytest
import requests

from tests.support.conformance import bearer, provisioned_group

RG = "conf-dataset"
OTHER_RG = "conf-dataset-other"
CONTENT = bytes(range(256)) * 4


@pytest.fixture(scope="module")
def files(core, stack):
    for group in (RG, OTHER_RG):
        provisioned_group(core, group)
    # Output artifacts and dataset uploads address the object store secret named `default`.
    core.object_store_secrets.create(name="default", type="S3", data={}, path_prefix="datasets", resource_group=RG)
    base = stack.exports["AICORE_BASE_URL"] + "/lm/dataset/files/default"
    token = bearer(stack.exports)

    def call(method, path, group=RG, **kwargs):
        headers = {"Authorization": token, "AI-Resource-Group": group, **kwargs.pop("headers", {})}
        return requests.request(method, f"{base}/{path}", headers=headers, timeout=10, **kwargs)

    return call


def test_upload_download_delete(files):
    created = files("PUT", "train/2024/data.bin", data=CONTENT, headers={"Content-Type": "application/octet-stream"})
    assert created.status_code == 201
    assert created.json()["url"] == "ai://default/train/2024/data.bin"
    assert created.headers["Location"] == "ai://default/train/2024/data.bin"

    got = files("GET", "train/2024/data.bin")
    assert got.status_code == 200 and got.content == CONTENT
    assert got.headers["Content-Type"] == "application/octet-stream"

    assert files("DELETE", "train/2024/data.bin").status_code == 204
    missing = files("GET", "train/2024/data.bin")
    assert missing.status_code == 404 and missing.json()["error"]["code"]
    assert files("DELETE", "train/2024/data.bin").status_code == 404


def test_overwrite_is_explicit(files):
    assert files("PUT", "a.csv", data=b"x,y\n1,2\n", headers={"Content-Type": "text/csv"}).status_code == 201
    refused = files("PUT", "a.csv", data=b"other")
    assert refused.status_code == 409 and "overwrite" in refused.json()["error"]["message"]
    assert files("PUT", "a.csv", params={"overwrite": "true"}, data=b"x,y\n3,4\n").status_code == 201
    assert files("GET", "a.csv").content == b"x,y\n3,4\n"


def test_other_group_and_bad_paths(files):
    assert files("PUT", "shared.txt", data=b"mine").status_code == 201
    # The other group has no `default` secret of its own, so nothing of this group is reachable from it.
    elsewhere = files("GET", "shared.txt", group=OTHER_RG)
    assert elsewhere.status_code == 404 and "'default'" in elsewhere.json()["error"]["message"]
    escape = files("GET", "%2E%2E/escape.txt")
    assert escape.status_code == 400 and "'..'" in escape.json()["error"]["message"]
    unauthenticated = requests.get(files("GET", "shared.txt").url, timeout=10)
    assert unauthenticated.status_code == 401
