"""Git sync: repositories, applications, scenarios and executables."""
from __future__ import annotations

from functools import cached_property

from .base import Wiring


class GitSyncWiring(Wiring):
    @cached_property
    def repositories(self):
        from ..domain.repositories import RepositoryService

        return RepositoryService(self.store, self.clock, self.secret_cipher, self.settings.git_allows_local,
                                 self.sync_queue)

    @cached_property
    def sync_queue(self):
        # Consumed by the local stack's worker; in AWS the scheduled poll picks requests up from the records.
        from ..adapters.git.worker import InMemorySyncQueue

        return InMemorySyncQueue()

    @cached_property
    def catalog(self):
        """Scenarios, versions and executables as synced from Git (configurations and runs read them here)."""
        from ..domain.catalog import CatalogService

        return CatalogService(self.store)

    @cached_property
    def reconciler(self):
        from ..domain.reconcile import Reconciler

        return Reconciler(self.store, self.clock)

    @cached_property
    def applications(self):
        from ..domain.applications import ApplicationService

        return ApplicationService(self.store, self.clock, self.repositories, self.sync_queue,
                                  self.reconciler.remove_application)

    @cached_property
    def template_source(self):
        from ..adapters.git.source import DulwichTemplateSource

        return DulwichTemplateSource(self.settings.resolved_git_cache_dir)

    @cached_property
    def git_sync(self):
        from ..adapters.git.argo import validate_workflow_template
        from ..domain.sync import SyncService

        return SyncService(self.store, self.clock, self.template_source, validate_workflow_template,
                           self.repositories, self.applications, self.reconciler, self.engine_limits,
                           self.telemetry)

    @cached_property
    def engine_limits(self):
        """What the execution engine cannot run, reported by the Git sync: nothing on AWS (Argo runs the templates
        as written); the local stack's use_local_engine sets the local engine's whitelist check."""
        return None
