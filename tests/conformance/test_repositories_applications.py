"""Git repositories and applications (tenant level) through ai-core-sdk: read, change, offboard."""
import re

import pytest
import yaml
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


def test_fields_the_local_engine_refuses_are_reported_and_the_run_ends_dead(core, repo, tmp_path):
    """A sidecar and a templateRef: applied all the same (Argo would run them), named in the application status
    with their file, and an execution ends DEAD in the same words before any step ran (no log line)."""
    from ai_api_client_sdk.models.parameter_binding import ParameterBinding
    from ai_api_client_sdk.models.status import Status

    def limited(name: str, change) -> str:
        doc = yaml.safe_load(renamed_template("training.yaml", "conflimits", name, "1.0.0"))
        change(doc["spec"]["templates"])
        return yaml.safe_dump(doc, sort_keys=False)

    sidecar = "template 'train': sidecars is not supported by the local engine"
    ref = "template 'shared': steps[0][0].templateRef is not supported by the local engine"
    commit_tree(tmp_path, {
        "workflows/sidecar.yaml": limited("conf-limits-sidecar",
                                          lambda ts: ts[0].update(sidecars=[{"name": "db", "image": "postgres"}])),
        "workflows/ref.yaml": limited("conf-limits-ref", lambda ts: ts.append(
            {"name": "shared", "steps": [[{"name": "lib", "templateRef": {"name": "library", "template": "echo"}}]]}))})
    core.repositories.create(name="conf-limits-repo", url=tmp_path.as_uri(), username="git", password="unused")
    core.applications.create(repository_url=tmp_path.as_uri(), revision="HEAD", path="workflows",
                             application_name="conf-limits-app")
    core.applications.refresh("conf-limits-app")
    wait_for(lambda: synced(core, "conf-limits-app"), what="application with refused fields synced")
    status = core.applications.get_status("conf-limits-app")
    assert status.message == ("successfully synced; the local engine cannot run: "
                              f"workflows/ref.yaml: {ref}; workflows/sidecar.yaml: {sidecar}")
    messages = {r.name: (r.status, r.message) for r in status.sync_resources_status}
    for name, words in (("conf-limits-sidecar", f"workflows/sidecar.yaml: {sidecar}"),
                        ("conf-limits-ref", f"workflows/ref.yaml: {ref}")):
        assert re.fullmatch(rf"workflowtemplate\.argoproj\.io/{name} (created|unchanged); "
                            rf"the local engine cannot run it: {re.escape(words)}", messages[name][1]), messages
        assert messages[name][0] == "Synced"

    config = core.configuration.create(name="conf limits", scenario_id="conflimits",
                                       executable_id="conf-limits-sidecar",
                                       parameter_bindings=[ParameterBinding(key="envexample", value="x")],
                                       resource_group=RG).id
    run = core.execution.create(config, resource_group=RG).id
    wait_for(lambda: core.execution.get(run, resource_group=RG).status == Status.DEAD, what="execution dead")
    assert core.execution.get(run, resource_group=RG).status_message == sidecar
    assert core.execution.query_logs(run, resource_group=RG).data.result == []
    core.applications.delete("conf-limits-app")
    core.repositories.delete("conf-limits-repo")
