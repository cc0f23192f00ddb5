"""The engine chosen for runs, and the local one: executions and predictors as host processes
(the local stack wires them in; on AWS the orchestrator is Step Functions')."""
from __future__ import annotations

from functools import cached_property

from .base import Wiring


class LocalEngineWiring(Wiring):
    @cached_property
    def orchestrator(self):
        if self.settings.engine == "stepfunctions":
            return self.step_functions_orchestrator
        # No engine: runs wait in PENDING (the local stack swaps in its local engine).
        from ..adapters.local.orchestrator import IdleOrchestrator

        return IdleOrchestrator(self.store, self.clock)

    @cached_property
    def deployment_engine(self):
        """Local predictors (adapters/local/serving.py); the local stack's orchestrator hands deployments to it."""
        from ..adapters.local.images import ImageResolver
        from ..adapters.local.runner import hide_from_steps
        from ..adapters.local.serving import LocalDeploymentEngine
        from ..adapters.local.serving_storage import ArtifactFetcher
        from ..domain.records import Kind

        def sink(ctx, run_id, entry):  # looked up per line: the local stack swaps in its durable log store
            append = getattr(self.log_store, "append", None)
            if append is not None:
                append(ctx, Kind.DEPLOYMENT, run_id, entry)

        s = self.settings
        hide_from_steps([s.home, s.resolved_git_cache_dir])  # predictors run user code: none sees the stack's state
        return LocalDeploymentEngine(self.store, self.clock, s.deployments_dir,
                                     ArtifactFetcher(self.object_locations, self.object_store), sink,
                                     ready_seconds=s.predictor_ready_seconds, drain_seconds=s.predictor_drain_seconds,
                                     images=ImageResolver(s.home / "images.yaml"),
                                     forget_logs=lambda ctx, run_id: getattr(self.log_store, "delete", lambda *a: None)(
                                         ctx, Kind.DEPLOYMENT, run_id),
                                     checkouts=self.checkouts, telemetry=self.telemetry)

    @cached_property
    def inference_access(self):
        """Who may call which deployment's predictor (the local front's inference proxy asks it)."""
        from ..domain.inference import InferenceAccess

        return InferenceAccess(self.verifier, self.store, self.deployment_engine.acquire)

    @cached_property
    def traffic_writer(self):
        """Recorded predictions to the deployment's own `default` object store, off the request path."""
        from ..adapters.local.traffic_writer import AsyncTrafficWriter

        return AsyncTrafficWriter(self.dataset_files)

    @cached_property
    def traffic_recorder(self):
        """Which predictions of opted-in deployments the local inference proxy records (model monitoring)."""
        import random

        from ..domain.ids import hex16
        from ..domain.traffic_recording import TrafficRecorder

        return TrafficRecorder(self.traffic_writer.submit, self.clock.now, random.random, hex16)

    @cached_property
    def execution_engine(self):
        """Executions as host processes (local stack; stack.start wires it in with use_local_engine)."""
        from ..adapters.local.engine import LocalExecutionEngine
        from ..adapters.local.images import ImageResolver
        from ..adapters.local.runner import hide_from_steps
        from ..adapters.local.steps import RunServices, protected_tops
        from ..domain.records import Kind

        s = self.settings
        hide_from_steps([s.home, s.resolved_git_cache_dir])  # keys, service keys, journal, other runs, other repos
        services = RunServices(
            artifacts=self.artifacts, locations=self.object_locations, object_store=self.object_store,
            generic_secrets=self.generic_secrets,
            append_log=lambda ctx, run_id, entry: self.log_store.append(ctx, Kind.EXECUTION, run_id, entry),
            close_log=lambda ctx, run_id: self.log_store.close(ctx, Kind.EXECUTION, run_id),
            delete_log=lambda ctx, run_id: self.log_store.delete(ctx, Kind.EXECUTION, run_id),
            tracking_env=lambda ctx, run_id: self.tracking_credentials.run_environment(s.base_url, ctx, run_id),
            images=ImageResolver(s.home / "images.yaml"), protected=protected_tops(s.home),
            checkouts=self.checkouts, telemetry=self.telemetry)
        return LocalExecutionEngine(self.store, self.clock, services, s.home)

    @cached_property
    def checkouts(self):
        """Exports of synced commits: the default folder of an image built from the synced repository."""
        from ..adapters.local.checkout import RepositoryCheckouts

        return RepositoryCheckouts(self.template_source, self.settings.home / "checkouts")
