"""Deploy this folder's content to an AI Core compatible API from a CI job (or your shell).

Reads cicd/config.json, then: resource group -> repository/application -> sync -> artifacts -> configurations
(reused when identical) -> executions (followed until their target status, printing logs) -> deployments (the model
artifact of a training run in this pipeline can be bound with "from_execution"). Credentials come from the
environment exactly as for AI Core: AICORE_AUTH_URL, AICORE_CLIENT_ID, AICORE_CLIENT_SECRET, AICORE_BASE_URL,
AICORE_RESOURCE_GROUP (and AICORE_REPO_USERNAME/AICORE_REPO_PASSWORD for an https repository).
"""
from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path

from ai_api_client_sdk.models.artifact import Artifact
from ai_api_client_sdk.models.input_artifact_binding import InputArtifactBinding
from ai_api_client_sdk.models.parameter_binding import ParameterBinding
from ai_core_sdk.ai_core_v2_client import AICoreV2Client

log = logging.getLogger("pipeline")
HERE = Path(__file__).resolve().parent
FINAL = {"COMPLETED", "DEAD", "STOPPED"}


def client() -> AICoreV2Client:
    env = os.environ
    auth_url = env["AICORE_AUTH_URL"]
    return AICoreV2Client(base_url=env["AICORE_BASE_URL"],
                          auth_url=auth_url if auth_url.endswith("/oauth/token") else auth_url + "/oauth/token",
                          client_id=env["AICORE_CLIENT_ID"], client_secret=env["AICORE_CLIENT_SECRET"],
                          resource_group=env["AICORE_RESOURCE_GROUP"])


def ensure_resource_group(ai: AICoreV2Client, group: str) -> None:
    if group not in [g.resource_group_id for g in ai.resource_groups.query().resources]:
        ai.resource_groups.create(resource_group_id=group)
    for _ in range(60):
        if ai.resource_groups.get(group).status == "PROVISIONED":
            return
        time.sleep(2)
    raise SystemExit(f"resource group {group} did not become PROVISIONED")


def sync_templates(ai: AICoreV2Client, app: dict) -> None:
    url = app["repository_url"]
    if url not in [r.url for r in ai.repositories.query().resources]:
        ai.repositories.create(name=app["name"], url=url, username=os.environ.get("AICORE_REPO_USERNAME", "git"),
                               password=os.environ.get("AICORE_REPO_PASSWORD", "unused"))
    if app["name"] not in [a.application_name for a in ai.applications.query().resources]:
        ai.applications.create(repository_url=url, revision=app["revision"], path=app["path"],
                               application_name=app["name"])
    ai.applications.refresh(app["name"])
    for _ in range(60):
        status = ai.applications.get_status(app["name"])
        if status.sync_status == "Synced":
            log.info("templates synced at %s", status.source.revision if status.source else "?")
            return
        time.sleep(1)
    raise SystemExit(f"application {app['name']} did not sync: {status.message}")


def ensure_artifact(ai: AICoreV2Client, spec: dict) -> str:
    for existing in ai.artifact.query(scenario_id=spec["scenario_id"], name=spec["name"]).resources:
        if existing.url == spec["url"] and existing.kind.value == spec["kind"]:
            return existing.id  # do not clutter the resource group on every run
    return ai.artifact.create(name=spec["name"], kind=Artifact.Kind(spec["kind"]), url=spec["url"],
                              scenario_id=spec["scenario_id"]).id


def ensure_configuration(ai: AICoreV2Client, spec: dict, artifact_ids: dict) -> str:
    params = [ParameterBinding(key=p["key"], value=p["value"]) for p in spec["parameter_bindings"]]
    inputs = [InputArtifactBinding(key=b["key"], artifact_id=artifact_ids[b["key"]])
              for b in spec["input_artifact_bindings"]]
    wanted = (spec["name"], spec["executable_id"], sorted((p.key, p.value) for p in params),
              sorted((b.key, b.artifact_id) for b in inputs))
    for existing in ai.configuration.query(scenario_id=spec["scenario_id"]).resources:
        have = (existing.name, existing.executable_id,
                sorted((p.key, p.value) for p in existing.parameter_bindings or []),
                sorted((b.key, b.artifact_id) for b in existing.input_artifact_bindings or []))
        if have == wanted:
            return existing.id
    return ai.configuration.create(name=spec["name"], scenario_id=spec["scenario_id"],
                                   executable_id=spec["executable_id"], parameter_bindings=params,
                                   input_artifact_bindings=inputs).id


def follow(ai: AICoreV2Client, kind: str, run_id: str, target: str, timeout: float = 600) -> str:
    """Poll status and print new log lines until the run reaches `target` or a final status."""
    resource = ai.execution if kind == "execution" else ai.deployment
    seen = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = resource.get(run_id).status.value
        logs = resource.query_logs(run_id, start=seen).data.result if seen else resource.query_logs(run_id).data.result
        for line in logs:
            if seen is None or line.timestamp > seen:
                log.info("%s %s %s", kind, line.timestamp.isoformat(), line.msg)
                seen = line.timestamp
        if status == target or status in FINAL:
            return status
        time.sleep(2)
    return "TIMEOUT"


def deploy() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    config = json.loads((HERE / "config.json").read_text())
    ai = client()
    ensure_resource_group(ai, os.environ["AICORE_RESOURCE_GROUP"])
    sync_templates(ai, config["application"])
    artifact_ids = {a["key"]: ensure_artifact(ai, a) for a in config["artifacts"]}
    executions = []
    ok = True
    for spec in config["executions"]:
        configuration = ensure_configuration(ai, spec["configuration"], artifact_ids)
        run = ai.execution.create(configuration_id=configuration)
        log.info("execution %s started", run.id)
        status = follow(ai, "execution", run.id, spec["wait_for_status"])
        ok &= status == spec["wait_for_status"]
        executions.append(ai.execution.get(run.id))
    for spec in config["deployments"]:
        for binding in spec["configuration"]["input_artifact_bindings"]:
            if "from_execution" in binding:  # the model this pipeline just trained
                outputs = executions[binding["from_execution"]].output_artifacts or []
                artifact_ids[binding["key"]] = next(a.id for a in outputs if a.name == binding["key"])
        configuration = ensure_configuration(ai, spec["configuration"], artifact_ids)
        run = ai.deployment.create(configuration_id=configuration)
        status = follow(ai, "deployment", run.id, spec["wait_for_status"])
        log.info("deployment %s is %s at %s", run.id, status, ai.deployment.get(run.id).deployment_url)
        ok &= status == spec["wait_for_status"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(deploy())
