"""Applications: one (repository, revision, path) to keep in sync, with the outcome of its last sync.

Syncing itself lives in sync.py; this module owns the records and the requests. Every request to sync bumps
`requested_generation`, so a sync that finishes knows whether another one is still owed.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Callable, ClassVar, List, Optional, Protocol

from .clock import Clock
from .context import TenantContext
from .entity import Entity, Value
from .errors import AlreadyExists, Conflict, InvalidInput, NotFound
from .records import Kind, Page, RecordStore
from .repositories import Repository, RepositoryService, canonical_url

NAME = re.compile(r"^[a-z0-9-]{3,63}$")
REVISION = re.compile(r"^[A-Za-z0-9_][\w./-]{0,254}$")
UNKNOWN = "Unknown"


class ResourceStatus(Value):
    name: str
    kind: str
    status: str  # Synced | OutOfSync
    message: str


class Application(Entity):
    KIND: ClassVar[Kind] = Kind.APPLICATION

    name: str
    repository_url: str
    revision: str
    path: str
    created_at: datetime
    modified_at: datetime
    requested_generation: int = 1
    synced_generation: int = 0
    health_status: str = UNKNOWN  # Healthy | Degraded | Unknown
    sync_status: str = UNKNOWN  # Synced | OutOfSync | Unknown
    message: Optional[str] = None
    source_error: Optional[str] = None  # set while the repository cannot be read; the poller retries
    synced_revision: Optional[str] = None  # commit sha of the last sync that read the repository
    sync_started_at: Optional[datetime] = None
    sync_finished_at: Optional[datetime] = None
    reconciled_at: Optional[datetime] = None
    resources: List[ResourceStatus] = []

    @property
    def reported_sync_status(self) -> str:
        """A change or refresh not yet synced shows as OutOfSync (as in Argo CD), so a client polling for
        "Synced" after a refresh waits for that refresh instead of reading the previous sync's result."""
        if self.requested_generation > self.synced_generation and self.sync_status == "Synced":
            return "OutOfSync"
        return self.sync_status

    @property
    def sync_owed(self) -> bool:
        return self.requested_generation > self.synced_generation or self.source_error is not None


class SyncQueue(Protocol):
    """Asks for work soon; the poller catches up on anything a queue drops (requests are also on the record)."""

    def request_sync(self, ctx: TenantContext, application: str) -> None: ...

    def request_check(self, ctx: TenantContext, repository: str) -> None: ...


def normalized_path(path: str) -> str:
    """'./a//b/' -> 'a/b'; '' or '.' -> '' (the repository root). Refuses absolute paths and '..'."""
    raw = (path or "").strip()
    if len(raw) > 1024 or "\\" in raw or any(ord(ch) < 32 for ch in raw):
        raise InvalidInput("'path' must be a relative path inside the repository (at most 1024 characters, "
                           "'/' as separator).", target="path")
    if raw.startswith("/"):
        raise InvalidInput(f"'path' must be relative to the repository root, got '{raw}'.", target="path")
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise InvalidInput(f"'path' must stay inside the repository ('..' is not allowed), got '{raw}'.",
                           target="path")
    return "/".join(parts)


def validate_revision(revision: str) -> str:
    value = (revision or "").strip()
    if not REVISION.match(value) or ".." in value or value.endswith((".", "/", ".lock")) or "//" in value:
        raise InvalidInput(f"'revision' must be HEAD, a branch, a tag or a commit sha, got '{revision}'.",
                           target="revision")
    return value


def validate_name(name: str, target: str = "applicationName") -> str:
    if not NAME.match(name or ""):
        raise InvalidInput(f"Application name '{name}' is invalid: use 3-63 lower-case letters, digits or '-'.",
                           target=target)
    return name


class ApplicationService:
    def __init__(self, store: RecordStore, clock: Clock, repositories: RepositoryService, queue: SyncQueue,
                 remove_executables: Callable[[TenantContext, str], None]):
        self._store = store
        self._clock = clock
        self._repositories = repositories
        self.queue = queue
        self._remove_executables = remove_executables

    @staticmethod
    def _tenant(ctx: TenantContext) -> TenantContext:
        return TenantContext(ctx.tenant)

    def _record(self, ctx: TenantContext, app: Application, version: Optional[int] = None):
        # The global "APP" index lets the poller find every tenant's applications (background work only).
        return app.to_record(app.name, version, index_key="APP", index_sort=f"{ctx.tenant}#{app.name}")

    def _repository(self, ctx: TenantContext, url: Optional[str], repository_name: Optional[str]) -> Repository:
        if repository_name:
            repo = self._repositories.get(ctx, repository_name)
            if url and canonical_url(url) != canonical_url(repo.url):
                raise InvalidInput(f"'repositoryUrl' and 'repositoryName' name different repositories; send one.")
            return repo
        if not url:
            raise InvalidInput("Send 'repositoryUrl' or 'repositoryName' to say which repository to sync.")
        repo = self._repositories.find_by_url(ctx, url)
        if repo is None:
            raise InvalidInput(f"Repository '{url}' is not on-boarded: POST /v2/admin/repositories first.",
                               target="repositoryUrl")
        return repo

    def _check_unique(self, ctx: TenantContext, url: str, revision: str, path: str, own: Optional[str]) -> None:
        key = (canonical_url(url), revision, normalized_path(path))
        for other in self.all(ctx):
            if other.name != own and (canonical_url(other.repository_url), other.revision,
                                      normalized_path(other.path)) == key:
                raise Conflict(f"Application '{other.name}' already syncs this repository, revision and path; "
                               "two applications on the same source would fight over its executables.")

    def create(self, ctx: TenantContext, name: Optional[str], url: Optional[str], repository_name: Optional[str],
               revision: str, path: str) -> Application:
        repo = self._repository(ctx, url, repository_name)
        revision = validate_revision(revision)
        normalized_path(path)
        self._check_unique(ctx, repo.url, revision, path, None)
        if name and len(name) > 54:
            raise InvalidInput(f"'applicationName' is longer than 54 characters: '{name}'.", target="applicationName")
        name = validate_name(name, "applicationName") if name else self._generated_name(ctx, repo.name, path)
        now = self._clock.now()
        app = Application(name=name, repository_url=repo.url, revision=revision, path=path, created_at=now,
                          modified_at=now)
        try:
            self._store.create(self._tenant(ctx), self._record(ctx, app))
        except AlreadyExists:
            raise AlreadyExists(f"Application '{name}' already exists.", target="applicationName") from None
        self.queue.request_sync(ctx, name)
        return app

    def _generated_name(self, ctx: TenantContext, repository: str, path: str) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", normalized_path(path).lower()).strip("-")
        base = f"{repository}-{slug}" if slug else repository
        base = base[:48].strip("-")
        base = base if len(base) >= 3 else f"app-{base}".strip("-")
        taken = {a.name for a in self.all(ctx)}
        return next(n for n in [base] + [f"{base}-{i}" for i in range(2, 10000)] if n not in taken)

    def find(self, ctx: TenantContext, name: str) -> Optional[Application]:
        record = self._store.get(self._tenant(ctx), Kind.APPLICATION, name)
        return Application.from_record(record) if record else None

    def get(self, ctx: TenantContext, name: str) -> Application:
        validate_name(name)
        app = self.find(ctx, name)
        if app is None:
            raise NotFound(f"Application '{name}' not found.", target="applicationName")
        return app

    def all(self, ctx: TenantContext) -> List[Application]:
        return [Application.from_record(r) for r in self._store.iterate(self._tenant(ctx), Kind.APPLICATION)]

    def query(self, ctx: TenantContext, skip: int, top: Optional[int]) -> Page:
        return self._store.query(self._tenant(ctx), Kind.APPLICATION, skip=skip, top=top)

    def modify(self, ctx: TenantContext, name: str, url: str, revision: str, path: str) -> Application:
        self.get(ctx, name)
        repo = self._repository(ctx, url, None)
        revision = validate_revision(revision)
        normalized_path(path)
        self._check_unique(ctx, repo.url, revision, path, name)

        def change(app: Application) -> None:
            app.repository_url, app.revision, app.path = repo.url, revision, path
            app.requested_generation += 1

        app = self.update(ctx, name, change)
        self.queue.request_sync(ctx, name)
        return app

    def refresh(self, ctx: TenantContext, name: str) -> None:
        self.get(ctx, name)

        def change(app: Application) -> None:
            app.requested_generation += 1

        self.update(ctx, name, change)
        self.queue.request_sync(ctx, name)

    def delete(self, ctx: TenantContext, name: str) -> None:
        self.get(ctx, name)
        self._store.delete(self._tenant(ctx), Kind.APPLICATION, name)
        # Like an Argo CD application with pruning: what it synced goes with it.
        self._remove_executables(self._tenant(ctx), name)

    def update(self, ctx: TenantContext, name: str, change: Callable[[Application], None],
               touch: bool = True) -> Application:
        for _ in range(8):  # the worker and requests both write the record; retry on a moved version
            app = self.get(ctx, name)
            change(app)
            if touch:
                app.modified_at = self._clock.now()
            try:
                self._store.replace(self._tenant(ctx), self._record(ctx, app, app.stored_version))
                return app
            except Conflict:
                continue
        raise Conflict(f"Application '{name}' is being changed by another request; retry.")
