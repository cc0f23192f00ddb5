"""The stand-in's Argo pods: how a Workflow's step runs as a host process (the interpreter's PodRunner side of
workflows.py's runner): its Pod object, its container paths mapped into a temp folder, its inputs fetched and
outputs stored in S3, its end recorded on its node. See workflows.py's docstring for what is simplified."""
from __future__ import annotations

import os
import re
import tempfile
import time
from typing import Any, Dict, List, Optional

from chalicelib.domain.argo.pods import (ERROR, FAILED, SUCCEEDED, Cancelled, PodRequest, PodResult, StoredArtifact,
                                        WorkflowError)

from .objects import now_text
from .processes import HostProcess


WORKFLOW_LABEL = "workflows.argoproj.io/workflow"
TERMINATED = "Stopped with strategy 'Terminate'"


class PodSteps:
    """The PodRunner half of workflows.py's _WorkflowRunner (which it is mixed into: the node and status helpers,
    `cluster`, `namespace`, `cancelled` and the rest are the runner's)."""

    def suspend(self, seconds: float) -> None:
        if self.cancelled.wait(seconds):
            raise Cancelled()

    def run_pod(self, request: PodRequest) -> PodResult:
        node = self._pod_node(request)
        self._create_pod(request, node)
        self._publish()
        try:
            result = self._run(request, node)
        except Cancelled:
            self._end(request, node, FAILED, TERMINATED, None)
            raise
        self._end(request, node, result.phase, result.message, result)
        return result

    def _run(self, request: PodRequest, node: Dict[str, Any]) -> PodResult:
        body = request.template
        container = body.get("container") or body.get("script") or {}
        with tempfile.TemporaryDirectory(prefix=f"{request.pod}-") as root:
            paths = _PathMap(root, _declared_paths(request))
            try:
                for artifact in request.artifacts:
                    self._place_input(artifact, paths.host(artifact.path))
            except Exception as err:  # noqa: BLE001 - Argo's init container fails the pod with the reason
                return PodResult(ERROR, message=f"failed to load artifacts: {err}")
            argv = [paths.rewrite(str(a)) for a in (container.get("command") or [])]
            argv += [paths.rewrite(str(a)) for a in (container.get("args") or [])]
            if "script" in body:
                script = os.path.join(root, "script")
                with open(script, "w") as out:
                    out.write(paths.rewrite(str(container.get("source") or "")))
                argv = (argv or ["sh"]) + [script]
            if not argv:
                return PodResult(ERROR, message="the stand-in needs a command: images are not run, so an image's "
                                                "entrypoint is unknown")
            env = {}
            for item in container.get("env") or []:
                if "value" in item:
                    env[item["name"]] = paths.rewrite(str(item["value"]))
                elif (item.get("valueFrom") or {}).get("secretKeyRef"):
                    ref = item["valueFrom"]["secretKeyRef"]
                    value = self.controller.s3.secret_value(self.namespace, ref["name"], ref["key"])
                    if value is None and not ref.get("optional"):
                        return PodResult(ERROR, message=f'secret "{ref["name"]}" not found or has no key '
                                                        f'"{ref["key"]}"')
                    env[item["name"]] = value or ""
            workdir = paths.host(container["workingDir"]) if container.get("workingDir") else root
            os.makedirs(workdir, exist_ok=True)
            log = self.cluster.logs.setdefault((self.namespace, request.pod), [])
            process = HostProcess(argv, env, workdir, log)
            with self.lock:
                self.processes.append(process)
            started = time.monotonic()
            try:
                while not process.wait(0.05):
                    if self.cancelled.is_set():
                        process.kill()
                        raise Cancelled()
                    if request.timeout_seconds is not None and time.monotonic() - started > request.timeout_seconds:
                        process.kill()
                        return PodResult(FAILED, message="Pod was active on the node longer than the specified "
                                                         "deadline")
            finally:
                with self.lock:
                    self.processes.remove(process)
            if self.cancelled.is_set():
                raise Cancelled()
            code = process.exit_code
            result = "\n".join(process.stdout)
            if code != 0:
                return PodResult(FAILED, code, message=f"Error (exit code {code})", result=result)
            return self._outputs(request, paths, code, result)

    def _outputs(self, request: PodRequest, paths: "_PathMap", code: int, result: str) -> PodResult:
        outputs = request.template.get("outputs") or {}
        parameters: Dict[str, str] = {}
        for p in outputs.get("parameters") or []:
            source = (p.get("valueFrom") or {})
            if not source.get("path"):
                continue
            try:
                with open(paths.host(source["path"])) as handle:
                    parameters[p["name"]] = handle.read().rstrip("\n")
            except OSError:
                if source.get("default") is None:
                    return PodResult(ERROR, code, message=f"open {source['path']}: no such file or directory",
                                     result=result)
                parameters[p["name"]] = str(source["default"])
        artifacts: Dict[str, StoredArtifact] = {}
        for a in outputs.get("artifacts") or []:
            host = paths.host(str(a.get("path") or ""))
            if not a.get("path") or not os.path.exists(host):
                if a.get("optional"):
                    continue
                return PodResult(ERROR, code, message=f"failed to save outputs: {a.get('path')}: no such file or "
                                                      "directory", result=result)
            location = a.get("s3")
            if not isinstance(location, dict) or not location.get("bucket"):
                return PodResult(ERROR, code, message=f"output artifact '{a.get('name')}' has no S3 location (the "
                                                      "stand-in has no default artifact repository)", result=result)
            archived = "none" not in (a.get("archive") or {})
            try:
                self.controller.s3.upload(self.namespace, location, host, archived)
            except Exception as err:  # noqa: BLE001 - the wait container's error, as the pod's
                return PodResult(ERROR, code, message=f"failed to save outputs: {err}", result=result)
            stored = StoredArtifact(f"s3://{location['bucket']}/{location['key']}", archived=archived)
            with self.lock:
                self.locations[stored.key] = dict(location)
            artifacts[a["name"]] = stored
        return PodResult(SUCCEEDED, code, result=result, parameters=parameters, artifacts=artifacts)

    # -- artifacts --------------------------------------------------------------------------------------------
    def _location_of(self, stored: StoredArtifact, name: Optional[str] = None) -> Dict[str, Any]:
        with self.lock:
            known = self.locations.get(stored.key)
        if known is not None:
            return dict(known)
        found = _find_s3(self.manifest, stored.key)  # an input the manifest places itself (s3 with a key)
        if found is None and name:  # its key held a placeholder the walk resolved: the artifact of that name
            found = _find_named_s3(self.manifest, name)
        if found is None:
            raise WorkflowError(f"no S3 location known for artifact key '{stored.key}'")
        return dict(found, key=stored.key)

    def _place_input(self, artifact, target: str) -> None:
        if artifact.raw is not None:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w") as out:
                out.write(artifact.raw)
        elif artifact.stored is not None:
            location = self._location_of(artifact.stored, artifact.name)
            self.controller.s3.download(self.namespace, location, target)
        elif not artifact.optional:
            raise WorkflowError(f"input artifact '{artifact.name}' has no location")
        if artifact.mode is not None and os.path.exists(target):
            os.chmod(target, int(artifact.mode))

    # -- pods ---------------------------------------------------------------------------------------------
    def _create_pod(self, request: PodRequest, node: Dict[str, Any]) -> None:
        spec = self.manifest.get("spec") or {}
        container = request.template.get("container") or request.template.get("script") or {}
        labels = dict(((spec.get("podMetadata") or {}).get("labels") or {}))
        labels.update({WORKFLOW_LABEL: self.name, "workflows.argoproj.io/completed": "false"})
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": request.pod, "labels": labels,
                            "annotations": {"workflows.argoproj.io/node-id": node["id"],
                                            "workflows.argoproj.io/node-name": node["name"]}},
               "spec": {"serviceAccountName": spec.get("serviceAccountName", "default"),
                        "containers": [{"name": "wait", "image": "quay.io/argoproj/argoexec"},
                                       {"name": "main", "image": container.get("image")}]},
               "status": {"phase": "Running", "startTime": now_text()}}
        self.cluster.logs[(self.namespace, request.pod)] = []
        self.cluster.objects.create(("pods", self.namespace, request.pod), pod)

    def _end(self, request: PodRequest, node: Dict[str, Any], phase: str, message: str,
             result: Optional[PodResult]) -> None:
        with self.lock:
            node.update(phase=phase, finishedAt=now_text())
            if message:
                node["message"] = message
            if result is not None:
                outputs: Dict[str, Any] = {}
                if result.exit_code is not None:
                    outputs["exitCode"] = str(result.exit_code)
                if result.parameters:
                    outputs["parameters"] = [{"name": k, "value": v} for k, v in result.parameters.items()]
                if result.artifacts:
                    outputs["artifacts"] = [{"name": k, "s3": self._location_of(v)}
                                            for k, v in result.artifacts.items()]
                if result.result is not None and phase == SUCCEEDED:
                    outputs["result"] = result.result
                if outputs:
                    node["outputs"] = outputs
            retry = next((n for n in self.status["nodes"].values()
                          if n["type"] == "Retry" and node["id"] in n.get("children", [])), None)
            if retry is not None:
                retry.update(phase=phase, message=node.get("message", ""), finishedAt=node["finishedAt"])
                if "outputs" in node:
                    retry["outputs"] = node["outputs"]
        key = ("pods", self.namespace, request.pod)
        pod = self.cluster.objects.get(key)
        if pod is not None:
            exit_code = result.exit_code if result is not None and result.exit_code is not None else 137
            pod["metadata"]["labels"]["workflows.argoproj.io/completed"] = "true"
            pod["status"] = {"phase": SUCCEEDED if phase == SUCCEEDED else FAILED,
                             "startTime": pod["status"].get("startTime"),
                             "containerStatuses": [{"name": "main", "state": {"terminated": {
                                 "exitCode": exit_code, "reason": "Completed" if phase == SUCCEEDED else "Error",
                                 "finishedAt": now_text()}}}]}
            self.cluster.objects.put(key, pod)
        self._publish()


class _PathMap:
    """Container paths -> places under the pod's temp folder (see the module docstring)."""

    def __init__(self, root: str, paths: List[str]):
        self.root = root
        self.paths = sorted({p.rstrip("/") for p in paths if p and p.startswith("/") and p != "/"}, key=len,
                            reverse=True)
        self.pattern = re.compile("|".join(re.escape(p) for p in self.paths)) if self.paths else None
        for p in self.paths:
            os.makedirs(os.path.dirname(self.host(p)), exist_ok=True)

    def host(self, path: str) -> str:
        return os.path.join(self.root, path.lstrip("/")) if path.startswith("/") else os.path.join(self.root, path)

    def rewrite(self, text: str) -> str:
        return self.pattern.sub(lambda m: self.host(m.group(0)), text) if self.pattern else text


def _declared_paths(request: PodRequest) -> List[str]:
    outputs = request.template.get("outputs") or {}
    container = request.template.get("container") or request.template.get("script") or {}
    paths = [a.path for a in request.artifacts]
    paths += [str((p.get("valueFrom") or {}).get("path") or "") for p in outputs.get("parameters") or []]
    paths += [str(a.get("path") or "") for a in outputs.get("artifacts") or []]
    paths += [str(m.get("mountPath") or "") for m in container.get("volumeMounts") or []]
    return paths


def _find_s3(node: Any, key: str) -> Optional[Dict[str, Any]]:
    """The first `s3` location in the manifest whose key is `key` (an input placed by the manifest itself)."""
    if isinstance(node, dict):
        s3 = node.get("s3")
        if isinstance(s3, dict) and s3.get("bucket") and str(s3.get("key", "")).rstrip("/") == key:
            return s3
        for value in node.values():
            found = _find_s3(value, key)
            if found is not None:
                return found
    elif isinstance(node, list):
        for value in node:
            found = _find_s3(value, key)
            if found is not None:
                return found
    return None


def _find_named_s3(node: Any, name: str) -> Optional[Dict[str, Any]]:
    """The `s3` location of the first artifact called `name` that has a bucket."""
    if isinstance(node, dict):
        if node.get("name") == name and isinstance(node.get("s3"), dict) and node["s3"].get("bucket"):
            return node["s3"]
        children = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return None
    for value in children:
        found = _find_named_s3(value, name)
        if found is not None:
            return found
    return None

