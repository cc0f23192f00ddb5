"""The leaves of the walk: a container or script template (one pod per attempt, retried as its retryStrategy
says, within the deadlines around it) and a suspend with a duration. Called by interpreter.WorkflowRun.invoke."""
from __future__ import annotations

import time
from typing import Any, Dict, Optional

from .backoff import retry_plan, seconds
from .expressions import substitute, substitute_all
from .nodes import Frame, Node
from .pods import ERROR, FAILED, SUCCEEDED, ArtifactInput, Cancelled, PodRequest, WorkflowError


def _remaining(deadline: Optional[float], template: Dict[str, Any], scope) -> Optional[float]:
    """Seconds this pod may run: the closest of the enclosing deadline and its own activeDeadlineSeconds/timeout."""
    limits = [deadline - time.monotonic()] if deadline is not None else []
    for key in ("activeDeadlineSeconds", "timeout"):
        if template.get(key) not in (None, ""):
            limits.append(seconds(substitute(str(template[key]), scope), f"'{template.get('name')}' {key}"))
    return min(limits) if limits else None


def run_container(run, template: Dict[str, Any], node: Node, frame: Frame) -> None:
    scope = run.scope(frame, _output_paths(template))
    plan = retry_plan(substitute_all(template.get("retryStrategy"), scope), f"'{node.name}'")
    first, attempt = time.monotonic(), 0
    body = {k: v for k, v in template.items() if k not in ("retryStrategy", "inputs")}
    artifacts = [a for k, a in frame.artifacts.items() if k.startswith("inputs.artifacts.")]
    volumes = run.volumes + [v for v in template.get("volumes") or [] if isinstance(v, dict)]
    while True:
        run.check_cancelled()
        attempt += 1
        pod = run.pod_name(str(template.get("name") or "inline"))
        names = {"retries": str(attempt - 1), "pod.name": pod, "node.name": node.name}
        timeout = _remaining(frame.deadline, template, {**scope, **names})
        if timeout is not None and timeout <= 0:
            node.phase, node.message = ERROR, "Step exceeded its deadline"
            break
        request = PodRequest(path=node.name, pod=pod, template=substitute_all(body, {**scope, **names}),
                             artifacts=artifacts, volumes=volumes, run_volumes=run.run_volumes,
                             attempt=attempt, timeout_seconds=timeout)
        result = run.run_pod(request)
        node.pod, node.phase, node.message = pod, result.phase, result.message
        node.exit_code, node.result, node.parameters = result.exit_code, result.result, dict(result.parameters)
        node.artifacts = {f"outputs.artifacts.{k}": ArtifactInput(k, "", stored=v)
                          for k, v in result.artifacts.items()}
        if result.phase == SUCCEEDED or attempt > plan.limit or result.phase not in plan.retried:
            if result.phase != SUCCEEDED and attempt > 1 and attempt > plan.limit:
                node.message = f"{node.message}; no more retries left after {attempt} attempts"
            break
        delay = plan.delay(attempt)
        if plan.max_duration is not None and time.monotonic() - first + delay > plan.max_duration:
            node.message = f"{node.message} (backoff would exceed max duration limit)"
            break
        if run.cancelled.wait(delay):
            raise Cancelled()
    if node.phase == SUCCEEDED:
        run.publish_globals(template, node)
    else:
        run.record_failure(node)


def suspend(run, template: Dict[str, Any], node: Node, frame: Frame) -> None:
    duration = (template.get("suspend") or {}).get("duration")
    if duration in (None, ""):
        raise WorkflowError(f"'{node.name}': a suspend without a duration waits for a resume, which the local "
                            "engine does not offer.")
    wait = seconds(substitute(str(duration), run.scope(frame)), f"'{node.name}' suspend.duration")
    remaining = frame.deadline - time.monotonic() if frame.deadline is not None else None
    if remaining is not None and remaining < wait:
        run.runner.suspend(max(0.0, remaining))
        node.phase, node.message = FAILED, "Step exceeded its deadline"
        run.record_failure(node)
        return
    run.on_node(node.name, {"status": "Running"})
    run.runner.suspend(wait)
    node.phase = SUCCEEDED
    run.on_node(node.name, {"status": SUCCEEDED, "finished": True})


def _output_paths(template: Dict[str, Any]) -> Dict[str, str]:
    """{{outputs.parameters.x.path}} and {{outputs.artifacts.x.path}}, which a container's args may use."""
    outputs = template.get("outputs") or {}
    names = {f"outputs.parameters.{p.get('name')}.path": str((p.get("valueFrom") or {}).get("path", ""))
             for p in outputs.get("parameters") or [] if (p.get("valueFrom") or {}).get("path")}
    names.update({f"outputs.artifacts.{a.get('name')}.path": str(a.get("path", ""))
                  for a in outputs.get("artifacts") or [] if a.get("path")})
    return names
