"""What the local engine does not carry out, end to end: a template with a sidecar and one with a templateRef,
synced from Git on the local stack. The files are applied (the executables exist: Argo on AWS would run them),
the application status names each refused field with its file, and an execution ends DEAD with the same words
before any step ran."""
from __future__ import annotations

from chalicelib.domain.context import TenantContext
from tests.support.local_engine import ok, wait_for

HEADER = """
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: {name}
  annotations:
    scenarios.ai.sap.com/name: "limits scenario"
    executables.ai.sap.com/name: "{name}"
  labels:
    scenarios.ai.sap.com/id: "limits-scn"
    ai.sap.com/version: "1.0.0"
"""
SIDECAR = HEADER.format(name="with-sidecar") + """
spec:
  entrypoint: main
  templates:
    - name: main
      container:
        image: none
        command: ["sh", "-c", "echo main ran"]
      sidecars:
        - name: db
          image: postgres
"""
TEMPLATE_REF = HEADER.format(name="with-ref") + """
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: shared
            templateRef:
              name: library
              template: echo
"""
SIDECAR_WORDS = "template 'main': sidecars is not supported by the local engine"
REF_WORDS = "template 'main': steps[0][0].templateRef is not supported by the local engine"


def test_refused_fields_show_in_the_application_status_and_end_the_run_before_any_step(engine_api, tmp_path):
    api = engine_api
    from chalicelib.bootstrap import container
    from tests.support.git_repo import commit_tree

    repo = tmp_path / "repo"
    commit_tree(repo, {"workflows/sidecar.yaml": SIDECAR, "workflows/ref.yaml": TEMPLATE_REF})
    ok(api.call("POST", "/v2/admin/repositories", {"name": "limits-repo", "url": repo.as_uri(), "username": "u",
                                                   "password": "p"}))
    ok(api.call("POST", "/v2/admin/applications", {"repositoryUrl": repo.as_uri(), "revision": "HEAD",
                                                   "path": "workflows", "applicationName": "limits-app"}))
    container().git_sync.sync_application(TenantContext("t1"), "limits-app")

    status = ok(api.call("GET", "/v2/admin/applications/limits-app/status"))
    assert (status["healthStatus"], status["syncStatus"]) == ("Healthy", "Synced"), status  # the files applied
    assert status["message"] == ("successfully synced; the local engine cannot run: "
                                 f"workflows/ref.yaml: {REF_WORDS}; workflows/sidecar.yaml: {SIDECAR_WORDS}")
    resources = {r["name"]: r for r in status["syncResourcesStatus"]}
    assert resources["with-sidecar"]["status"] == "Synced"
    assert resources["with-sidecar"]["message"] == (
        "workflowtemplate.argoproj.io/with-sidecar created; the local engine cannot run it: "
        f"workflows/sidecar.yaml: {SIDECAR_WORDS}")
    assert resources["with-ref"]["message"].endswith(f"workflows/ref.yaml: {REF_WORDS}")
    executables = ok(api.call("GET", "/v2/lm/scenarios/limits-scn/executables"))["resources"]
    assert {e["id"] for e in executables} == {"with-sidecar", "with-ref"}

    for executable, words in (("with-sidecar", SIDECAR_WORDS), ("with-ref", REF_WORDS)):
        config = ok(api.call("POST", "/v2/lm/configurations", {"name": f"cfg-{executable}",
                                                               "scenarioId": "limits-scn",
                                                               "executableId": executable}))["id"]
        done = wait_for(api, ok(api.call("POST", "/v2/lm/executions", {"configurationId": config}))["id"])
        assert (done["status"], done["statusMessage"]) == ("DEAD", words), done
        assert not (done.get("statusDetails") or {}).get("steps")  # no step started
        logs = ok(api.call("GET", f"/v2/lm/executions/{done['id']}/logs"))["data"]["result"]
        assert logs == []


def test_the_sync_reports_nothing_without_the_local_engine(aws, tmp_path):
    """On AWS Argo runs the template as written: the same files sync with the usual message."""
    from chalicelib import bootstrap
    from tests.support.git_repo import commit_tree

    c = bootstrap.configure(aws)
    try:
        repo = tmp_path / "repo"
        commit_tree(repo, {"workflows/sidecar.yaml": SIDECAR})
        ctx = TenantContext("t1")
        c.repositories.create(ctx, "limits-repo", repo.as_uri(), "", "")
        c.applications.create(ctx, "limits-app", repo.as_uri(), None, "HEAD", "workflows")
        app = c.git_sync.sync_application(ctx, "limits-app")
        assert app.message == "successfully synced (all tasks run)"
        assert [r.message for r in app.resources] == ["workflowtemplate.argoproj.io/with-sidecar created"]
    finally:
        bootstrap.reset()
