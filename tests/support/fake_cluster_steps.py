"""A stand-in for the domain's ClusterRunSteps that records every call, for the state-machine tests.

It lets the tests prove the wiring (which steps the state machines run, in which order, with what, and what
happens on errors) apart from what the real steps do on a cluster. Each run is keyed by its id; the references
are the domain's RunRef, built by the real handler.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any, Dict, List, Optional, Tuple

from chalicelib.domain.cluster.steps import RunRef


class FakeClusterSteps:
    def __init__(self, polls_until_done: int = 1, manifest: Optional[Dict[str, Any]] = None):
        self.polls_until_done = polls_until_done
        self.manifest = manifest if manifest is not None else {"apiVersion": "argoproj.io/v1alpha1",
                                                               "kind": "Workflow"}
        self.calls: List[Tuple[str, str, tuple]] = []  # (step, run id, arguments)
        self._failures: Dict[Tuple[str, str], List[BaseException]] = defaultdict(list)
        self._polls: Dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()

    # -- test controls ------------------------------------------------------------------------------------------
    def fail_next(self, step: str, run_id: str, *errors: BaseException) -> None:
        """The next calls of `step` for the run raise these errors, one per call, then the step works again."""
        self._failures[(step, run_id)].extend(errors)

    def steps_of(self, run_id: str) -> List[str]:
        return [step for step, rid, _ in self.calls if rid == run_id]

    def args_of(self, step: str, run_id: str) -> List[tuple]:
        return [args for s, rid, args in self.calls if s == step and rid == run_id]

    def _record(self, step: str, ref: RunRef, *args: Any) -> None:
        with self._lock:
            self.calls.append((step, ref.id, args))
            pending = self._failures.get((step, ref.id))
            error = pending.pop(0) if pending else None
        if error is not None:
            raise error

    # -- the ClusterRunSteps interface ----------------------------------------------------------------------------
    def render(self, ref: RunRef) -> Dict[str, Any]:
        self._record("render", ref)
        return self.manifest

    def submit(self, ref: RunRef, manifest: Dict[str, Any]) -> None:
        self._record("submit", ref, manifest)

    def poll(self, ref: RunRef) -> Dict[str, Any]:
        self._record("poll", ref)
        with self._lock:
            self._polls[ref.id] += 1
            done = self._polls[ref.id] >= self.polls_until_done
        return {"done": done, "waitSeconds": 0}

    def finalize(self, ref: RunRef) -> None:
        self._record("finalize", ref)

    def fail(self, ref: RunRef, error: str, cause: str) -> None:
        self._record("fail", ref, error, cause)

    def stop(self, ref: RunRef) -> None:
        self._record("stop", ref)

    def delete(self, ref: RunRef) -> None:
        self._record("delete", ref)

    def update(self, ref: RunRef) -> None:
        self._record("update", ref)

    def provision(self, ref: RunRef) -> None:
        self._record("provision", ref)

    def deprovision(self, ref: RunRef) -> None:
        self._record("deprovision", ref)

    def forget(self, ref: RunRef) -> None:
        self._record("forget", ref)
