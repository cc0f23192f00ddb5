"""The `cluster_task` Lambda function: every Task state of the state machines (infra/statemachines/) lands here.

The event is `{"step": <name>, "run": {kind, tenant, resourceGroup, id}, ...}`; the step is done by the domain's
`ClusterRunSteps` (chalicelib/domain/cluster/steps.py). What this adapter adds is the Lambda side of the contract:
- errors: Step Functions sees a Python exception's class name as the error name. A transient `ClusterError` is
  raised again as `TransientError`, the name the state machines Retry on; anything else fails the task, and the
  Catch hands the error to the `fail` step, which ends the run DEAD with the error's message as statusMessage.
- results: small JSON objects the state machines read (`$.last.manifest`, `$.last.done`, `$.last.waitSeconds`).
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable, Dict, Optional

from aws_lambda_powertools import Logger

from chalicelib.domain.cluster.ports import ClusterError

# Powertools' JSON logger for the task function only (it is not on the API function's import path: cold start).
task_log = Logger(service="aicore-cluster-task")

# AWS error codes that say "try again later" (DynamoDB, S3, STS, Step Functions met by a step).
_TRANSIENT_CODES = {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded",
                    "ProvisionedThroughputExceededException", "InternalServerError", "InternalFailure",
                    "ServiceUnavailable", "TransactionConflict", "TransactionConflictException"}


class TransientError(Exception):
    """Worth a retry (the state machines' Retry names this class): the cluster or AWS was briefly unavailable."""


class TaskRefused(Exception):
    """A task event this function cannot act on (a bug in a state machine, not in the run): no retry."""


class ManifestTooLarge(Exception):
    """The rendered manifest would not fit in the state machine's state (256 KB): no retry can help."""


def run_ref(run: Dict[str, Any]):
    """The domain's reference to a run, from the event's `run` object."""
    from chalicelib.domain.cluster.steps import RunRef

    return RunRef.from_event(run)


class ClusterTaskHandler:
    def __init__(self, steps: Any, first_wait_seconds: int = 30, max_manifest_bytes: int = 200_000,
                 make_ref: Optional[Callable[[Dict[str, Any]], Any]] = None, state_machines: Any = None):
        self._steps = steps  # ClusterRunSteps
        self._machines = state_machines  # boto3 "stepfunctions" (the `continue` step)
        self._first_wait = first_wait_seconds
        self._max_manifest = max_manifest_bytes
        self._make_ref = make_ref or run_ref

    def handle(self, event: Dict[str, Any]) -> Dict[str, Any]:
        step = event.get("step")
        action = getattr(self, f"_{step}", None) if step in _STEPS else None
        if action is None:
            raise TaskRefused(f"Unknown orchestration step {step!r}; expected one of {', '.join(_STEPS)}.")
        if not isinstance(event.get("run"), dict):
            raise TaskRefused(f"The {step} step's event has no 'run' object.")
        ref = self._make_ref(event["run"])
        try:
            return action(ref, event)
        except ClusterError as err:
            if err.transient:
                raise TransientError(err.message) from err
            raise
        except Exception as err:
            if _is_transient(err):
                raise TransientError(f"{type(err).__name__}: {err}") from err
            raise

    # -- the steps (results are what the state machines read) ---------------------------------------------------
    def _render(self, ref, event) -> Dict[str, Any]:
        manifest = self._steps.render(ref)
        size = len(json.dumps(manifest, separators=(",", ":")).encode())
        if size > self._max_manifest:
            kind = manifest.get("kind", "manifest") if isinstance(manifest, dict) else "manifest"
            raise ManifestTooLarge(
                f"The rendered {kind} is {size // 1024} KB; AWS Step Functions passes at most 256 KB between steps, "
                f"so this service submits at most {self._max_manifest // 1024} KB. Make the template smaller "
                "(fewer or shorter inline scripts, parameters or artifacts).")
        return {"manifest": manifest}

    def _submit(self, ref, event) -> Dict[str, Any]:
        result = self._steps.submit(ref, event.get("manifest"))
        wait = result.get("waitSeconds") if isinstance(result, dict) else None
        return {"done": False, "waitSeconds": _seconds(wait, self._first_wait)}

    def _poll(self, ref, event) -> Dict[str, Any]:
        result = self._steps.poll(ref)
        return {"done": bool(result.get("done")), "waitSeconds": _seconds(result.get("waitSeconds"), self._first_wait)}

    def _finalize(self, ref, event) -> Dict[str, Any]:
        self._steps.finalize(ref)
        return {}

    def _fail(self, ref, event) -> Dict[str, Any]:
        error, cause = error_of(event)
        self._steps.fail(ref, error, cause)
        return {}

    def _stop(self, ref, event) -> Dict[str, Any]:
        self._steps.stop(ref)
        return {}

    def _delete(self, ref, event) -> Dict[str, Any]:
        self._steps.delete(ref)
        return {}

    def _update(self, ref, event) -> Dict[str, Any]:
        self._steps.update(ref)
        return {}

    def _provision(self, ref, event) -> Dict[str, Any]:
        self._steps.provision(ref)
        return {}

    def _deprovision(self, ref, event) -> Dict[str, Any]:
        self._steps.deprovision(ref)
        return {}

    def _forget(self, ref, event) -> Dict[str, Any]:
        self._steps.forget(ref)
        return {}

    def _continue(self, ref, event) -> Dict[str, Any]:
        """A Standard execution keeps at most 25,000 history events (about 9 per poll): after
        `pollsPerExecution` polls the state machine hands the run to a new execution of itself, which goes
        straight back to polling. Done here rather than with the states:startExecution integration so the offline
        interpreter runs it too; the name is derived from this execution's, so a retried step starts nothing new."""
        from botocore.exceptions import ClientError

        name = continuation_name(event["execution"])
        payload = {"run": event["run"], "last": event.get("last") or {"done": False, "waitSeconds": self._first_wait},
                   "polls": 0, "pollsPerExecution": event.get("pollsPerExecution", 1000)}
        try:
            self._machines.start_execution(stateMachineArn=event["stateMachine"], name=name,
                                           input=json.dumps(payload, sort_keys=True, separators=(",", ":")))
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") != "ExecutionAlreadyExists":
                raise
        return {"continuedAs": name}


_STEPS = ("render", "submit", "poll", "finalize", "fail", "stop", "delete", "update", "continue", "provision",
          "deprovision", "forget")
# "--c<n>" never ends a name the orchestrator gives (those end with a hex digest or a timestamp's "Z").
_GENERATION = re.compile(r"^(?P<base>.+)--c(?P<n>\d+)$")


def continuation_name(execution: str) -> str:
    """`<name>` -> `<name>--c1` -> `<name>--c2` ...: readable, deterministic, within the 80 characters allowed."""
    match = _GENERATION.match(execution)
    base, n = (match.group("base"), int(match.group("n"))) if match else (execution, 0)
    return f"{base[:72]}--c{n + 1}"


def error_of(event: Dict[str, Any]) -> tuple:
    """(error name, message a person can read) from the Catch's `{"Error", "Cause"}`.

    A Lambda function's error comes with Cause = its JSON error document (`errorMessage`, `errorType`,
    `stackTrace`): the message is its errorMessage. Step Functions' own errors (States.Timeout, ...) have a plain
    text Cause, or none.
    """
    caught = event.get("error")
    if not isinstance(caught, dict):  # the brief's flat form {"error": name, "cause": text} is read as well
        caught = {"Error": caught, "Cause": event.get("cause")}
    error = str(caught.get("Error") or "States.TaskFailed")
    cause = caught.get("Cause")
    message = cause if isinstance(cause, str) else ""
    try:
        document = json.loads(message) if message else None
    except ValueError:
        document = None
    if isinstance(document, dict) and document.get("errorMessage"):
        message = str(document["errorMessage"])
    return error, message.strip() or _DEFAULT_MESSAGES.get(error, f"The run failed with {error}.")


_DEFAULT_MESSAGES = {
    "States.Timeout": "A step on the cluster took longer than allowed.",
    "TransientError": "The cluster could not be reached, also after retries.",
}


def _seconds(value: Any, default: int) -> int:
    # A Wait state needs a non-negative integer; anything else is a States.Runtime error that no Catch handles.
    try:
        return max(0, min(int(round(float(value))), 86_400))
    except (TypeError, ValueError):
        return max(0, int(default))


def _is_transient(err: BaseException) -> bool:
    """AWS or network hiccups met by the step (DynamoDB throttling, a dropped connection): worth a retry."""
    try:
        from botocore.exceptions import ClientError, ConnectionError as BotoConnectionError, ReadTimeoutError
    except ImportError:  # pragma: no cover - botocore ships with every Lambda Python runtime
        return False
    seen = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        if isinstance(err, (BotoConnectionError, ReadTimeoutError)):
            return True
        if isinstance(err, ClientError) and err.response.get("Error", {}).get("Code") in _TRANSIENT_CODES:
            return True
        err = getattr(err, "cause", None) or err.__cause__  # PynamoDB keeps botocore's error as .cause
    return False


def handle(event: Dict[str, Any], context: Any = None) -> Dict[str, Any]:
    """Lambda entry point (app.py's `cluster_task`); the Container keeps the cluster client between events."""
    from chalicelib.bootstrap import container

    c = container()
    s = c.settings
    # Structured lines keyed by step and run, so CloudWatch Logs Insights finds one run's steps across executions.
    task_log.append_keys(step=event.get("step"), run=event.get("run"))
    task_log.info("cluster step")
    handler = ClusterTaskHandler(c.cluster_steps, first_wait_seconds=s.cluster_poll_pending_seconds,
                                 max_manifest_bytes=s.cluster_max_manifest_bytes,
                                 state_machines=c.step_functions_client)
    return handler.handle(event)
