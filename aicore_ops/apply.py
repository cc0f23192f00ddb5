"""`aicore-ops apply`: the seed's cicd/config.json, declaratively and idempotently.

The file format is the seed's, unchanged: `artifacts` (each with a `key` that input artifact bindings name),
`executions` and `deployments` (each a `configuration` plus a `wait_for_status`). Two additions the project's
example uses are understood too: an `application` section (created with its repository when missing) and input
bindings with `from_execution: N` (the output artifact of that name of the N-th execution of this apply)."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from contextlib import nullcontext
from typing import Callable, ContextManager, Dict, List, Optional

from . import runs, sync
from .client import ApiError, Client


class ApplyFailed(Exception):
    """The flow stopped for a reason that is not an HTTP error: broken template, DEAD run, missing output."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class Outcome:
    resource_group: Optional[str] = None
    application: Optional[str] = None
    artifacts: Dict[str, dict] = field(default_factory=dict)        # key -> {"id", "created"}
    configurations: List[dict] = field(default_factory=list)        # {"name", "id", "created"}
    runs: List[dict] = field(default_factory=list)                  # {"kind", "id", "status", ...}
    cleaned: List[dict] = field(default_factory=list)


def load(path: Path) -> dict:
    config = json.loads(path.read_text())
    for section in ("artifacts", "executions", "deployments"):
        config.setdefault(section, [])
    return config


def application_name(config: dict, override: Optional[str]) -> Optional[str]:
    return override or (config.get("application") or {}).get("name")


def needed_executables(config: dict) -> List[str]:
    return [spec["configuration"]["executable_id"] for spec in config["executions"] + config["deployments"]]


def plan(config: dict, application: Optional[str], cleanup: bool, resource_group: str) -> List[str]:
    """What apply would do, in order, as sentences (for --dry-run)."""
    steps = [f"create resource group {resource_group} unless it exists, and wait until it is PROVISIONED"]
    if cleanup:
        steps.append("stop and delete the resource group's executions and deployments")
    if application:
        steps.append(f"refresh application {application} and wait for its sync "
                     f"(needs executables {', '.join(needed_executables(config))})")
    for a in config["artifacts"]:
        steps.append(f"artifact {a['key']}: reuse or create {a['kind']} '{a['name']}' at {a['url']}")
    for kind in ("executions", "deployments"):
        for spec in config[kind]:
            c = spec["configuration"]
            steps.append(f"configuration '{c['name']}' ({c['scenario_id']}/{c['executable_id']}): reuse or create; "
                         f"start {'an execution' if kind == 'executions' else 'a deployment'} and follow its logs until {spec['wait_for_status']}")
    return steps


def ensure_resource_group(client: Client, timeout: float = 120) -> bool:
    """The seed creates its resource group on every run; do so only when missing (True), then wait until it is
    PROVISIONED: runs in a group that is still provisioning are refused."""
    group = client.settings.resource_group
    path = f"/admin/resourceGroups/{group}"
    try:
        status, created = client.get(path).get("status"), False
    except ApiError as error:
        if error.status != 404:
            raise
        client.post("/admin/resourceGroups", {"resourceGroupId": group})
        status, created = None, True
    deadline = time.monotonic() + timeout
    while status != "PROVISIONED":
        if status == "ERROR" or time.monotonic() > deadline:
            raise ApplyFailed(f"resource group {group} is {status or 'not provisioned'}"
                              + ("" if status == "ERROR" else f" after {timeout:.0f} s"), 4)
        time.sleep(1)
        status = client.get(path).get("status")
    return created


def ensure_application(client: Client, app: dict) -> None:
    """Only for the example's `application` section: register repository and application once."""
    names = [a.get("applicationName") for a in client.all("/admin/applications")]
    if app["name"] in names:
        return
    url = app["repository_url"]
    if url not in [r.get("url") for r in client.all("/admin/repositories")]:
        client.post("/admin/repositories", {"name": app["name"], "url": url, "username": "git",
                                            "password": "unused"})
    client.post("/admin/applications", {"applicationName": app["name"], "repositoryUrl": url,
                                        "revision": app.get("revision", "HEAD"), "path": app.get("path", ".")})


def check_sync(result: sync.SyncResult, needed: List[str]) -> None:
    """Stop when an executable this file needs is not in the cluster after the sync: then the broken files the sync
    reports are the reason (their messages name the file). Broken files that are not needed only warn."""
    present = {r.get("name") for r in result.synced}
    missing = [e for e in needed if e not in present]
    if not result.finished:
        raise ApplyFailed(f"application {result.application} did not finish syncing: {result.message}", 4)
    if missing:
        reasons = "; ".join(f"{r.get('name')}: {r.get('message')}" for r in result.broken) or result.message
        raise ApplyFailed(f"executables {', '.join(missing)} are not synced from application "
                          f"{result.application}: {reasons}", 4)


def ensure_artifact(client: Client, spec: dict) -> dict:
    """The seed's duplicate rule: same name, kind, url and scenario means the same artifact."""
    for existing in client.all("/lm/artifacts", scenarioId=spec["scenario_id"]):
        if (existing.get("name"), existing.get("kind"), existing.get("url")) == (spec["name"], spec["kind"],
                                                                                spec["url"]):
            return {"id": existing["id"], "created": False}
    body = {"name": spec["name"], "kind": spec["kind"], "url": spec["url"], "scenarioId": spec["scenario_id"]}
    if spec.get("description"):
        body["description"] = spec["description"]
    return {"id": client.post("/lm/artifacts", body)["id"], "created": True}


def _bindings_key(params: list, inputs: list) -> tuple:
    return (sorted((p["key"], str(p["value"])) for p in params),
            sorted((b["key"], b["artifactId"]) for b in inputs))


def ensure_configuration(client: Client, spec: dict, artifact_ids: Dict[str, str]) -> dict:
    """The seed's duplicate rule: same name, scenario, executable and bindings (order ignored) means the same."""
    params = [{"key": p["key"], "value": str(p["value"])} for p in spec.get("parameter_bindings", [])]
    inputs = [{"key": b["key"], "artifactId": artifact_ids[b["key"]]} for b in spec.get("input_artifact_bindings", [])]
    wanted = (spec["name"], spec["executable_id"], _bindings_key(params, inputs))
    for existing in client.all("/lm/configurations", scenarioId=spec["scenario_id"]):
        have = (existing.get("name"), existing.get("executableId"),
                _bindings_key(existing.get("parameterBindings") or [], existing.get("inputArtifactBindings") or []))
        if have == wanted:
            return {"name": spec["name"], "id": existing["id"], "created": False}
    created = client.post("/lm/configurations", {"name": spec["name"], "scenarioId": spec["scenario_id"],
                                                 "executableId": spec["executable_id"], "parameterBindings": params,
                                                 "inputArtifactBindings": inputs})
    return {"name": spec["name"], "id": created["id"], "created": True}


def cleanup(client: Client) -> List[dict]:
    removed = []
    for kind, path in runs.KINDS.items():
        for run in client.all(path):
            runs.remove(client, kind, run["id"])
            removed.append({"kind": kind, "id": run["id"]})
    return removed


def _output_artifact(execution: dict, name: str) -> str:
    for artifact in execution.get("outputArtifacts") or []:
        if artifact.get("name") == name:
            return artifact["id"]
    raise ApplyFailed(f"execution {execution['id']} has no output artifact named {name}", 4)


class Reporter:
    """What apply tells the user as it goes; the CLI gives a rich-printing one, tests may give a silent one."""

    def step(self, text: str) -> None: ...

    def log(self, kind: str, run_id: str, line: dict) -> None: ...

    def waiting(self, text: str) -> ContextManager[Callable[[str], None]]:
        """A context for a wait; yields a function that updates what is being waited for."""
        return nullcontext(lambda line: None)


def apply(client: Client, config: dict, application: Optional[str], do_cleanup: bool,
          report: Reporter) -> Outcome:
    outcome = Outcome(resource_group=client.settings.resource_group, application=application)
    with report.waiting(f"resource group {outcome.resource_group}"):
        created = ensure_resource_group(client)
    if created:
        report.step(f"resource group {outcome.resource_group} created")
    if do_cleanup:
        outcome.cleaned = cleanup(client)
        report.step(f"cleaned up {len(outcome.cleaned)} previous run(s)")
    if application:
        if config.get("application") and config["application"].get("name") == application:
            ensure_application(client, config["application"])
        with report.waiting(f"syncing application {application}"):
            result = sync.refresh(client, application, wait=True)
        for bad in result.broken:
            report.step(f"[yellow]sync error[/] {bad.get('name')}: {bad.get('message')}")
        check_sync(result, needed_executables(config))
        report.step(f"application {application} synced at {result.revision[:12]}")
    artifact_ids: Dict[str, str] = {}
    for spec in config["artifacts"]:
        found = ensure_artifact(client, spec)
        artifact_ids[spec["key"]] = found["id"]
        outcome.artifacts[spec["key"]] = found
        report.step(f"artifact {spec['key']}: {'created' if found['created'] else 'reused'} {found['id']}")
    executions: List[dict] = []
    for kind in ("execution", "deployment"):
        for spec in config[kind + "s"]:
            for binding in spec["configuration"].get("input_artifact_bindings", []):
                if "from_execution" in binding:  # the model an execution of this same apply produced
                    artifact_ids[binding["key"]] = _output_artifact(executions[binding["from_execution"]],
                                                                    binding["key"])
            conf = ensure_configuration(client, spec["configuration"], artifact_ids)
            outcome.configurations.append(conf)
            report.step(f"configuration '{conf['name']}': {'created' if conf['created'] else 'reused'} {conf['id']}")
            run_id = client.post(runs.KINDS[kind], {"configurationId": conf["id"]})["id"]
            report.step(f"{kind} {run_id} started; following its logs until {spec['wait_for_status']}")
            with report.waiting(f"{kind} {run_id} started") as update:
                final = runs.follow(client, kind, run_id, lambda line, k=kind, r=run_id: report.log(k, r, line),
                                    until=spec["wait_for_status"], on_status=update)
            record = {"kind": kind, "id": run_id, "status": final.get("status"),
                      "statusMessage": final.get("statusMessage"), "deploymentUrl": final.get("deploymentUrl")}
            outcome.runs.append(record)
            if kind == "execution":
                executions.append(final)
            if final.get("status") != spec["wait_for_status"]:
                raise ApplyFailed(f"{kind} {run_id} ended {final.get('status')} instead of "
                                  f"{spec['wait_for_status']}: {final.get('statusMessage') or 'no status message'}",
                                  4)
            report.step(f"{kind} {run_id} is {final['status']}"
                        + (f" at {final['deploymentUrl']}" if final.get("deploymentUrl") else ""))
    return outcome
