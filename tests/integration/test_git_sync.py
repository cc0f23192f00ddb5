"""Git sync end to end: real repositories written with dulwich, the dulwich adapter, hera validation and the
record store on in-process moto. Each test drives the services the way the worker and the poller do."""
from __future__ import annotations

import time

import pytest

from chalicelib.domain.context import TenantContext
from chalicelib.domain.records import Kind
from chalicelib.domain.scenarios import Executable
from tests.support.git_repos import GitRepo, fixture

T1 = TenantContext("t1")


@pytest.fixture
def c(aws):
    from chalicelib import bootstrap

    container = bootstrap.configure(aws)
    yield container
    bootstrap.reset()


@pytest.fixture
def repo(tmp_path):
    git = GitRepo(tmp_path / "templates-repo")
    git.write("workflows/training.yaml", fixture("training.yaml"))
    git.write("workflows/serving.yaml", fixture("serving.yaml"))
    git.write("README.md", "not a template")
    git.commit("first templates")
    return git


def drain(c) -> None:
    from chalicelib.adapters.git.worker import drain as run_all

    run_all(c.git_sync, c.sync_queue)


def onboard(c, repo, path="workflows", revision="HEAD", name="app-one"):
    if c.repositories.find_by_url(T1, repo.url) is None:
        c.repositories.create(T1, "templates", repo.url, "", "")
    c.applications.create(T1, name, repo.url, None, revision, path)
    drain(c)
    return c.applications.get(T1, name)


def executables(c, ctx=T1):
    return {r.doc["id"]: Executable.from_record(r) for r in c.store.iterate(ctx, Kind.EXECUTABLE)}


def test_first_sync_creates_scenario_and_executables(c, repo):
    app = onboard(c, repo)
    assert (app.health_status, app.sync_status) == ("Healthy", "Synced"), app.message
    exes = executables(c)
    assert set(exes) == {"text-clf-train", "text-clf-serve"}
    train, serve = exes["text-clf-train"], exes["text-clf-serve"]
    assert (train.deployable, serve.deployable) == (False, True)
    assert train.application == "app-one" and train.source_file == "workflows/training.yaml"
    assert train.template["spec"]["entrypoint"] == "train"  # kept for the run engine
    assert [p.name for p in train.parameters] == ["epochs", "learning-rate"]
    assert [a.name for a in train.output_artifacts] == ["text-model"]
    scenario = c.catalog.scenario(T1, "text-clf")
    assert scenario.name == "Text classification"
    assert c.repositories.get(T1, "templates").status == "COMPLETED"
    assert {r.name for r in app.resources} == {"text-clf-train", "text-clf-serve"}
    assert len(app.synced_revision) == 40


def test_changed_file_updates_executable_on_poll(c, repo):
    onboard(c, repo)
    before = executables(c)
    repo.write("workflows/training.yaml", fixture("training.yaml").replace("Trains the classifier", "Trains v2"))
    sha = repo.commit("new description")
    assert c.git_sync.poll() == 1
    after = executables(c)
    assert after["text-clf-train"].description == "Trains v2"
    assert after["text-clf-train"].created_at == before["text-clf-train"].created_at
    assert after["text-clf-train"].modified_at > before["text-clf-train"].modified_at
    assert after["text-clf-serve"].modified_at == before["text-clf-serve"].modified_at  # untouched file: no write
    app = c.applications.get(T1, "app-one")
    assert app.synced_revision == sha
    assert {r.name: r.message.split()[-1] for r in app.resources} == {"text-clf-train": "configured",
                                                                     "text-clf-serve": "unchanged"}


def test_poll_without_new_commit_does_not_resync(c, repo):
    app = onboard(c, repo)
    time.sleep(0.01)
    assert c.git_sync.poll() == 0
    again = c.applications.get(T1, "app-one")
    assert again.sync_finished_at == app.sync_finished_at
    assert again.reconciled_at > app.reconciled_at


@pytest.mark.parametrize("broken", [
    "kind: WorkflowTemplate\nmetadata: [unclosed\n",
    fixture("training.yaml").replace('scenarios.ai.sap.com/id: "text-clf"', 'owner: "me"'),
    fixture("training.yaml").replace("entrypoint: train", "entrypoint: 42\n  templates_typo: x"),
])
def test_broken_file_keeps_previous_executables_and_reports(c, repo, broken):
    onboard(c, repo)
    before = executables(c)["text-clf-train"]
    repo.write("workflows/training.yaml", broken)
    repo.commit("oops")
    c.git_sync.poll()
    kept = executables(c)["text-clf-train"]
    assert kept.model_dump() == before.model_dump()
    status = c.applications.get(T1, "app-one")
    assert (status.health_status, status.sync_status) == ("Degraded", "OutOfSync")
    assert "workflows/training.yaml" in status.message
    problems = [r for r in status.resources if r.status == "OutOfSync"]
    assert any(r.message.startswith("workflows/training.yaml: ") for r in problems)
    assert "text-clf-serve" in executables(c)  # the sound file still applies


def test_fixing_a_broken_file_applies_it(c, repo):
    onboard(c, repo)
    repo.write("workflows/training.yaml", "not: [valid")
    repo.commit("break")
    c.git_sync.poll()
    repo.write("workflows/training.yaml", fixture("training.yaml").replace('"1.0.0"', '"2.0.0"', 1))
    repo.commit("fix")
    c.git_sync.poll()
    assert executables(c)["text-clf-train"].version_id == "2.0.0"
    assert c.applications.get(T1, "app-one").health_status == "Healthy"


def test_removed_file_removes_executables_then_scenario(c, repo):
    onboard(c, repo)
    repo.remove("workflows/serving.yaml")
    repo.commit("drop serving")
    c.git_sync.poll()
    assert set(executables(c)) == {"text-clf-train"}
    repo.write("workflows/README.md", "templates go here")  # keep the directory: Git drops empty ones
    repo.remove("workflows/training.yaml")
    repo.commit("drop all")
    c.git_sync.poll()
    assert executables(c) == {}
    assert c.catalog.scenarios(T1) == []
    assert "no *.yaml" in c.applications.get(T1, "app-one").message


def test_executable_moving_to_another_scenario(c, repo):
    onboard(c, repo)
    repo.write("workflows/serving.yaml", fixture("serving.yaml").replace('id: "text-clf"', 'id: "text-serving"'))
    repo.commit("own scenario")
    c.git_sync.poll()
    exes = executables(c)
    assert exes["text-clf-serve"].scenario_id == "text-serving"
    assert {s.id for s in c.catalog.scenarios(T1)} == {"text-clf", "text-serving"}
    assert c.store.get(T1, Kind.EXECUTABLE, Executable.record_id("text-clf", "text-clf-serve")) is None


def test_duplicate_executable_id_across_applications(c, repo):
    onboard(c, repo)
    repo.write("copy/training.yaml", fixture("training.yaml").replace("Trains the classifier", "impostor"))
    repo.commit("copy")
    app = onboard(c, repo, path="copy", name="app-two")
    assert app.health_status == "Degraded"
    assert any("already defined by application 'app-one'" in r.message for r in app.resources)
    assert executables(c)["text-clf-train"].application == "app-one"
    assert executables(c)["text-clf-train"].description == "Trains the classifier"


def test_duplicate_executable_id_within_application(c, repo):
    onboard(c, repo)
    repo.write("workflows/z-copy.yaml", fixture("training.yaml"))
    repo.commit("dup")
    c.git_sync.poll()
    app = c.applications.get(T1, "app-one")
    assert app.health_status == "Degraded"
    assert any(r.name == "text-clf-train" and "workflows/z-copy.yaml" in r.message for r in app.resources
               if r.status == "OutOfSync")
    assert executables(c)["text-clf-train"].source_file == "workflows/training.yaml"


def test_revision_branch_tag_and_sha(c, repo):
    sha_v1 = repo.write("workflows/notes.yml", "# not a template yet\n").commit("v1")
    repo.tag("v1")
    repo.branch("release")
    repo.write("workflows/serving.yaml", fixture("serving.yaml").replace('"1.0.0"', '"9.9.9"'))
    repo.commit("newer")
    c.repositories.create(T1, "templates", repo.url, "", "")
    for name, revision in (("by-tag", "v1"), ("by-branch", "release"), ("by-sha", sha_v1[:10])):
        c.applications.create(T1, name, repo.url, None, revision, "workflows")
        drain(c)
        app = c.applications.get(T1, name)
        assert app.synced_revision == sha_v1, (name, app.message)
        c.applications.delete(T1, name)
    assert sha_v1 != c.template_source.head("t1", _access(repo), "HEAD")


def _access(repo):
    from chalicelib.domain.sync import GitAccess

    return GitAccess(repo.url)


def test_unknown_revision_and_missing_path_are_reported(c, repo):
    c.repositories.create(T1, "templates", repo.url, "", "")
    c.applications.create(T1, "bad-rev", repo.url, None, "no-such-branch", "workflows")
    c.applications.create(T1, "bad-path", repo.url, None, "HEAD", "nowhere")
    drain(c)
    bad_rev, bad_path = c.applications.get(T1, "bad-rev"), c.applications.get(T1, "bad-path")
    assert bad_rev.health_status == "Degraded" and "no-such-branch" in bad_rev.message
    assert "app path 'nowhere' does not exist" in bad_path.message
    assert bad_path.sync_status == "Unknown" and executables(c) == {}


def test_symlinks_are_not_followed(c, repo, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text(fixture("training.yaml").replace("text-clf-train", "leaked-exe"))
    repo.symlink("workflows/leak.yaml", str(outside))
    repo.symlink("workflows/inside.yaml", "training.yaml")
    repo.commit("links")
    onboard(c, repo)
    assert "leaked-exe" not in executables(c)
    assert set(executables(c)) == {"text-clf-train", "text-clf-serve"}


def test_unreachable_repository_keeps_executables(c, repo, tmp_path):
    onboard(c, repo)
    moved = tmp_path / "moved"
    repo.path.rename(moved)
    c.applications.refresh(T1, "app-one")
    drain(c)
    app = c.applications.get(T1, "app-one")
    assert app.health_status == "Degraded" and "cannot read repository" in app.message
    assert set(executables(c)) == {"text-clf-train", "text-clf-serve"}
    assert c.repositories.get(T1, "templates").status == "ERROR"
    moved.rename(repo.path)
    c.git_sync.poll()  # a failed source is retried on every poll
    assert c.applications.get(T1, "app-one").health_status == "Healthy"


def test_delete_application_removes_what_it_synced(c, repo):
    onboard(c, repo)
    c.applications.delete(T1, "app-one")
    assert executables(c) == {} and c.catalog.scenarios(T1) == []


def test_password_is_encrypted_at_rest(c, repo):
    c.repositories.create(T1, "private", "https://git.example.com/org/private.git", "bot", "s3cr3t-pa55")
    raw = c.store.get(T1, Kind.REPOSITORY, "private").doc
    assert "s3cr3t-pa55" not in repr(raw)
    repo_entity = c.repositories.get(T1, "private")
    assert c.repositories.password(T1, repo_entity) == "s3cr3t-pa55"
    assert "s3cr3t" not in repr(repo_entity) and "password_token" not in repr(repo_entity)


def test_tenants_do_not_share_catalogs(c, repo):
    onboard(c, repo)
    t2 = TenantContext("t2")
    assert executables(c, t2) == {} and c.catalog.scenarios(t2) == []


def test_worker_thread_syncs_soon_after_a_request(c, repo):
    from chalicelib.adapters.git.worker import start_sync_worker

    c.settings.git_poll_seconds = 3600
    stop = start_sync_worker(c)
    try:
        c.repositories.create(T1, "templates", repo.url, "", "")
        c.applications.create(T1, "fast", repo.url, None, "HEAD", "workflows")
        deadline = time.time() + 10
        while time.time() < deadline and c.applications.get(T1, "fast").sync_status != "Synced":
            time.sleep(0.05)
        assert c.applications.get(T1, "fast").sync_status == "Synced"
        assert c.repositories.get(T1, "templates").status == "COMPLETED"
    finally:
        stop()
