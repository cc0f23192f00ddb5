"""A run's pods and their logs: which pods belong to it, which container runs the user's code, and the lines of
`kubectl logs --timestamps` as the API's log entries."""
from __future__ import annotations

from datetime import datetime
from typing import List, Optional

from ..logs import LogEntry
from .inference_service import inference_service_name
from .run_ref import DEPLOYMENT, EXECUTION, RunRef
from .workflow_manifest import workflow_name

WORKFLOW_LABEL = "workflows.argoproj.io/workflow"  # Argo labels every pod of a Workflow with its name
ISVC_LABEL = "serving.kserve.io/inferenceservice"  # KServe labels predictor pods with the InferenceService's
LOG_CONTAINER = {EXECUTION: "main", DEPLOYMENT: "kserve-container"}  # the user's code, not Argo's or KServe's helpers
ENDED_POD_PHASES = ("Succeeded", "Failed")


def pod_selector(ref: RunRef) -> str:
    if ref.kind == EXECUTION:
        return f"{WORKFLOW_LABEL}={workflow_name(ref.id)}"
    return f"{ISVC_LABEL}={inference_service_name(ref.id)}"


def parse_pod_log(text: str, pod: str, container: str) -> List[LogEntry]:
    """Lines of `kubectl logs --timestamps`: `<RFC 3339 time with nanoseconds> <message>`."""
    entries: List[LogEntry] = []
    for line in text.splitlines():
        stamp, _, message = line.partition(" ")
        when = _timestamp(stamp)
        if when is None:  # a continuation without its own time: it belongs to the line before
            if entries:
                entries[-1] = entries[-1].model_copy(update={"msg": f"{entries[-1].msg}\n{line}"})
            continue
        entries.append(LogEntry(timestamp=when, msg=message, container=container, pod=pod))
    return entries


def _timestamp(text: str) -> Optional[datetime]:
    if not text or not text[:4].isdigit():
        return None
    value = text.replace("Z", "+00:00")
    head, dot, rest = value.partition(".")
    if dot:
        digits = rest[:len(rest) - len(rest.lstrip("0123456789"))]
        zone = rest[len(digits):]
        value = f"{head}.{digits[:6].ljust(6, '0')}{zone}"
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
