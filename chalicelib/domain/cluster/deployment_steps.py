"""A deployment's poll on the cluster: RUNNING while KServe reports it ready (through a configuration switch too),
the previous configuration kept when a switch fails, DEAD with its logs kept when the predictor fails, removed when
its ttl expires."""
from __future__ import annotations

import logging
from typing import Any, Callable, Dict, Optional

from ..clock import Clock
from ..deployments import ttl_minutes
from ..lifecycle import Status, TargetStatus
from ..run_steps import LIVE
from ..runs import Deployment, Run, mark_pending, mark_running
from .inference_service import applied_configuration, inference_service_name
from .isvc_status import deployment_progress, is_stale, still_serving
from .progress import Progress
from .run_messages import GONE
from .run_ref import DEPLOYMENT, RunRef
from .run_step_base import RunStepBase, done

log = logging.getLogger("aicore.cluster")


class DeploymentSteps(RunStepBase):
    def _poll_deployment(self, ref: RunRef, run: Run) -> Dict[str, Any]:
        assert isinstance(run, Deployment)
        if run.target_status == TargetStatus.STOPPED:
            self.stop(ref)
            return done()
        if run.ttl and (self._clock.now() - run.created_at).total_seconds() >= ttl_minutes(run.ttl) * 60:
            log.info("deployment %s: ttl %s expired, deleting it", ref.id, run.ttl)
            self.delete(ref)  # as the local engine: an expired deployment is removed, record and all
            return done()
        name = inference_service_name(ref.id)
        isvc = self._cluster.get_inference_service(ref.namespace, name)
        if isvc is None:
            self._ready(ref, False)
            self._end(ref, Status.DEAD, GONE.format(what="InferenceService", name=name, kind=DEPLOYMENT))
            return done()
        progress = deployment_progress(isvc)
        if is_stale(isvc):  # KServe has not looked at the latest spec yet: its status is the previous one's
            progress = Progress(Status.PENDING)
        if progress.status is Status.RUNNING:
            applied = applied_configuration(isvc)
            # Ready for the configuration on the cluster: until the control machine has applied a switch (or after
            # it failed to), that is the previous one, and the run's record says so already.
            if applied is None or applied == run.configuration_id:
                self._update(ref, _serving(progress.message, self._clock))
            self._ready(ref, True)  # every serving poll: CloudWatch keeps a series only while it is written
            return {"done": False, "waitSeconds": self._services.poll_serving_seconds}
        if progress.status is Status.DEAD:
            previous = run.latest_running_configuration_id
            if run.status is Status.PENDING and previous and previous != run.configuration_id and \
                    still_serving(isvc):  # a switch failed: KServe keeps the previous revision answering
                self._update(ref, kept_previous(previous, progress.message or "", self._clock))
                return {"done": False, "waitSeconds": self._services.poll_serving_seconds}
            self._archive_logs(ref, everything=True)
            self._cluster.delete_inference_service(ref.namespace, name)  # a crash loop would go on for ever
            self._ready(ref, False)
            self._end(ref, Status.DEAD, progress.message or "The predictor failed.")
            return done()
        return {"done": False, "waitSeconds": self._services.poll_pending_seconds}

    def _ready(self, ref: RunRef, ready: bool) -> None:
        telemetry = self._services.telemetry
        if telemetry is None:
            return
        try:
            telemetry.predictor_ready(ref.ctx.tenant, ref.ctx.resource_group or "", ref.id, ready)
        except Exception:  # noqa: BLE001 - a figure never fails the poll that reports it
            log.warning("could not record the readiness of deployment %s", ref.id, exc_info=True)


def _serving(message: Optional[str], clock: Clock) -> Callable[[Run], None]:
    def step(run: Run) -> None:
        assert isinstance(run, Deployment)
        if run.status is Status.RUNNING and run.latest_running_configuration_id == run.configuration_id:
            return
        if run.status is Status.RUNNING:  # a switch went through: PENDING first, as the local engine moves it
            mark_pending(run, clock.now())
        if run.status in (Status.UNKNOWN, Status.PENDING):
            mark_running(run, clock.now(), message)
    return step


def kept_previous(previous: str, message: str, clock: Clock) -> Callable[[Run], None]:
    def step(run: Run) -> None:
        assert isinstance(run, Deployment)
        if run.status not in LIVE:
            return
        text = f"Configuration '{run.configuration_id}' failed, still serving '{previous}': {message}"
        if run.status is Status.RUNNING:
            run.status_message, run.modified_at = text[:256], clock.now()
        else:
            mark_running(run, clock.now(), text)
        run.latest_running_configuration_id = previous
    return step
