"""What a run's statusMessage says when the cluster path ends it, worded for the person who reads it."""
from __future__ import annotations

EXECUTION_STOPPED = "Execution stopped."
DEPLOYMENT_STOPPED = "Deployment stopped."
GONE = ("The {what} '{name}' is no longer on the cluster (deleted outside the AI API); start the {kind} again.")
TERMINATED_OUTSIDE = ("The Workflow was stopped on the cluster ({message}), not through the AI API; start the "
                      "execution again.")
REFUSED = "The cluster refused the {what}: {message}"
FAILURES = {
    "ManifestRejected": "The cluster refused the manifest: {cause}",
    "TransientError": "The cluster could not be reached, also after retries: {cause}",
    "ManifestTooLarge": "{cause}",
}


def failure_message(error: str, cause: str) -> str:
    """The statusMessage of a run a step failed for: the cause as the step worded it, never a stack trace."""
    cause = (cause or "").strip().splitlines()[0] if (cause or "").strip() else ""
    template = FAILURES.get(error)
    if template and cause:
        return template.format(cause=cause)
    if cause:
        return cause
    return f"The run failed in an orchestration step ({error or 'unknown error'})."


def error_message(err: Exception) -> str:
    return getattr(err, "message", None) or str(err) or type(err).__name__
