"""Git sync: read an application's template files at its revision and apply them to the catalog.

`TemplateSource` is the port to Git (adapters/git). Syncs are triggered by create/refresh/PATCH through a
`SyncQueue` and by `poll()`, which a background ticker (local) or a schedule (AWS) calls every few seconds to a
minute: it syncs applications whose sync is owed or whose revision moved to a new commit.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Protocol

from .applications import UNKNOWN, Application, ApplicationService, ResourceStatus, normalized_path
from .clock import Clock
from .context import TenantContext
from .records import RecordStore
from .reconcile import OUT_OF_SYNC, SYNCED, Reconciler
from .repositories import COMPLETED, ERROR, Repository, RepositoryService
from .telemetry import NullTelemetry, Telemetry
from .templates import WORKFLOW, FileOutcome, TemplateError, WorkflowValidator, parse_file

log = logging.getLogger("aicore.sync")
MAX_RESOURCES, MAX_MESSAGE = 300, 600
# What the execution engine cannot carry out of a WorkflowTemplate, one sentence per field (local stack only:
# chalicelib.domain.argo.support.refusals; on AWS, Argo runs the template as written).
EngineLimits = Callable[[dict], List[str]]


@dataclass(frozen=True)
class GitAccess:
    url: str
    username: str = ""
    password: str = field(default="", repr=False)


@dataclass
class SourceFile:
    path: str  # relative to the repository root
    text: Optional[str] = None
    error: Optional[str] = None  # why the file could not be read (too large, not UTF-8)


@dataclass
class Snapshot:
    revision: str  # the commit sha read
    files: List[SourceFile]


class TemplateSourceError(Exception):
    """The repository, revision or path cannot be read; the message is safe to show to the tenant."""


class TemplateSource(Protocol):
    def head(self, scope: str, access: GitAccess, revision: str) -> str:
        """The commit sha the revision points at now (cheap: no object transfer when possible)."""

    def snapshot(self, scope: str, access: GitAccess, revision: str, path: str) -> Snapshot:
        """Every *.yaml / *.yml under path at the revision. `scope` keeps tenants' caches apart."""


class SyncService:
    def __init__(self, store: RecordStore, clock: Clock, source: TemplateSource, validate: WorkflowValidator,
                 repositories: RepositoryService, applications: ApplicationService, reconciler: Reconciler,
                 engine_limits: Optional[EngineLimits] = None, telemetry: Optional[Telemetry] = None):
        self._store = store
        self._telemetry = telemetry or NullTelemetry()  # syncs that did not apply cleanly, by reason
        self._clock = clock
        self._source = source
        self._validate = validate
        self._repositories = repositories
        self._applications = applications
        self._reconciler = reconciler
        self._engine_limits = engine_limits

    def _access(self, ctx: TenantContext, repo: Repository) -> GitAccess:
        return GitAccess(repo.url, repo.username, self._repositories.password(ctx, repo))

    def sync_application(self, ctx: TenantContext, name: str) -> Optional[Application]:
        ctx = TenantContext(ctx.tenant)
        app = self._applications.find(ctx, name)
        if app is None:
            return None
        generation, started = app.requested_generation, self._clock.now()
        repo = self._repositories.find_by_url(ctx, app.repository_url)
        if repo is None:
            return self._failed(ctx, app, generation, started, f"repository '{app.repository_url}' is not "
                                "on-boarded (POST /v2/admin/repositories)")
        try:
            snapshot = self._source.snapshot(ctx.tenant, self._access(ctx, repo), app.revision,
                                             normalized_path(app.path))
        except TemplateSourceError as err:
            self._repositories.set_status(ctx, repo.name, ERROR, str(err))
            return self._failed(ctx, app, generation, started, str(err))
        self._repositories.set_status(ctx, repo.name, COMPLETED)
        outcomes = [parse_file(f.path, f.text, self._validate) if f.text is not None
                    else FileOutcome(f.path, errors=[TemplateError(f.error or "unreadable file")])
                    for f in snapshot.files]
        resources = self._reconciler.apply(ctx, name, outcomes)
        limits = self._limits(outcomes)
        resources = _with_limits(resources, limits)
        broken = [o for o in outcomes if not o.ok]
        if broken:
            self._sync_failed(ctx, name, "templates")
            details = "; ".join(f"{o.path}: {o.errors[0].message}" for o in broken[:5])
            message = f"{len(broken)} of {len(outcomes)} template file(s) not applied: {details}"
        elif not outcomes:
            message = f"successfully synced: no *.yaml or *.yml files under '{app.path}'"
        else:
            message = "successfully synced" if limits else "successfully synced (all tasks run)"
        if limits:
            # The files are applied (Argo would run them); the local engine will refuse them, so say so now.
            message += "; the local engine cannot run: " + "; ".join(s for found in limits.values() for s in found)
        message = message[:4 * MAX_MESSAGE]
        degraded = bool(broken) or any(r.status == OUT_OF_SYNC for r in resources)
        finished = self._clock.now()

        def done(current: Application) -> None:
            current.synced_generation = max(current.synced_generation, generation)
            current.health_status = "Degraded" if degraded else "Healthy"
            current.sync_status = OUT_OF_SYNC if degraded else "Synced"
            current.message, current.source_error = message, None
            current.synced_revision = snapshot.revision
            current.sync_started_at, current.sync_finished_at, current.reconciled_at = started, finished, finished
            # The status lives on the application record (DynamoDB items stop at 400 KB): bound its size.
            current.resources = [r.model_copy(update={"message": r.message[:MAX_MESSAGE]})
                                 for r in resources[:MAX_RESOURCES]]

        recorded = self._record(ctx, name, done)
        if recorded is None:
            # Deleted while we read Git: its delete may have pruned before apply() wrote; prune what we wrote.
            self._reconciler.remove_application(ctx, name)
        return recorded

    def _limits(self, outcomes: List[FileOutcome]) -> Dict[str, List[str]]:
        """executable id -> "<file>: <refusal>" sentences, for the applied WorkflowTemplates the engine refuses."""
        if self._engine_limits is None:
            return {}
        limits: Dict[str, List[str]] = {}
        for outcome in outcomes:
            for template in outcome.templates if outcome.ok else []:
                if template.kind == WORKFLOW:
                    found = self._engine_limits(template.document)
                    if found:
                        limits[template.executable_id] = [f"{outcome.path}: {s}" for s in found]
        return limits

    def _failed(self, ctx: TenantContext, app: Application, generation: int, started, message: str):
        finished = self._clock.now()
        log.info("sync of application %s/%s failed: %s", ctx.tenant, app.name, message)
        self._sync_failed(ctx, app.name, "source")

        def failed(current: Application) -> None:
            # Executables stay as they are: a repository that cannot be read says nothing about the templates.
            current.synced_generation = max(current.synced_generation, generation)
            current.health_status, current.sync_status = "Degraded", UNKNOWN
            current.message = current.source_error = message
            current.sync_started_at, current.sync_finished_at, current.reconciled_at = started, finished, finished

        return self._record(ctx, app.name, failed)

    def _sync_failed(self, ctx: TenantContext, application: str, reason: str) -> None:
        try:
            self._telemetry.sync_failed(ctx.tenant, application, reason)
        except Exception:  # noqa: BLE001 - a figure never fails the sync it describes
            log.warning("could not record the failed sync of %s", application, exc_info=True)

    def _record(self, ctx: TenantContext, name: str, change) -> Optional[Application]:
        from .errors import NotFound

        try:
            return self._applications.update(ctx, name, change, touch=False)
        except NotFound:
            return None  # deleted while syncing

    def check_repository(self, ctx: TenantContext, name: str) -> None:
        """Can the repository be read with its credentials? Sets its status COMPLETED or ERROR."""
        ctx = TenantContext(ctx.tenant)
        repo = next((r for r in self._repositories.all(ctx) if r.name == name), None)
        if repo is None:
            return
        try:
            self._source.head(ctx.tenant, self._access(ctx, repo), "HEAD")
        except TemplateSourceError as err:
            self._repositories.set_status(ctx, name, ERROR, str(err))
            return
        self._repositories.set_status(ctx, name, COMPLETED)

    def poll(self) -> int:
        """Background: sync every application that is owed a sync or whose revision has a new commit."""
        synced = 0
        for ctx, record in list(self._store.query_index("REPO")):
            if record.doc.get("status") != COMPLETED:
                self._guarded(self.check_repository, ctx, record.id)
        for ctx, record in list(self._store.query_index("APP")):
            app = Application.from_record(record)
            if self._guarded(self._poll_one, ctx, app):
                synced += 1
        return synced

    def _poll_one(self, ctx: TenantContext, app: Application) -> bool:
        if not app.sync_owed:
            repo = self._repositories.find_by_url(ctx, app.repository_url)
            try:
                head = self._source.head(ctx.tenant, self._access(ctx, repo), app.revision) if repo else None
            except TemplateSourceError:
                head = None  # let the sync record the error
            if head is not None and head == app.synced_revision:
                now = self._clock.now()

                def seen(current: Application) -> None:
                    current.reconciled_at = now

                self._record(ctx, app.name, seen)
                return False
        self.sync_application(ctx, app.name)
        return True

    def _guarded(self, fn, *args) -> bool:
        try:
            return bool(fn(*args))
        except Exception:  # noqa: BLE001 - one tenant's failure must not stop the others' syncs
            log.exception("background git sync step failed")
            return False


def _with_limits(resources: List[ResourceStatus], limits: Dict[str, List[str]]) -> List[ResourceStatus]:
    """The executable is applied all the same; its entry says what the local engine will refuse."""
    if not limits:
        return resources
    return [r.model_copy(update={"message": f"{r.message}; the local engine cannot run it: "
                                            + "; ".join(limits[r.name])})
            if r.kind == WORKFLOW and r.status == SYNCED and r.name in limits else r for r in resources]
