"""The status / targetStatus state machine of executions and deployments, as pure rules.

`status` is what the engine observes; `targetStatus` is what the user asked for. Two kinds of rule live here:
which observed-status changes are legal (the engine drives them), and which user requests a status allows
(a refused request is a 412 naming the current status). Nothing here reads or writes storage.
"""
from __future__ import annotations

from enum import Enum
from typing import Dict, FrozenSet

from .errors import InvalidInput, PreconditionFailed


class RunKind(str, Enum):
    EXECUTION = "execution"
    DEPLOYMENT = "deployment"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Status(str, Enum):
    """The closed 7-value enum of the AI API. DELETING is deliberately absent (the Python client rejects it)."""

    UNKNOWN = "UNKNOWN"
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    DEAD = "DEAD"
    STOPPING = "STOPPING"
    STOPPED = "STOPPED"


class TargetStatus(str, Enum):
    COMPLETED = "COMPLETED"  # executions: set on create
    RUNNING = "RUNNING"  # deployments: set on create
    STOPPED = "STOPPED"
    DELETED = "DELETED"


class Operation(str, Enum):
    """Deployment lastOperation (an open enum on the wire; these are the values we emit)."""

    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"
    CASCADE_UPDATE = "CASCADE-UPDATE"


S = Status
INITIAL_TARGET: Dict[RunKind, TargetStatus] = {
    RunKind.EXECUTION: TargetStatus.COMPLETED,
    RunKind.DEPLOYMENT: TargetStatus.RUNNING,
}
FINAL: Dict[RunKind, FrozenSet[Status]] = {
    RunKind.EXECUTION: frozenset({S.COMPLETED, S.DEAD, S.STOPPED}),
    # A DEAD deployment can still be given a new configuration, so only STOPPED is final.
    RunKind.DEPLOYMENT: frozenset({S.STOPPED}),
}
_ANY_LIVE = frozenset({S.UNKNOWN, S.PENDING, S.RUNNING, S.STOPPING})

# Observed-status changes the engine may record: {kind: {from: allowed targets}}.
TRANSITIONS: Dict[RunKind, Dict[Status, FrozenSet[Status]]] = {
    RunKind.EXECUTION: {
        S.UNKNOWN: frozenset({S.PENDING, S.RUNNING, S.COMPLETED, S.DEAD, S.STOPPING, S.STOPPED}),
        # A short run may be seen complete without ever being seen running.
        S.PENDING: frozenset({S.UNKNOWN, S.RUNNING, S.COMPLETED, S.DEAD, S.STOPPING, S.STOPPED}),
        S.RUNNING: frozenset({S.UNKNOWN, S.COMPLETED, S.DEAD, S.STOPPING, S.STOPPED}),
        S.STOPPING: frozenset({S.UNKNOWN, S.STOPPED, S.DEAD}),
        S.COMPLETED: frozenset(),
        S.DEAD: frozenset(),
        S.STOPPED: frozenset(),
    },
    RunKind.DEPLOYMENT: {
        S.UNKNOWN: frozenset({S.PENDING, S.RUNNING, S.DEAD, S.STOPPING, S.STOPPED}),
        S.PENDING: frozenset({S.UNKNOWN, S.RUNNING, S.DEAD, S.STOPPING, S.STOPPED}),
        # RUNNING -> PENDING: a configuration switch rolls the predictor out again.
        S.RUNNING: frozenset({S.UNKNOWN, S.PENDING, S.DEAD, S.STOPPING, S.STOPPED}),
        S.STOPPING: frozenset({S.UNKNOWN, S.STOPPED, S.DEAD}),
        # DEAD -> PENDING: a configuration PATCH revives a failed deployment.
        S.DEAD: frozenset({S.PENDING, S.STOPPING, S.STOPPED}),
        S.COMPLETED: frozenset(),  # a deployment never completes; kept for a total table
        S.STOPPED: frozenset(),
    },
}

# Which statuses allow which user request.
STOPPABLE = frozenset({S.PENDING, S.RUNNING})
DELETABLE: Dict[RunKind, FrozenSet[Status]] = {
    RunKind.EXECUTION: frozenset({S.COMPLETED, S.DEAD, S.STOPPED, S.UNKNOWN}),
    RunKind.DEPLOYMENT: frozenset({S.STOPPED, S.DEAD, S.UNKNOWN}),
}
RECONFIGURABLE = frozenset({S.PENDING, S.RUNNING, S.DEAD})


def can_transition(kind: RunKind, current: Status, new: Status) -> bool:
    return current == new or new in TRANSITIONS[kind][current]


def check_transition(kind: RunKind, current: Status, new: Status) -> None:
    """Guard for engine-driven changes; a refusal means a bug or a stale event, never user input."""
    if not can_transition(kind, current, new):
        raise PreconditionFailed(f"{kind.label} status cannot change from {current.value} to {new.value}.")


def _names(statuses) -> str:
    return ", ".join(sorted(s.value for s in statuses))


def _refuse(kind: RunKind, current: Status, action: str, allowed) -> PreconditionFailed:
    return PreconditionFailed(
        f"{kind.label} cannot be {action}: its current status is {current.value}; "
        f"this is only possible in status {_names(allowed)}.", target="targetStatus")


def check_stop(kind: RunKind, current: Status, target: TargetStatus) -> None:
    if target == TargetStatus.DELETED:
        raise PreconditionFailed(f"{kind.label} is being deleted (current status {current.value}).")
    if target == TargetStatus.STOPPED:
        raise PreconditionFailed(f"{kind.label} is already being stopped (current status {current.value}).")
    if current not in STOPPABLE:
        raise _refuse(kind, current, "stopped", STOPPABLE)


def check_delete(kind: RunKind, current: Status, target: TargetStatus) -> None:
    if target == TargetStatus.DELETED:
        raise PreconditionFailed(f"{kind.label} is already being deleted (current status {current.value}).")
    if current not in DELETABLE[kind]:
        hint = " Stop it first." if current in STOPPABLE else ""
        raise PreconditionFailed(
            f"{kind.label} cannot be deleted: its current status is {current.value}; this is only possible in "
            f"status {_names(DELETABLE[kind])}.{hint}", target="targetStatus")


def check_reconfigure(current: Status, target: TargetStatus) -> None:
    kind = RunKind.DEPLOYMENT
    if target != TargetStatus.RUNNING:
        raise PreconditionFailed(
            f"Deployment configuration cannot be changed: it is being {target.value.lower()} "
            f"(current status {current.value}).", target="configurationId")
    if current not in RECONFIGURABLE:
        raise _refuse(kind, current, "given a new configuration", RECONFIGURABLE)


def parse_status(value: str, param: str = "status") -> Status:
    try:
        return Status(value)
    except ValueError:
        raise InvalidInput(f"'{param}' must be one of {_names(Status)}, got '{value}'.", target=param) from None
