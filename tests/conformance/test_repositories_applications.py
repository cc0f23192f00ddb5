"""Git repositories and applications (tenant level) through ai-core-sdk: read, change, offboard."""
import re

import pytest
from ai_api_client_sdk.exception import AIAPINotFoundException
from ai_core_sdk.models.repository_status import RepositoryStatus

from tests.support.conformance import provisioned_group, renamed_template, synced
from tests.support.git_repo import commit_tree
from tests.support.stack_process import wait_for

RG = "conf-gitops"
REPO, APP, SCENARIO = "conf-admin-repo", "conf-admin-app", "confadmin"


def template(name: str, version: str) -> str:
    return renamed_template("training.yaml", SCENARIO, name, version)


def executables(core) -> list:
    try:
        return [e.id for e in core.executable.query(SCENARIO, resource_group=RG).resources]
    except AIAPINotFoundException:
        return []


@pytest.fixture(scope="module")
def repo(core, tmp_path_factory):
    provisioned_group(core, RG)
    path = tmp_path_factory.mktemp("admin-repo")
    commit_tree(path, {"workflows/a.yaml": template("conf-admin-a", "1.0.0"),
                       "next/b.yaml": template("conf-admin-b", "2.0.0")})
    assert core.repositories.create(name=REPO, url=path.as_uri(), username="git", password="unused").message
    # This time the application names its repository by name; the server resolves the URL.
    created = core.applications.create(revision="HEAD", path="workflows", application_name=APP,
                                       repository_name=REPO)
    assert created.id == APP
    core.applications.refresh(APP)
    wait_for(lambda: synced(core, APP), what="application synced")
    return path, path.as_uri()


def test_repository_get_and_query(core, repo):
    _, url = repo
    got = core.repositories.get(REPO)
    assert (got.name, got.url, got.status) == (REPO, url, RepositoryStatus.COMPLETED)
    listed = core.repositories.query()
    assert REPO in [r.name for r in listed.resources]
    assert listed.count == len(listed.resources)


def test_repository_modify_credentials(core, repo):
    response = core.repositories.modify(REPO, username="someone-else", password="rotated-token")
    assert response.id == REPO and response.message
    # New credentials are checked again in the background.
    wait_for(lambda: core.repositories.get(REPO).status == RepositoryStatus.COMPLETED, what="repository re-checked")


def test_application_get_query_and_status(core, repo):
    path, url = repo
    app = core.applications.get(APP)
    assert (app.application_name, app.repository_url, app.path, app.revision) == (APP, url, "workflows", "HEAD")
    assert APP in [a.application_name for a in core.applications.query().resources]
    status = core.applications.get_status(APP)
    assert (status.health_status, status.sync_status) == ("Healthy", "Synced")
    assert status.source.repourl == url and status.source.path == "workflows"
    assert re.fullmatch(r"[0-9a-f]{40}", status.source.revision)
    assert status.sync_started_at and status.sync_finished_at and status.reconciled_at
    assert [(r.name, r.kind, r.status) for r in status.sync_resources_status] == [
        ("conf-admin-a", "WorkflowTemplate", "Synced")]


def test_application_modify_moves_to_another_path(core, repo):
    _, url = repo
    response = core.applications.modify(APP, repository_url=url, path="next", revision="HEAD")
    assert response.id == APP
    core.applications.refresh(APP)
    wait_for(lambda: core.applications.get_status(APP).source.path == "next" and synced(core, APP),
             what="application re-synced from next/")
    assert core.applications.get(APP).path == "next"
    assert executables(core) == ["conf-admin-b"]


def test_application_and_repository_delete(core, repo):
    path, _ = repo
    assert core.applications.delete(APP).id == APP
    with pytest.raises(AIAPINotFoundException):
        core.applications.get(APP)
    # The scenario goes with its last executable.
    wait_for(lambda: executables(core) == [], what="executables removed")
    assert core.repositories.delete(REPO).id == REPO
    with pytest.raises(AIAPINotFoundException):
        core.repositories.get(REPO)
    assert REPO not in [r.name for r in core.repositories.query().resources]
