"""Every status transition and every user request against every status, for executions and deployments."""
import itertools

import pytest

from chalicelib.domain.errors import InvalidInput, PreconditionFailed
from chalicelib.domain.lifecycle import (INITIAL_TARGET, RunKind, Status, TargetStatus, can_transition,
                                         check_delete, check_reconfigure, check_stop, check_transition, parse_status)

E, D = RunKind.EXECUTION, RunKind.DEPLOYMENT
ALL = list(Status)

# Written out by hand (not derived from the module) so a change to the table has to be made twice, on purpose.
EXPECTED = {
    E: """UNKNOWN->PENDING UNKNOWN->RUNNING UNKNOWN->COMPLETED UNKNOWN->DEAD UNKNOWN->STOPPING UNKNOWN->STOPPED
          PENDING->UNKNOWN PENDING->RUNNING PENDING->COMPLETED PENDING->DEAD PENDING->STOPPING PENDING->STOPPED
          RUNNING->UNKNOWN RUNNING->COMPLETED RUNNING->DEAD RUNNING->STOPPING RUNNING->STOPPED
          STOPPING->UNKNOWN STOPPING->STOPPED STOPPING->DEAD""",
    D: """UNKNOWN->PENDING UNKNOWN->RUNNING UNKNOWN->DEAD UNKNOWN->STOPPING UNKNOWN->STOPPED
          PENDING->UNKNOWN PENDING->RUNNING PENDING->DEAD PENDING->STOPPING PENDING->STOPPED
          RUNNING->UNKNOWN RUNNING->PENDING RUNNING->DEAD RUNNING->STOPPING RUNNING->STOPPED
          STOPPING->UNKNOWN STOPPING->STOPPED STOPPING->DEAD
          DEAD->PENDING DEAD->STOPPING DEAD->STOPPED""",
}


@pytest.mark.parametrize("kind", [E, D])
@pytest.mark.parametrize("current,new", list(itertools.product(ALL, ALL)))
def test_every_status_transition(kind, current, new):
    allowed = current == new or f"{current.value}->{new.value}" in EXPECTED[kind].split()
    assert can_transition(kind, current, new) is allowed
    if allowed:
        check_transition(kind, current, new)
    else:
        with pytest.raises(PreconditionFailed, match=f"from {current.value} to {new.value}"):
            check_transition(kind, current, new)


def test_deleting_is_never_a_status():
    assert "DELETING" not in {s.value for s in Status}
    assert len(Status) == 7


def test_initial_targets():
    assert INITIAL_TARGET == {E: TargetStatus.COMPLETED, D: TargetStatus.RUNNING}


@pytest.mark.parametrize("kind", [E, D])
@pytest.mark.parametrize("status", ALL)
def test_stop_only_pending_or_running(kind, status):
    target = INITIAL_TARGET[kind]
    if status in (Status.PENDING, Status.RUNNING):
        check_stop(kind, status, target)
    else:
        with pytest.raises(PreconditionFailed, match=f"current status is {status.value}"):
            check_stop(kind, status, target)


@pytest.mark.parametrize("kind", [E, D])
@pytest.mark.parametrize("target", [TargetStatus.STOPPED, TargetStatus.DELETED])
def test_stop_refused_once_stop_or_delete_requested(kind, target):
    with pytest.raises(PreconditionFailed, match="RUNNING"):
        check_stop(kind, Status.RUNNING, target)


@pytest.mark.parametrize("kind,deletable", [
    (E, {Status.COMPLETED, Status.DEAD, Status.STOPPED, Status.UNKNOWN}),
    (D, {Status.STOPPED, Status.DEAD, Status.UNKNOWN}),
])
@pytest.mark.parametrize("status", ALL)
def test_delete_allowed_statuses(kind, deletable, status):
    if status in deletable:
        check_delete(kind, status, INITIAL_TARGET[kind])
        check_delete(kind, status, TargetStatus.STOPPED)  # a stopped run may then be deleted
    else:
        with pytest.raises(PreconditionFailed, match=f"current status is {status.value}"):
            check_delete(kind, status, INITIAL_TARGET[kind])


def test_delete_of_running_deployment_says_stop_first():
    with pytest.raises(PreconditionFailed, match="Stop it first"):
        check_delete(D, Status.RUNNING, TargetStatus.RUNNING)


@pytest.mark.parametrize("kind", [E, D])
def test_delete_twice_is_refused(kind):
    with pytest.raises(PreconditionFailed, match="already being deleted"):
        check_delete(kind, Status.STOPPED, TargetStatus.DELETED)


@pytest.mark.parametrize("status", ALL)
def test_reconfigure_pending_running_or_dead(status):
    if status in (Status.PENDING, Status.RUNNING, Status.DEAD):
        check_reconfigure(status, TargetStatus.RUNNING)
    else:
        with pytest.raises(PreconditionFailed, match=status.value):
            check_reconfigure(status, TargetStatus.RUNNING)


@pytest.mark.parametrize("target", [TargetStatus.STOPPED, TargetStatus.DELETED])
def test_reconfigure_refused_while_stopping_or_deleting(target):
    with pytest.raises(PreconditionFailed, match="being"):
        check_reconfigure(Status.RUNNING, target)


def test_parse_status():
    assert parse_status("RUNNING") is Status.RUNNING
    with pytest.raises(InvalidInput, match="must be one of COMPLETED, DEAD, PENDING"):
        parse_status("DELETING")
    with pytest.raises(InvalidInput):
        parse_status("running")  # the enum is case-sensitive on the wire
