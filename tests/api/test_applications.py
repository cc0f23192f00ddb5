"""/v2/admin/applications through the HTTP layer, syncing real local Git repositories."""
from __future__ import annotations

import humps

from tests.support.git_repos import fixture, sync_now, templates_repo

BASE = "/v2/admin/applications"


def setup_repo(api, tmp_path, tenant="t1"):
    repo = templates_repo(tmp_path)
    assert api.call("POST", "/v2/admin/repositories", {"name": "templates", "url": repo.url, "username": "",
                                                       "password": ""}, tenant=tenant).status == 200
    return repo


def create(api, repo, name="app-one", path="workflows", tenant="t1", **extra):
    body = {"repositoryUrl": repo.url, "revision": "HEAD", "path": path, **extra}
    if name:
        body["applicationName"] = name
    return api.call("POST", BASE, body, tenant=tenant)


def bare_post(api, path, tenant="t1"):
    """POST as the Python client sends refresh: no body and no Content-Type."""
    from tests.support.api_client import Result

    headers = {"Authorization": f"Bearer {api.token(tenant)}", "AI-Resource-Group": "default"}
    return Result(api.client.http.request("POST", path, headers=headers, body=None))


def test_create_get_list_modify_delete(api, tmp_path):
    repo = setup_repo(api, tmp_path)
    created = create(api, repo)
    assert created.status == 200 and created.json == {"id": "app-one", "message": "ArgoCD application has been created"}
    expected = {"applicationName": "app-one", "repositoryUrl": repo.url, "revision": "HEAD", "path": "workflows"}
    assert api.call("GET", f"{BASE}/app-one").json == expected
    assert api.call("GET", BASE).json == {"count": 1, "resources": [expected]}

    repo.write("other/serving.yaml", fixture("serving.yaml")).commit("second folder")
    patched = api.call("PATCH", f"{BASE}/app-one", {"repositoryUrl": repo.url, "revision": "HEAD", "path": "other"})
    assert patched.status == 200 and patched.json["id"] == "app-one"
    assert api.call("GET", f"{BASE}/app-one").json["path"] == "other"
    sync_now()
    exes = api.call("GET", "/v2/lm/scenarios/text-clf/executables").json["resources"]
    assert [e["id"] for e in exes] == ["text-clf-serve"]

    deleted = api.call("DELETE", f"{BASE}/app-one").json
    assert deleted == {"id": "app-one", "message": "ArgoCD application has been deleted"}
    assert api.call("GET", f"{BASE}/app-one").status == 404
    assert api.call("GET", "/v2/lm/scenarios").json == {"count": 0, "resources": []}


def test_create_by_repository_name_generates_a_name(api, tmp_path):
    setup_repo(api, tmp_path)
    result = api.call("POST", BASE, {"repositoryName": "templates", "revision": "HEAD", "path": "workflows"})
    assert result.status == 200 and result.json["id"] == "templates-workflows"
    again = api.call("POST", BASE, {"repositoryName": "templates", "revision": "main", "path": "workflows"})
    assert again.json["id"] == "templates-workflows-2"


def test_status_before_and_after_sync(api, tmp_path):
    repo = setup_repo(api, tmp_path)
    create(api, repo)
    before = api.call("GET", f"{BASE}/app-one/status").json
    assert (before["healthStatus"], before["syncStatus"], before["syncStartedAt"]) == ("Unknown", "Unknown", "Unknown")
    assert before["source"] == {"repoURL": repo.url, "path": "workflows", "revision": "HEAD"}
    sync_now()
    after = api.call("GET", f"{BASE}/app-one/status").json
    assert (after["healthStatus"], after["syncStatus"]) == ("Healthy", "Synced")
    assert len(after["source"]["revision"]) == 40 and after["syncFinishedAt"].endswith("Z")
    assert after["syncResourcesStatus"] == after["syncRessourcesStatus"]
    assert {(r["name"], r["kind"], r["status"]) for r in after["syncResourcesStatus"]} == {
        ("text-clf-train", "WorkflowTemplate", "Synced"), ("text-clf-serve", "ServingTemplate", "Synced")}
    from ai_core_sdk.models.application_status import ApplicationStatus

    parsed = ApplicationStatus.from_dict(humps.decamelize(after))  # what the official client does with it
    assert parsed.source.revision == after["source"]["revision"] and parsed.health_status == "Healthy"


def test_refresh_without_body_syncs_new_commits(api, tmp_path):
    repo = setup_repo(api, tmp_path)
    create(api, repo)
    sync_now()
    repo.write("workflows/serving.yaml", "kind: [broken").commit("break")
    refreshed = bare_post(api, f"{BASE}/app-one/refresh")
    assert refreshed.status == 202, refreshed
    assert refreshed.json == {"id": "app-one", "message": "Refresh of ArgoCD application has been scheduled"}
    sync_now()
    status = api.call("GET", f"{BASE}/app-one/status").json
    assert (status["healthStatus"], status["syncStatus"]) == ("Degraded", "OutOfSync")
    assert "workflows/serving.yaml" in status["message"]
    broken = [r for r in status["syncResourcesStatus"] if r["status"] == "OutOfSync"]
    assert any(r["name"] == "workflows/serving.yaml" and "invalid YAML" in r["message"] for r in broken)
    assert api.call("GET", "/v2/lm/scenarios/text-clf/executables/text-clf-serve").status == 200  # kept


def test_bad_input_is_400(api, tmp_path):
    repo = setup_repo(api, tmp_path)
    cases = [
        ({"repositoryUrl": "https://github.com/not/onboarded", "revision": "HEAD", "path": "x"}, "not on-boarded"),
        ({"repositoryUrl": repo.url, "revision": "HEAD", "path": "../outside"}, "'..' is not allowed"),
        ({"repositoryUrl": repo.url, "revision": "HEAD", "path": "/etc"}, "relative to the repository root"),
        ({"repositoryUrl": repo.url, "revision": "bad..rev", "path": "x"}, "'revision' must be"),
        ({"repositoryUrl": repo.url, "path": "x"}, "'revision' is required"),
        ({"revision": "HEAD", "path": "x"}, "Send 'repositoryUrl' or 'repositoryName'"),
        ({"repositoryUrl": "https://github.com/a/b", "repositoryName": "templates", "revision": "HEAD", "path": "x"},
         "name different repositories"),
        ({"repositoryUrl": repo.url, "revision": "HEAD", "path": "x", "applicationName": "Bad_Name"},
         "Application name 'Bad_Name' is invalid"),
    ]
    for body, message in cases:
        result = api.call("POST", BASE, body)
        assert result.status == 400 and message in result.json["error"]["message"], (body, result)
    assert api.call("GET", f"{BASE}/Bad_Name").status == 400
    assert api.call("POST", BASE, {"repositoryName": "unknown", "revision": "HEAD", "path": "x"}).status == 404


def test_same_source_twice_is_409(api, tmp_path):
    repo = setup_repo(api, tmp_path)
    assert create(api, repo).status == 200
    assert create(api, repo).status == 409  # same name
    clash = api.call("POST", BASE, {"repositoryUrl": repo.url.upper() + "/", "revision": "HEAD",
                                    "path": "./workflows/", "applicationName": "app-two"})
    assert clash.status == 409, clash
    assert "Application 'app-one' already syncs" in clash.json["error"]["message"]
    assert create(api, repo, name="app-three", path="other").status == 200
    moved = api.call("PATCH", f"{BASE}/app-three", {"repositoryUrl": repo.url, "revision": "HEAD",
                                                    "path": "workflows"})
    assert moved.status == 409


def test_unknown_application_is_404(api):
    for method, path in (("GET", "/nope-app"), ("GET", "/nope-app/status"), ("DELETE", "/nope-app")):
        assert api.call(method, BASE + path).status == 404
    assert bare_post(api, f"{BASE}/nope-app/refresh").status == 404


def test_other_tenant_gets_404(api, tmp_path):
    repo = setup_repo(api, tmp_path)
    create(api, repo)
    sync_now()
    assert api.call("GET", f"{BASE}/app-one", tenant="t2").status == 404
    assert api.call("GET", f"{BASE}/app-one/status", tenant="t2").status == 404
    assert bare_post(api, f"{BASE}/app-one/refresh", tenant="t2").status == 404
    assert api.call("PATCH", f"{BASE}/app-one", {"repositoryUrl": repo.url, "revision": "HEAD", "path": "x"},
                    tenant="t2").status == 404
    assert api.call("DELETE", f"{BASE}/app-one", tenant="t2").status == 404
    assert api.call("GET", BASE, tenant="t2").json == {"count": 0, "resources": []}
    # t2 cannot point an application at t1's repository without on-boarding it itself
    assert create(api, repo, tenant="t2").status == 400
    assert api.call("GET", f"{BASE}/app-one").status == 200


def test_scheduled_poll_syncs_without_the_worker(api, tmp_path):
    """AWS path: nothing drains the in-memory queue; the EventBridge-scheduled git-poll function catches up."""
    repo = setup_repo(api, tmp_path)
    create(api, repo)
    event = api.client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={},
                                                resources=[])
    api.client.lambda_.invoke("git-poll", event)
    status = api.call("GET", f"{BASE}/app-one/status").json
    assert (status["healthStatus"], status["syncStatus"]) == ("Healthy", "Synced")
    assert api.call("GET", "/v2/admin/repositories/templates").json["status"] == "COMPLETED"


def test_application_deleted_during_its_sync_leaves_no_executables(api, tmp_path):
    """A sync already reading Git when the application is deleted must not write its executables back."""
    from chalicelib.bootstrap import container

    repo = setup_repo(api, tmp_path)
    create(api, repo)
    c = container()
    real = c.template_source

    class DeletedMidSync:
        def head(self, *args):
            return real.head(*args)

        def snapshot(self, *args):
            assert api.call("DELETE", f"{BASE}/app-one").status == 200  # the user deletes it meanwhile
            return real.snapshot(*args)

    c.__dict__["template_source"] = DeletedMidSync()
    c.__dict__.pop("git_sync", None)  # rebuilt on the wrapped source
    sync_now()
    assert api.call("GET", f"{BASE}/app-one").status == 404
    assert api.call("GET", "/v2/lm/scenarios").json == {"count": 0, "resources": []}


def test_refresh_shows_out_of_sync_until_the_new_sync_ran(api, tmp_path):
    """A client polling for Synced after refresh must not read the previous sync's result."""
    from chalicelib.bootstrap import container

    repo = setup_repo(api, tmp_path)
    create(api, repo)
    container().git_sync.poll()
    assert api.call("GET", f"{BASE}/app-one/status").json["syncStatus"] == "Synced"
    assert bare_post(api, f"{BASE}/app-one/refresh").status == 202
    assert api.call("GET", f"{BASE}/app-one/status").json["syncStatus"] == "OutOfSync"
    container().git_sync.poll()
    assert api.call("GET", f"{BASE}/app-one/status").json["syncStatus"] == "Synced"
