"""A KServe InferenceService's status as the AI API reports a deployment.

KServe's shape (serving.kserve.io/v1beta1 InferenceServiceStatus): Knative-style `status.conditions`
[{type, status: "True"|"False"|"Unknown", reason, message}] with `Ready` the summary (PredictorReady,
IngressReady, LatestDeploymentReady ... the parts), and `status.modelStatus` {transitionStatus: UpToDate |
InProgress | BlockedByFailedLoad | InvalidSpec, states: {activeModelState, targetModelState: Pending | Standby |
Loading | Loaded | FailedToLoad}, lastFailureInfo: {reason, message, exitCode}}. A predictor that cannot start
(its image missing, a crash loop, a model that fails to load) shows as a condition False with Knative's
`RevisionFailed` / `RevisionMissing` reasons or as BlockedByFailedLoad / FailedToLoad with lastFailureInfo.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from ..lifecycle import Status
from .progress import Progress

READY_MESSAGE = "Predictor is answering."
SUBMITTED_MESSAGE = "Submitted to the cluster; waiting for KServe to start the predictor."
# Reasons Knative and KServe give for a revision or model that will not come up without a change of its spec.
FAILURE_REASONS = {"RevisionFailed", "RevisionMissing", "ContainerMissing", "ExitCode", "CrashLoopBackOff",
                   "ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ModelLoadFailed", "RuntimeUnhealthy",
                   "RuntimeNotRecognized", "NoSupportingRuntime", "InvalidPredictorSpec", "InvalidSpec",
                   "ProgressDeadlineExceeded"}
FAILED_TRANSITIONS = {"BlockedByFailedLoad", "InvalidSpec"}


def deployment_progress(isvc: Dict[str, Any]) -> Progress:
    status = isvc.get("status") or {}
    conditions = _conditions(status)
    ready = conditions.get("Ready")
    if ready is not None and ready.get("status") == "True":
        return Progress(Status.RUNNING, READY_MESSAGE)
    failure = failure_message(status, conditions)
    if failure is not None:
        return Progress(Status.DEAD, failure)
    if not conditions:
        return Progress(Status.PENDING, SUBMITTED_MESSAGE)
    waiting = next((c for c in conditions.values() if c.get("status") != "True" and c.get("message")), None)
    if waiting is not None:
        return Progress(Status.PENDING, f"Waiting for KServe: {_describe(waiting)}")
    return Progress(Status.PENDING, SUBMITTED_MESSAGE)


def serving_url(isvc: Dict[str, Any]) -> Optional[str]:
    """Where KServe serves it (status.url), once it does."""
    return (isvc.get("status") or {}).get("url") or None


def failure_message(status: Dict[str, Any], conditions: Optional[Dict[str, Dict[str, Any]]] = None) -> Optional[str]:
    """Why the predictor will not come up, when KServe says it will not; None while it may still."""
    conditions = _conditions(status) if conditions is None else conditions
    model = status.get("modelStatus") or {}
    info = model.get("lastFailureInfo") or {}
    target = (model.get("states") or {}).get("targetModelState")
    if model.get("transitionStatus") in FAILED_TRANSITIONS or target == "FailedToLoad":
        text = _describe(info) if info else f"the model is {model.get('transitionStatus') or target}"
        return f"The predictor failed: {text.rstrip('.')}."[:256]
    for condition in _ordered(conditions):
        if condition.get("status") == "False" and condition.get("reason") in FAILURE_REASONS:
            return f"The predictor failed ({condition.get('type')}): {_describe(condition)}"[:256]
    return None


def _conditions(status: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    return {str(c.get("type")): c for c in status.get("conditions") or [] if isinstance(c, dict) and c.get("type")}


def _ordered(conditions: Dict[str, Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The most specific first: a component's own condition says more than the Ready summary."""
    return sorted(conditions.values(), key=lambda c: (c.get("type") == "Ready", str(c.get("type"))))


def _describe(item: Dict[str, Any]) -> str:
    reason, message = item.get("reason"), item.get("message")
    if reason and message:
        return f"{reason}: {message}"
    return str(message or reason or "no reason given")


def is_stale(isvc: Dict[str, Any]) -> bool:
    """KServe has not looked at the latest spec yet (status.observedGeneration behind metadata.generation): its
    status is the previous spec's."""
    generation = (isvc.get("metadata") or {}).get("generation")
    observed = (isvc.get("status") or {}).get("observedGeneration")
    return generation is not None and observed is not None and observed != generation


def still_serving(isvc: Dict[str, Any]) -> bool:
    """A ready revision still takes the traffic (Knative keeps it when a newer one fails)."""
    status = isvc.get("status") or {}
    predictor = (status.get("components") or {}).get("predictor") or {}
    return bool(status.get("url") and predictor.get("latestReadyRevision"))
