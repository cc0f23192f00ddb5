"""The walk of an Argo Workflow, as Argo's controller does it, for any engine that can run one pod (pods.py).

`WorkflowRun(document, parameters, runner, run_id).run()` binds the workflow's arguments to the entrypoint, walks
`steps` (groups in order, steps of a group in parallel) and `dag` tasks (enhanced `depends`), expands loops,
evaluates `when`, passes parameters, results and artifacts between steps, retries with backoff, enforces
deadlines and runs exit handlers. Every placeholder is resolved before a pod starts; one that cannot be is an
error naming it (expressions.py), never text handed to a step. The composite templates live in composites.py.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Iterable, List, Optional

from . import composites, leaves
from .backoff import seconds
from .defaults import with_template_defaults
from .expressions import evaluate, substitute
from .nodes import Frame, Node, failure_entry
from .parameters import check_enum, declared_parameters, parameter_values
from .values import text as _text
from .pods import (ERROR, FAILED, SUCCEEDED, ArtifactInput, Cancelled, PodRequest, PodRunner, StoredArtifact,
                   WorkflowError)

MAX_DEPTH = 100  # recursion (a template calling itself) as deep as real runs go; a runaway ends with a message
MAX_PODS = 32
STRFTIME = "aAbBcCdDeFHIjmMpSuUwWyYzZ"  # this host's own limit on pods at once (Argo's is the cluster's)
ARTIFACT_REF = ("steps.", "tasks.", "inputs.artifacts.", "workflow.artifacts.", "workflow.outputs.artifacts.")


def now_text() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class RunOutcome:
    phase: str  # SUCCEEDED, FAILED or ERROR
    message: str
    outputs: Dict[str, str] = field(default_factory=dict)  # workflow.outputs.parameters


class WorkflowRun:
    def __init__(self, document: Dict[str, Any], parameters: Dict[str, str], runner: PodRunner, run_id: str, *,
                 bindings: Iterable[str] = (), cancelled: Optional[threading.Event] = None,
                 on_node: Optional[Callable[[str, Dict[str, Any]], None]] = None, namespace: str = "default",
                 max_pods: int = MAX_PODS):
        document = with_template_defaults(document)
        self.document = document
        self.spec = document.get("spec") or {}
        self.runner = runner
        self.run_id = run_id
        self.bindings = set(bindings)  # AI Core: inputArtifactBindings keys of the configuration
        self.cancelled = cancelled or threading.Event()
        self.on_node = on_node or (lambda path, details: None)
        self.templates = {t.get("name"): t for t in self.spec.get("templates") or [] if isinstance(t, dict)}
        self.entry = self.spec.get("entrypoint")
        if self.entry not in self.templates:
            raise WorkflowError(f"The entrypoint '{self.entry}' is not one of the templates.")
        self._lock = threading.Lock()
        self._seq = 0
        self._failures: List[Node] = []
        self.global_artifacts: Dict[str, ArtifactInput] = {}  # workflow.outputs.artifacts.<globalName>
        self._pods = threading.BoundedSemaphore(max_pods)
        parallelism = self.spec.get("parallelism")
        self._parallel = threading.BoundedSemaphore(int(parallelism)) if parallelism else None
        self.globals = self._workflow_globals(document, parameters, namespace)
        self._started = time.monotonic()
        limit = self.spec.get("activeDeadlineSeconds")
        self.deadline = self._started + float(limit) if limit not in (None, "") else None
        volumes = self.spec.get("volumes") or []
        self.volumes = [v for v in volumes if isinstance(v, dict)]
        self.run_volumes = [str((c.get("metadata") or {}).get("name")) for c in
                            self.spec.get("volumeClaimTemplates") or [] if isinstance(c, dict)]

    # -- the run ------------------------------------------------------------------------------------------
    def run(self) -> RunOutcome:
        """The workflow's end (Succeeded, Failed or Error); raises Cancelled when stopped."""
        entry = Node(self.entry, display=self.run_id, template=self.entry)
        arguments = self.spec.get("arguments") or {}
        params = {p["name"]: self.globals[f"workflow.parameters.{p['name']}"]
                  for p in arguments.get("parameters") or [] if f"workflow.parameters.{p.get('name')}" in self.globals}
        artifacts = {a["name"]: ArtifactInput(a["name"], "", binding=a["name"])
                     for a in arguments.get("artifacts") or [] if a.get("name") in self.bindings}
        frame = Frame({}, {f"workflow.artifacts.{n}": a for n, a in artifacts.items()}, 0, self.deadline)
        entry_artifacts = dict(artifacts)
        try:  # an argument with its own source (`raw`, `s3.key`) goes to the entrypoint's input of that name
            for a in arguments.get("artifacts") or []:
                if isinstance(a, dict) and a.get("name") and a["name"] not in entry_artifacts:
                    own = self.declared_artifact(a, dict(self.globals), "spec.arguments.artifacts")
                    if own is not None:
                        entry_artifacts[a["name"]] = own
        except WorkflowError as err:
            entry.phase, entry.message = ERROR, str(err)
        else:
            self.invoke(self.templates[self.entry], params, entry_artifacts, entry, frame)
        phase, message = entry.phase, self._message(entry)
        if self.deadline is not None and time.monotonic() >= self.deadline and phase != SUCCEEDED:
            phase, message = FAILED, (f"The workflow ran longer than spec.activeDeadlineSeconds "
                                      f"({self.spec.get('activeDeadlineSeconds')} s): {message}")
        exit_name = self.spec.get("onExit")
        if exit_name:
            phase, message = self._workflow_exit(str(exit_name), phase, message)
        outputs = {k.split(".", 3)[3]: v for k, v in self.globals.items()
                   if k.startswith("workflow.outputs.parameters.")}
        return RunOutcome(phase, message, outputs)

    def _workflow_exit(self, name: str, phase: str, message: str):
        with self._lock:
            self.globals.update({
                "workflow.status": phase,
                # Argo hands the JSON list over Go-quoted (strconv.Quote), so that `sh -c "echo {{...}}"` prints it
                "workflow.failures": json.dumps(json.dumps([failure_entry(n) for n in self._failures],
                                                           separators=(",", ":")), ensure_ascii=False),
                "workflow.duration": f"{time.monotonic() - self._started:.6f}"})
        node = Node(f"{self.run_id}.onExit", display=f"{self.run_id}.onExit", template=name)
        self.invoke(self.template(name, node.name), {}, {}, node, Frame({}, {}, 0, None))
        if node.phase != SUCCEEDED and phase == SUCCEEDED:
            return node.phase, f"The exit handler failed: {self._message(node)}"
        return phase, message

    @staticmethod
    def _message(node: Node) -> str:
        """The statusMessage: which step decided the end, and why (Argo's own words for a pod's end)."""
        if node.phase == SUCCEEDED:
            return ""
        cause = node.cause or node
        verb = "failed" if cause.phase == FAILED else "errored"
        if cause.pod:
            return f"Step '{cause.name}' {verb}: {cause.message}" if cause.message else f"Step '{cause.name}' {verb}."
        return f"Step '{cause.name}': {cause.message}" if cause.message else f"Step '{cause.name}' {verb}."

    # -- names -----------------------------------------------------------------------------------------
    def _workflow_globals(self, document, bound: Dict[str, str], namespace: str) -> Dict[str, Any]:
        meta = document.get("metadata") or {}
        values: Dict[str, Any] = {"workflow.name": self.run_id, "workflow.uid": self.run_id,
                                  "workflow.namespace": namespace, "workflow.mainEntrypoint": self.entry,
                                  "workflow.status": "Running"}
        created = datetime.now(timezone.utc)
        values["workflow.creationTimestamp"] = created.strftime("%Y-%m-%dT%H:%M:%SZ")
        for letter in STRFTIME:  # {{workflow.creationTimestamp.Y}} and the like, as Argo offers them
            values[f"workflow.creationTimestamp.{letter}"] = created.strftime(f"%{letter}")
        values["workflow.creationTimestamp.s"] = str(int(created.timestamp()))
        for key in ("labels", "annotations"):
            for name, value in (meta.get(key) or {}).items():
                values[f"workflow.{key}.{name}"] = str(value)
        declared = declared_parameters(self.spec)
        params = parameter_values(self.spec, bound)
        values.update({f"workflow.parameters.{k}": v for k, v in params.items()})
        # Values may refer to other workflow parameters ("{{workflow.parameters.a}}-x"): resolved once, in order.
        for p in declared:
            key = f"workflow.parameters.{p['name']}"
            values[key] = substitute(values[key], values)
            check_enum(p, values[key], f"spec.arguments.{p['name']}")
        values["workflow.parameters"] = json.dumps(
            [{"name": k, "value": values[f"workflow.parameters.{k}"]} for k in params], separators=(",", ":"))
        return values

    def scope(self, frame: Frame, extra: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        with self._lock:
            merged = dict(self.globals)
        merged.update(frame.scope)
        if extra:
            merged.update(extra)
        return merged

    def set_global(self, key: str, value: Any) -> None:
        with self._lock:
            self.globals[key] = value

    def template(self, name: Any, where: str) -> Dict[str, Any]:
        template = self.templates.get(name)
        if template is None:
            raise WorkflowError(f"'{where}' names template '{name}', which the workflow does not define.")
        return template

    def check_cancelled(self) -> None:
        if self.cancelled.is_set():
            raise Cancelled()

    def record_failure(self, node: Node) -> None:
        with self._lock:
            self._failures.append(node)

    # -- one template ----------------------------------------------------------------------------------
    def invoke(self, template: Dict[str, Any], params: Dict[str, str], artifacts: Dict[str, ArtifactInput],
               node: Node, parent: Frame) -> None:
        """Run `template` for `node`, its inputs bound from the caller's arguments; fills node's phase and outputs.
        A problem with the template itself ends the node in Error with the message (the parent decides)."""
        self.check_cancelled()
        node.template = node.template or str(template.get("name") or "")
        node.started_at = node.started_at or now_text()
        try:
            if parent.depth >= MAX_DEPTH:
                raise WorkflowError(f"Templates call each other more than {MAX_DEPTH} levels deep, at template "
                                    f"'{template.get('name')}' (a recursion that never stops?).")
            frame = self._bind_inputs(template, params, artifacts, node.name, parent)
            if "steps" in template:
                composites.run_steps(self, template, node, frame)
            elif "dag" in template:
                composites.run_dag(self, template, node, frame)
            elif "container" in template or "script" in template:
                leaves.run_container(self, template, node, frame)
            elif "suspend" in template:
                leaves.suspend(self, template, node, frame)
            else:
                raise WorkflowError(f"Template '{template.get('name')}' has no steps, dag, container, script or "
                                    "suspend: the local engine cannot run it.")
        except WorkflowError as err:
            node.phase, node.message = ERROR, str(err)
            self.record_failure(node)
            self.on_node(node.name, {"status": ERROR, "message": node.message, "finished": True})
        node.finished_at = now_text()

    def _bind_inputs(self, template, params, artifacts, where, parent: Frame) -> Frame:
        inputs = template.get("inputs") or {}
        names: Dict[str, Any] = {}
        outer = self.scope(Frame({}, {}, 0, None))  # defaults may name workflow parameters
        listed = []
        for p in inputs.get("parameters") or []:
            name = p.get("name")
            if name in params:
                value = params[name]
            elif p.get("value") is not None or p.get("default") is not None:
                value = substitute(_text(p.get("value", p.get("default"))), outer)
            else:
                raise WorkflowError(f"'{where}': inputs.parameters.{name} was not supplied (give the step an "
                                    f"argument '{name}' or the template a default).")
            check_enum(p, value, f"'{where}': inputs.parameters.{name}")
            names[f"inputs.parameters.{name}"] = value
            listed.append({"name": name, "value": value})
        names["inputs.parameters"] = json.dumps(listed, separators=(",", ":"))
        refs: Dict[str, ArtifactInput] = {}
        for a in inputs.get("artifacts") or []:
            name, path = a.get("name"), str(a.get("path") or "")
            source = artifacts.get(name) or self.declared_artifact(a, outer, where)
            if source is None and name in self.bindings:
                source = ArtifactInput(name, path, binding=name)
            if source is None:
                if a.get("optional"):
                    continue
                raise WorkflowError(f"'{where}': input artifact '{name}' has no source: pass it from a step "
                                    f"(arguments.artifacts with from) or bind it in the configuration "
                                    f"(inputArtifactBindings key '{name}').")
            refs[f"inputs.artifacts.{name}"] = replace(source, name=name, path=path, mode=a.get("mode"),
                                                       optional=bool(a.get("optional")))
            names[f"inputs.artifacts.{name}.path"] = path
        refs.update({k: v for k, v in parent.artifacts.items() if k.startswith("workflow.")})
        deadline = parent.deadline
        limit = template.get("timeout")
        if limit not in (None, ""):
            own = time.monotonic() + seconds(substitute(str(limit), {**outer, **names}), f"'{where}' timeout")
            deadline = own if deadline is None else min(deadline, own)
        return Frame(names, refs, parent.depth + 1, deadline)

    def declared_artifact(self, spec: Dict[str, Any], scope: Dict[str, Any], where: str) -> Optional[ArtifactInput]:
        """An artifact's own source: raw data, a key in the artifact repository, or `from`/`fromExpression`."""
        name = str(spec.get("name") or "")
        if isinstance(spec.get("raw"), dict):
            return ArtifactInput(name, "", raw=substitute(_text(spec["raw"].get("data", "")), scope))
        key = (spec.get("s3") or {}).get("key") if isinstance(spec.get("s3"), dict) else None
        if key:
            key = substitute(str(key), scope)
            key = key.rstrip("/") or key  # a folder's key, with or without its trailing '/'
            # Argo's executor unpacks what the key holds when it is a tarball, unless the artifact says
            # `archive: none` (workflow/executor/executor.go, unarchiveArtifact); a key naming a folder is one
            archive = spec.get("archive") if isinstance(spec.get("archive"), dict) else {}
            return ArtifactInput(name, "", stored=StoredArtifact(key, archived="none" not in archive))
        return None

    def artifact_from(self, spec: Dict[str, Any], frame: Frame, scope: Dict[str, Any], where: str
                      ) -> Optional[ArtifactInput]:
        """`from: "{{steps.x.outputs.artifacts.y}}"` or `fromExpression`, looked up among the frame's artifacts."""
        if spec.get("from"):
            ref = str(spec["from"]).strip()
            key = ref[2:-2].strip() if ref.startswith("{{") and ref.endswith("}}") else ref
            with self._lock:
                found = frame.artifacts.get(key) or self.global_artifacts.get(key)
            if found is None:
                raise WorkflowError(f"'{where}': artifact '{spec.get('name')}' comes from '{ref}', which names no "
                                    "artifact produced so far.")
            return found
        if spec.get("fromExpression"):
            markers = {f"\u2063art{i}\u2063": a for i, a in enumerate(frame.artifacts.values())}
            names = dict(scope)
            for marker, (key, _) in zip(markers, frame.artifacts.items()):
                names[key] = marker
            value = evaluate(str(spec["fromExpression"]), names)
            if value not in markers:
                raise WorkflowError(f"'{where}': fromExpression '{spec['fromExpression']}' did not name an artifact.")
            return markers[value]
        return self.declared_artifact(spec, scope, where)

    # -- leaves ----------------------------------------------------------------------------------------
    def pod_name(self, template_name: str) -> str:
        with self._lock:
            self._seq += 1
            seq = self._seq
        return f"{self.run_id}-{template_name[:30]}-{seq}"[:63].rstrip("-.")

    def run_pod(self, request: PodRequest):
        self._pods.acquire()
        if self._parallel is not None:
            self._parallel.acquire()
        try:
            self.check_cancelled()
            return self.runner.run_pod(request)
        finally:
            if self._parallel is not None:
                self._parallel.release()
            self._pods.release()

    def publish_outputs(self, template: Dict[str, Any], node: Node, scope: Dict[str, Any], frame: Frame) -> None:
        """A steps/dag template's own outputs, from its children (`valueFrom.parameter`, `expression`, `from`)."""
        outputs = template.get("outputs") or {}
        for p in outputs.get("parameters") or []:
            source = p.get("valueFrom") or {}
            try:
                if "expression" in source:
                    value = _text(evaluate(str(source["expression"]), scope))
                elif "parameter" in source:
                    value = substitute(str(source["parameter"]), scope)
                else:
                    value = substitute(_text(p.get("value", "")), scope)
            except WorkflowError:
                fallback = source.get("default", p.get("default"))
                if fallback is None:
                    raise
                value = _text(fallback)
            node.parameters[p["name"]] = value
        for a in outputs.get("artifacts") or []:
            found = self.artifact_from(a, frame, scope, node.name)
            if found is not None:
                node.artifacts[f"outputs.artifacts.{a['name']}"] = found
        self.publish_globals(template, node)

    def publish_globals(self, template: Dict[str, Any], node: Node) -> None:
        outputs = template.get("outputs") or {}
        for p in outputs.get("parameters") or []:
            if p.get("globalName") and p.get("name") in node.parameters:
                self.set_global(f"workflow.outputs.parameters.{p['globalName']}", node.parameters[p["name"]])
        for a in outputs.get("artifacts") or []:
            found = node.artifacts.get(f"outputs.artifacts.{a.get('name')}")
            if a.get("globalName") and found is not None:
                with self._lock:
                    self.global_artifacts[f"workflow.outputs.artifacts.{a['globalName']}"] = found
