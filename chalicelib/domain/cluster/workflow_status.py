"""An Argo Workflow's status as the AI API reports an execution: status, statusMessage, statusDetails.

Argo's shape (docs/fields.md, WorkflowStatus / NodeStatus): `status.phase` is empty until the controller took the
Workflow, then Pending, Running, Succeeded, Failed or Error; `status.message` says why it ended badly (often only
"child 'x' failed", so the failing step's own message is the one worth showing); `status.nodes` maps node ids to
{name, displayName, type, templateName, phase, message, startedAt, finishedAt, children, outputs}. Node names are
`<workflow>[0].step` (a steps group), `<workflow>.task` (a DAG task), `...step(0:item)` (a loop child) and
`...step(1)` (the second attempt, a child of the step's Retry node). A stop (`spec.shutdown: Terminate` or `Stop`)
ends the Workflow Failed with "Stopped with strategy 'Terminate'".

statusDetails has the local engine's shape (adapters/local/step_details.py): {"steps": [{name, pod, status, attempt,
exitCode, message, startedAt, finishedAt}]}, one entry per step under the local walk's names: the entrypoint
template's name, then the steps' and tasks' names joined with '.' (`main.train`, `main.print(0:a)`).
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Dict, List, Optional, Tuple

from ..clock import to_wire
from ..lifecycle import Status
from .progress import Progress

COMPLETED_MESSAGE = "Execution completed."
STOPPED_MESSAGE = "Execution stopped."
SUBMITTED_MESSAGE = "Submitted to the cluster; waiting for Argo Workflows to start it."
STOP_MARK = "Stopped with strategy"
FAILED_PHASES = ("Failed", "Error")
LEAF_TYPES = ("Pod", "Container", "Suspend", "Skipped", "HTTP", "Plugin")
NODE_NAME_ANNOTATION = "workflows.argoproj.io/node-name"
_GROUP = re.compile(r"\[\d+\]")
_ATTEMPT = re.compile(r"\(\d+\)$")


def execution_progress(workflow: Dict[str, Any], execution_id: Optional[str] = None,
                       pods: Optional[Dict[str, str]] = None) -> Progress:
    """`workflow`: the Workflow as the API server returns it. `execution_id`: the local engine's name of the
    exit handler's subtree (`<executionId>.onExit`); the Workflow's name when not given. `pods`: node name -> pod
    name as the pods' `workflows.argoproj.io/node-name` annotation says (pod_names); Argo's naming rule otherwise."""
    status = workflow.get("status") or {}
    phase = status.get("phase") or ""
    details = step_details(workflow, execution_id, pods)
    outputs = global_outputs(workflow)
    terminated = is_terminated(workflow)
    if phase == "Succeeded":
        return Progress(Status.COMPLETED, COMPLETED_MESSAGE, details, outputs, terminated)
    if phase in FAILED_PHASES:
        if terminated:
            return Progress(Status.STOPPED, STOPPED_MESSAGE, details, outputs, True)
        return Progress(Status.DEAD, failure_message(workflow, execution_id), details, outputs)
    if not phase:
        return Progress(Status.PENDING, SUBMITTED_MESSAGE, details, outputs, terminated)
    return Progress(Status.RUNNING, None, details, outputs, terminated)


def is_terminated(workflow: Dict[str, Any]) -> bool:
    spec = workflow.get("spec") or {}
    message = (workflow.get("status") or {}).get("message") or ""
    return bool(spec.get("shutdown")) or message.startswith(STOP_MARK)


# -- the failing step --------------------------------------------------------------------------------------------
def failure_message(workflow: Dict[str, Any], execution_id: Optional[str] = None) -> str:
    """Which step decided the end and why, worded as the local engine words it (interpreter.py `_message`):
    "Step 'main.train' failed: Error (exit code 1)". Argo's own status.message when no step failed."""
    status = workflow.get("status") or {}
    tree = _Tree(workflow, execution_id)
    # A failure that a later attempt or a continueOn got past has an ancestor that succeeded: not the cause.
    failed = [n for n in tree.nodes.values() if n.get("phase") in FAILED_PHASES and tree.is_leaf(n)
              and not tree.recovered(n) and tree.latest_attempt(n)]
    if failed:
        node = min(failed, key=lambda n: (n.get("finishedAt") or "~", n.get("name") or ""))
        path = tree.path(node)
        verb = "failed" if node.get("phase") == "Failed" else "errored"
        message = node.get("message") or ""
        attempts = tree.attempt(node)
        if attempts > 1:
            message = f"{message}; no more retries left after {attempts} attempts"
        return f"Step '{path}' {verb}: {message}" if message else f"Step '{path}' {verb}."
    message = status.get("message")
    if message:
        return f"The workflow ended {status.get('phase')}: {message}"
    return f"The workflow ended {status.get('phase') or 'without a phase'}."


# -- statusDetails -----------------------------------------------------------------------------------------------
def step_details(workflow: Dict[str, Any], execution_id: Optional[str] = None,
                 pods: Optional[Dict[str, str]] = None) -> Optional[Dict[str, Any]]:
    """statusDetails: {"steps": [...]}, one entry per step path (its latest attempt); None before any node."""
    tree = _Tree(workflow, execution_id, pods)
    if not tree.nodes:
        return None
    terminated = is_terminated(workflow)
    steps: Dict[str, Dict[str, Any]] = {}
    leaves = [n for n in tree.nodes.values() if n.get("type") in LEAF_TYPES or n.get("phase") == "Omitted"]
    for node in sorted(leaves, key=lambda n: (n.get("startedAt") or "~", n.get("name") or "")):
        path = tree.path(node)
        entry = {"name": path}
        finished = bool(node.get("finishedAt")) or node.get("phase") in ("Succeeded", "Failed", "Error",
                                                                           "Skipped", "Omitted")
        if node.get("type") in ("Pod", "Container"):
            entry["pod"] = tree.pod_name(node)
            entry["attempt"] = tree.attempt(node)
        state = node.get("phase") or "Running"
        if state == "Pending":
            state = "Running"  # the local engine reports a step Running from the moment its pod is prepared
        if terminated and state in FAILED_PHASES and STOP_MARK in (node.get("message") or "") or (
                terminated and state in FAILED_PHASES and "terminated" in (node.get("message") or "").lower()):
            state = "Stopped"
        entry["status"] = state
        exit_code = _exit_code(node)
        if finished and exit_code is not None:
            entry["exitCode"] = exit_code
        if node.get("message") and state not in ("Succeeded", "Running", "Stopped"):  # a stop is its own reason
            entry["message"] = node["message"]
        # a step that never ran (skipped, omitted) is reported once, when it is decided: no start, as locally
        never_ran = node.get("type") == "Skipped" or node.get("phase") in ("Skipped", "Omitted")
        started = None if never_ran else _wire(node.get("startedAt"))
        if started:
            entry["startedAt"] = started
        if finished:
            entry["finishedAt"] = _wire(node.get("finishedAt")) or started or _wire(node.get("startedAt"))
        previous = steps.get(path)
        if previous is None or entry.get("attempt", 0) >= previous.get("attempt", 0):
            steps[path] = entry
    return {"steps": list(steps.values())}


def global_outputs(workflow: Dict[str, Any]) -> Dict[str, str]:
    """Output artifacts with a globalName the Workflow produced: name -> their S3 key (status.outputs.artifacts,
    where Argo lists global outputs; the nodes' own outputs as a fallback)."""
    status = workflow.get("status") or {}
    found: Dict[str, str] = {}
    for node in (status.get("nodes") or {}).values():
        if not isinstance(node, dict) or node.get("phase") != "Succeeded":
            continue
        for artifact in (node.get("outputs") or {}).get("artifacts") or []:
            if isinstance(artifact, dict) and artifact.get("globalName"):
                found[str(artifact["globalName"])] = str((artifact.get("s3") or {}).get("key") or "")
    for artifact in (status.get("outputs") or {}).get("artifacts") or []:
        if isinstance(artifact, dict) and artifact.get("name"):
            found[str(artifact["name"])] = str((artifact.get("s3") or {}).get("key") or "")
    return found


def pods_ended(workflow: Dict[str, Any]) -> List[Tuple[str, str]]:
    """(step path, pod name) of every pod node that has finished: their logs can be archived."""
    tree = _Tree(workflow)
    return [(tree.path(n), tree.pod_name(n)) for n in tree.nodes.values()
            if n.get("type") in ("Pod", "Container") and n.get("finishedAt")]


# -- names -------------------------------------------------------------------------------------------------------
def pod_names(pods: List[Dict[str, Any]]) -> Dict[str, str]:
    """Node name -> pod name, from the pods Argo made (each annotated with its node's name)."""
    found: Dict[str, str] = {}
    for pod in pods:
        meta = pod.get("metadata") or {}
        node = (meta.get("annotations") or {}).get(NODE_NAME_ANNOTATION)
        if node and meta.get("name"):
            found[str(node)] = str(meta["name"])
    return found


class _Tree:
    def __init__(self, workflow: Dict[str, Any], execution_id: Optional[str] = None,
                 pods: Optional[Dict[str, str]] = None):
        self.pods = pods or {}
        meta = workflow.get("metadata") or {}
        self.name = str(meta.get("name") or "")
        self.entry = str((workflow.get("spec") or {}).get("entrypoint") or self.name)
        self.exit_root = execution_id or self.name
        self.v1 = (meta.get("annotations") or {}).get("workflows.argoproj.io/pod-name-format") == "v1"
        nodes = (workflow.get("status") or {}).get("nodes") or {}
        self.nodes: Dict[str, Dict[str, Any]] = {k: v for k, v in nodes.items() if isinstance(v, dict)}
        self.parents: Dict[str, str] = {}
        for node_id, node in self.nodes.items():
            for child in node.get("children") or []:
                self.parents.setdefault(child, node_id)

    def _id(self, node: Dict[str, Any]) -> str:
        return str(node.get("id") or next((k for k, v in self.nodes.items() if v is node), ""))

    def parent(self, node: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        return self.nodes.get(self.parents.get(self._id(node), ""))

    def parent_type(self, node: Dict[str, Any]) -> str:
        return str((self.parent(node) or {}).get("type") or "")

    def recovered(self, node: Dict[str, Any]) -> bool:
        seen = set()
        parent = self.parent(node)
        while parent is not None and self._id(parent) not in seen:
            if parent.get("phase") == "Succeeded":
                return True
            seen.add(self._id(parent))
            parent = self.parent(parent)
        return False

    def is_leaf(self, node: Dict[str, Any]) -> bool:
        return not node.get("children") or node.get("type") in LEAF_TYPES

    def latest_attempt(self, node: Dict[str, Any]) -> bool:
        """False for an attempt a later one of the same Retry node followed."""
        parent = self.parent(node)
        if parent is None or parent.get("type") != "Retry":
            return True
        children = parent.get("children") or []
        return not children or children[-1] == self._id(node)

    def attempt(self, node: Dict[str, Any]) -> int:
        parent = self.parent(node)
        if parent is not None and parent.get("type") == "Retry":
            children = parent.get("children") or []
            node_id = self._id(node)
            return children.index(node_id) + 1 if node_id in children else 1
        return 1

    def path(self, node: Dict[str, Any]) -> str:
        """The local walk's name of the step: entrypoint + steps/tasks, without group indexes or attempts."""
        name = str(node.get("name") or "")
        if self.parent_type(node) == "Retry":
            name = _ATTEMPT.sub("", name)
        rest = name[len(self.name):] if name.startswith(self.name) else name
        rest = _GROUP.sub("", rest)
        root = self.exit_root if rest.startswith(".onExit") else self.entry
        return f"{root}{rest}"

    def pod_name(self, node: Dict[str, Any]) -> str:
        """Argo's pod name for a node (workflow/util/pod_name.go): v2 `<workflow>-<template>-<fnv32a(node
        name)>`, v1 the node id."""
        name = str(node.get("name") or "")
        if name in self.pods:
            return self.pods[name]
        if self.v1:
            return self._id(node)
        if name == self.name:
            return self.name
        prefix = self.name
        if node.get("templateName"):
            prefix = f"{prefix}-{node['templateName']}"
        return f"{prefix[:242]}-{fnv32a(name)}"


def fnv32a(text: str) -> int:
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def _exit_code(node: Dict[str, Any]) -> Optional[int]:
    code = (node.get("outputs") or {}).get("exitCode")
    try:
        return int(code) if code not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _wire(stamp: Any) -> Optional[str]:
    """Argo's RFC 3339 time in the local engine's wire format."""
    if not stamp:
        return None
    try:
        return to_wire(datetime.fromisoformat(str(stamp).replace("Z", "+00:00")))
    except ValueError:
        return str(stamp)
