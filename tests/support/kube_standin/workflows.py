"""The stand-in's Argo Workflows controller: a submitted Workflow runs on a background thread, walked by the
project's own Argo interpreter (chalicelib/domain/argo/interpreter.py, the one the local engine uses) with a pod
runner that runs each container or script as a host process (processes.py: images ignored, no isolation) in a temp
folder, its artifacts read from and written to S3 at the locations the manifest names (artifacts.py).

Container paths. A step names absolute paths (`/tmp/out.txt`, an input artifact's `/data/in`); the host process
cannot own those, so every path the template declares (input and output artifact paths, output parameter paths,
volume mount paths) is mapped into the pod's temp folder and rewritten where it appears in command, args, script
source and env values. Paths the step builds at run time from other text are not seen.

What is recorded is what Argo's controller records (`status.phase`, `message`, `startedAt`, `finishedAt`,
`nodes`, `outputs`), with these simplifications: nodes are the root (Steps/DAG of the entrypoint), a Steps/DAG node per nested
steps/dag template, a Retry node per retried step, a Pod node per attempt and a Skipped node per skipped or omitted
step; Argo's StepGroup nodes (`[0]`) and loop parents are not listed and node names are `<workflow>.<step>...`
without Argo's `[i]` group indices; pod
names are the interpreter's `<workflow>-<template>-<n>` (the `{{pod.name}}` the step saw; Argo v2 uses a hash as
the last part). `spec.shutdown: Terminate` kills running pods and ends the Workflow Failed "Stopped with strategy
'Terminate'" (workflow/controller/operator.go). Pods stay after the end (Argo's default podGC) until a test calls
`gc_pods` or deletes the Workflow; their logs go with them.
"""
from __future__ import annotations

import copy
import threading
from typing import Any, Dict, List, Optional

from chalicelib.domain.argo.interpreter import WorkflowRun
from chalicelib.domain.argo.pods import (ERROR, FAILED, SUCCEEDED, Cancelled, PodRequest, WorkflowError)

from .api_server import Cluster
from .artifacts import S3Access
from .objects import now_text
from .processes import HostProcess
from .workflow_pods import TERMINATED, WORKFLOW_LABEL, PodSteps



def fnv32a(text: str) -> int:
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


class WorkflowController:
    def __init__(self, cluster: Cluster, s3: S3Access):
        self.cluster = cluster
        self.s3 = s3
        self.runs: Dict[tuple, "_WorkflowRunner"] = {}
        self.lock = threading.Lock()
        cluster.watchers.append(self._on_event)

    def _on_event(self, event: str, resource: str, namespace: str, name: str) -> None:
        if resource != "workflows":
            return
        key = (namespace, name)
        if event == "ADDED":
            manifest = self.cluster.objects.get(("workflows", namespace, name))
            runner = _WorkflowRunner(self, namespace, manifest)
            with self.lock:
                self.runs[key] = runner
            threading.Thread(target=runner.run, name=f"argo-{name}", daemon=True).start()
            return
        with self.lock:
            runner = self.runs.get(key)
        if runner is None:
            return
        if event == "DELETED":
            runner.stop()
            self.gc_pods(namespace, name)
            with self.lock:
                self.runs.pop(key, None)
        elif event == "MODIFIED":
            current = self.cluster.objects.get(("workflows", namespace, name)) or {}
            if (current.get("spec") or {}).get("shutdown") == "Terminate":
                runner.stop()

    def gc_pods(self, namespace: str, workflow: str) -> None:
        """Delete the Workflow's pods, their logs with them (what podGC or a node's end does on a real cluster)."""
        for pod in self.cluster.objects.list("pods", namespace, f"{WORKFLOW_LABEL}={workflow}"):
            pod_name = pod["metadata"]["name"]
            self.cluster.objects.delete(("pods", namespace, pod_name))
            self.cluster.logs.pop((namespace, pod_name), None)

    def wait(self, namespace: str, name: str, timeout: float = 60.0) -> None:
        """For tests: until the Workflow's run ended."""
        with self.lock:
            runner = self.runs.get((namespace, name))
        if runner is not None and not runner.done.wait(timeout):
            raise TimeoutError(f"workflow {namespace}/{name} still running after {timeout} s")

    def stop_all(self) -> None:
        with self.lock:
            runners = list(self.runs.values())
        for runner in runners:
            runner.stop()


class _WorkflowRunner(PodSteps):
    """One Workflow's run; the PodRunner the interpreter drives."""

    def __init__(self, controller: WorkflowController, namespace: str, manifest: Dict[str, Any]):
        self.controller = controller
        self.cluster = controller.cluster
        self.namespace = namespace
        self.manifest = manifest
        self.name = manifest["metadata"]["name"]
        spec = manifest.get("spec") or {}
        self.templates = {t.get("name"): t for t in spec.get("templates") or [] if isinstance(t, dict)}
        self.entry = spec.get("entrypoint")
        self.cancelled = threading.Event()
        self.done = threading.Event()
        self.lock = threading.RLock()
        self.processes: List[HostProcess] = []
        self.locations: Dict[str, Dict[str, Any]] = {}  # StoredArtifact.key -> the s3 location it stands for
        entry_kind = "DAG" if "dag" in self.templates.get(self.entry, {}) else "Steps"
        self.pod_entry = "container" in self.templates.get(self.entry, {}) or "script" in self.templates.get(
            self.entry, {})
        self.root_id = self.name
        self.status: Dict[str, Any] = {"phase": "Running", "startedAt": now_text(), "finishedAt": None,
                                       "progress": "0/0", "nodes": {}}
        if not self.pod_entry:
            self.status["nodes"][self.root_id] = self._node(self.root_id, self.name, self.name, entry_kind,
                                                            self.entry)

    # -- the run ----------------------------------------------------------------------------------------
    def run(self) -> None:
        self._publish()
        try:
            walk = WorkflowRun(copy.deepcopy(self.manifest), {}, self, self.name, cancelled=self.cancelled,
                               namespace=self.namespace, on_node=self._on_node)
            outcome = walk.run()
            phase, message = outcome.phase, outcome.message
            outputs: Dict[str, Any] = {}
            if outcome.outputs:
                outputs["parameters"] = [{"name": k, "value": v} for k, v in outcome.outputs.items()]
            artifacts = [{"name": key.rsplit(".", 1)[-1], "s3": self._location_of(found.stored)}
                         for key, found in walk.global_artifacts.items() if found.stored is not None]
            if artifacts:
                outputs["artifacts"] = artifacts
            if outputs:
                self.status["outputs"] = outputs
        except Cancelled:
            phase, message = FAILED, TERMINATED
        except WorkflowError as err:
            phase, message = ERROR, str(err)
        except Exception as err:  # noqa: BLE001 - the controller reports, as Argo's does, and goes on
            phase, message = ERROR, f"{type(err).__name__}: {err}"
        finally:
            self._kill_all()
        with self.lock:
            end = now_text()
            self._settle(self.root_id, end)
            for node in self.status["nodes"].values():
                if node["phase"] in ("Running", "Pending"):
                    node.update(phase=FAILED if phase == FAILED else phase, message=message or node.get("message"),
                                finishedAt=end)
            root = self.status["nodes"].get(self.root_id)
            if root is not None and root["phase"] not in (FAILED, ERROR, SUCCEEDED):
                root.update(phase=phase, finishedAt=end)
                if message:
                    root["message"] = message
            self.status.update(phase=phase, finishedAt=end)
            if message:
                self.status["message"] = message
        self._publish()
        self.done.set()

    def stop(self) -> None:
        self.cancelled.set()
        self._kill_all()

    def _kill_all(self) -> None:
        with self.lock:
            processes = list(self.processes)
        for process in processes:
            process.kill()

    # -- status ---------------------------------------------------------------------------------------------
    @staticmethod
    def _node(node_id, name, display, kind, template, phase="Running") -> Dict[str, Any]:
        return {"id": node_id, "name": name, "displayName": display, "type": kind, "templateName": template,
                "phase": phase, "startedAt": now_text(), "finishedAt": None}

    def _publish(self) -> None:
        with self.lock:
            nodes = self.status["nodes"]
            pods = [n for n in nodes.values() if n["type"] == "Pod"]
            self.status["progress"] = f"{sum(n['phase'] == SUCCEEDED for n in pods)}/{len(pods)}"
            status = copy.deepcopy(self.status)
        self.cluster.objects.update_status(("workflows", self.namespace, self.name), status)

    def _link(self, parent_id: str, child_id: str) -> None:
        parent = self.status["nodes"][parent_id]
        children = parent.setdefault("children", [])
        if child_id not in children:
            children.append(child_id)

    def _place(self, path: str):
        """(parent id, node name, display name, template) of the walk's node `path` ("main.a.t", "main.b(0:x)"),
        the steps/dag nodes between the root and it added as Argo lists them."""
        if path == self.entry:
            return None, self.name, self.name, self.templates.get(self.entry, {})
        for prefix in (f"{self.entry}.", f"{self.name}."):  # the walk's names; exit handlers hang off the run id
            if path.startswith(prefix):
                path = path[len(prefix):]
                break
        segments = _segments(path)
        parent, name, template = self.root_id, self.name, self.templates.get(self.entry, {})
        step: Optional[Dict[str, Any]] = None
        for depth, segment in enumerate(segments):
            if segment == "onExit":  # the workflow's exit handler, or the step's before it (onExit, hooks.exit)
                hook = ((step or {}).get("hooks") or {}).get("exit") or {}
                handler = (self.manifest.get("spec") or {}).get("onExit") if depth == 0 else \
                    (step or {}).get("onExit") or hook.get("template")
                step = {"template": handler}
            else:
                step = _find_step(template, segment.split("(", 1)[0])
            template = self.templates.get((step or {}).get("template"), {})
            name = f"{name}.{segment}"
            if depth == len(segments) - 1:
                return parent, name, segment, template
            node_id = f"{self.name}-{fnv32a(name)}"
            if node_id not in self.status["nodes"]:
                self.status["nodes"][node_id] = self._node(node_id, name, segment, _kind(template),
                                                           str(template.get("name") or ""))
                self._link(parent, node_id)
            parent = node_id
        return parent, name, name, template

    def _on_node(self, path: str, details: Dict[str, Any]) -> None:
        """What the walk reports besides pods: skipped and omitted steps, templates that errored."""
        phase = details.get("status")
        with self.lock:
            parent, name, display, template = self._place(path)
            node_id = self.root_id if name == self.name else f"{self.name}-{fnv32a(name)}"
            node = self.status["nodes"].get(node_id)
            if node is None:
                kind = "Skipped" if phase in ("Skipped", "Omitted") else _kind(template)
                node = self._node(node_id, name, display, kind, str(template.get("name") or ""), phase)
                self.status["nodes"][node_id] = node
                if parent:
                    self._link(parent, node_id)
            node["phase"] = phase
            if details.get("message"):
                node["message"] = details["message"]
            if details.get("finished"):
                node["finishedAt"] = now_text()
        self._publish()

    def _settle(self, node_id: str, end: str) -> str:
        """A steps/dag/retry node still open at the end takes its children's outcome."""
        node = self.status["nodes"].get(node_id)
        if node is None:
            return SUCCEEDED
        phases = [self._settle(child, end) for child in node.get("children", [])]
        if node["type"] in ("Steps", "DAG") and node["phase"] == "Running" and node_id != self.root_id:
            failed = next((p for p in phases if p in (FAILED, ERROR)), None)
            if failed or all(p in (SUCCEEDED, "Skipped", "Omitted") for p in phases):
                node.update(phase=failed or SUCCEEDED, finishedAt=end)
        return node["phase"]

    def _pod_node(self, request: PodRequest) -> Dict[str, Any]:
        template = str(request.template.get("name") or "")
        with self.lock:
            parent, node_name, display, _ = self._place(request.path)
            if "retryStrategy" in self.templates.get(template, {}):
                retry_id = f"{self.name}-{fnv32a(node_name)}" if node_name != self.name else self.root_id
                if retry_id not in self.status["nodes"]:
                    self.status["nodes"][retry_id] = self._node(retry_id, node_name, display, "Retry", template)
                    if parent:
                        self._link(parent, retry_id)
                parent = retry_id
                node_name, display = f"{node_name}({request.attempt - 1})", f"{display}({request.attempt - 1})"
            node_id = self.root_id if node_name == self.name else f"{self.name}-{fnv32a(node_name)}"
            node = self._node(node_id, node_name, display, "Pod", template)
            self.status["nodes"][node_id] = node
            if parent:
                self._link(parent, node_id)
            return node


def _segments(path: str) -> List[str]:
    """"a.b(0:x.y).c" -> ["a", "b(0:x.y)", "c"]: dots inside a loop item's label do not split."""
    parts, depth, current = [], 0, ""
    for char in path:
        if char == "." and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += (char == "(") - (char == ")")
        current += char
    return parts + [current]


def _find_step(template: Dict[str, Any], name: str) -> Optional[Dict[str, Any]]:
    steps = [s for group in template.get("steps") or [] for s in (group if isinstance(group, list) else [])]
    steps += (template.get("dag") or {}).get("tasks") or []
    return next((s for s in steps if isinstance(s, dict) and s.get("name") == name), None)


def _kind(template: Dict[str, Any]) -> str:
    for key, kind in (("steps", "Steps"), ("dag", "DAG"), ("suspend", "Suspend")):
        if key in template:
            return kind
    return "Pod"
