"""/v2/admin/repositories through the HTTP layer."""
from __future__ import annotations

import logging

from tests.support.git_repos import sync_now, templates_repo

BASE = "/v2/admin/repositories"


def onboard(api, url, name="templates", tenant="t1", password="pw-123456"):
    return api.call("POST", BASE, {"name": name, "url": url, "username": "bot", "password": password},
                    tenant=tenant)


def test_onboard_get_list_modify_delete(api, tmp_path):
    repo = templates_repo(tmp_path)
    created = onboard(api, repo.url)
    assert created.status == 200, created
    assert created.json == {"id": "templates", "message": "Repository has been on-boarded"}
    assert api.call("GET", f"{BASE}/templates").json == {"name": "templates", "url": repo.url,
                                                          "status": "IN-PROGRESS"}
    sync_now()
    assert api.call("GET", f"{BASE}/templates").json["status"] == "COMPLETED"
    listed = api.call("GET", BASE).json
    assert listed == {"count": 1, "resources": [{"name": "templates", "url": repo.url, "status": "COMPLETED"}]}

    patched = api.call("PATCH", f"{BASE}/templates", {"username": "bot2", "password": "new-pw"})
    assert patched.status == 200 and patched.json["id"] == "templates"
    assert api.call("GET", f"{BASE}/templates").json["status"] == "IN-PROGRESS"

    assert api.call("DELETE", f"{BASE}/templates").json["id"] == "templates"
    assert api.call("GET", f"{BASE}/templates").status == 404


def test_password_is_never_returned_or_logged(api, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    repo = templates_repo(tmp_path)
    secret = "very-secret-password-42"
    bodies = [onboard(api, repo.url, password=secret).body]
    sync_now()
    bodies += [api.call("GET", f"{BASE}/templates").body, api.call("GET", BASE).body,
               api.call("PATCH", f"{BASE}/templates", {"username": "u", "password": secret}).body]
    assert all(secret not in (b.decode() if isinstance(b, bytes) else b) for b in bodies)
    assert secret not in caplog.text


def test_name_is_generated_when_missing(api, tmp_path):
    result = api.call("POST", BASE, {"url": "https://github.com/Org/My_Templates.git", "username": "u",
                                     "password": "p"})
    assert result.status == 200 and result.json["id"] == "my-templates"


def test_duplicates_are_409(api):
    assert onboard(api, "https://github.com/org/repo").status == 200
    assert onboard(api, "https://github.com/org/other").status == 409  # same name
    same_url = onboard(api, "https://GitHub.com/org/repo/", name="again")
    assert same_url.status == 409 and "already on-boarded as 'templates'" in same_url.json["error"]["message"]


def test_bad_input_is_400_with_a_reason(api):
    cases = [
        ({"name": "r1", "url": "git@github.com:org/repo.git"}, "must start with https://"),
        ({"name": "r1", "url": "http://example.com/repo.git"}, "must start with https://"),
        ({"name": "Bad_Name", "url": "https://github.com/org/repo"}, "Repository name 'Bad_Name' is invalid"),
        ({"name": "r1"}, "'url' is required"),
    ]
    for body, message in cases:
        result = api.call("POST", BASE, {"username": "u", "password": "p", **body})
        assert result.status == 400 and message in result.json["error"]["message"], (body, result)
    assert api.call("POST", BASE, raw=b"{not json").status == 400
    assert api.call("PATCH", f"{BASE}/nope", {"username": "u"}).status == 400
    assert api.call("GET", f"{BASE}/UPPER").status == 400


def test_unreadable_repository_gets_status_error(api, tmp_path):
    onboard(api, str(tmp_path / "does-not-exist"))
    sync_now()
    assert api.call("GET", f"{BASE}/templates").json["status"] == "ERROR"


def test_resource_group_header_is_ignored(api):
    assert api.call("POST", BASE, {"name": "r1", "url": "https://github.com/o/r", "username": "u",
                                   "password": "p"}, rg="no-such-group").status == 200
    assert api.call("GET", f"{BASE}/r1", rg=None).status == 200


def test_paging(api):
    for i in range(3):
        onboard(api, f"https://github.com/org/repo{i}", name=f"repo-{i}")
    page = api.call("GET", f"{BASE}?$top=1&$skip=1&$count=true").json
    assert page["count"] == 3 and [r["name"] for r in page["resources"]] == ["repo-1"]
    assert api.call("GET", f"{BASE}?$top=1&$count=false").json["count"] == 1


def test_repository_in_use_cannot_be_deleted(api, tmp_path):
    repo = templates_repo(tmp_path)
    onboard(api, repo.url)
    api.call("POST", "/v2/admin/applications", {"repositoryName": "templates", "revision": "HEAD",
                                                "path": "workflows", "applicationName": "app-one"})
    result = api.call("DELETE", f"{BASE}/templates")
    assert result.status == 400 and "app-one" in result.json["error"]["message"]


def test_other_tenant_sees_nothing(api):
    onboard(api, "https://github.com/org/private", tenant="t1")
    assert api.call("GET", f"{BASE}/templates", tenant="t2").status == 404
    assert api.call("GET", BASE, tenant="t2").json == {"count": 0, "resources": []}
    assert api.call("PATCH", f"{BASE}/templates", {"username": "u", "password": "p"}, tenant="t2").status == 404
    assert api.call("DELETE", f"{BASE}/templates", tenant="t2").status == 404
    assert onboard(api, "https://github.com/org/private", tenant="t2").status == 200  # names are per tenant
