"""Git repositories on-boarded for template sync (tenant level). The password is stored only encrypted."""
from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from typing import Callable, ClassVar, List, Optional
from urllib.parse import urlsplit

from .clock import Clock
from .context import TenantContext
from .entity import Entity
from .errors import AlreadyExists, Conflict, InvalidInput, NotFound
from .records import Kind, Page, RecordStore
from .secrets import SecretCipher, SecretSealer

NAME = re.compile(r"^[a-z0-9-]{1,51}$")
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")

IN_PROGRESS, COMPLETED, ERROR = "IN-PROGRESS", "COMPLETED", "ERROR"


class Repository(Entity):
    KIND: ClassVar[Kind] = Kind.REPOSITORY

    name: str
    url: str
    username: str = ""
    password_token: str = ""  # sealed with the SecretCipher; never leaves the service in clear
    status: str = IN_PROGRESS
    status_message: Optional[str] = None
    created_at: datetime
    modified_at: datetime

    def __repr_args__(self):  # keep even the ciphertext out of logs and tracebacks
        return [(k, v) for k, v in super().__repr_args__() if k != "password_token"]


def canonical_url(url: str) -> str:
    """AI Core matches repository URLs ignoring case and a trailing '/'."""
    return (url or "").strip().rstrip("/").lower()


def validate_url(url: str, allow_local: bool) -> str:
    """https:// everywhere; file://, absolute paths and loopback http:// only on a local installation."""
    url = (url or "").strip()
    if not url or len(url) > 2048 or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise InvalidInput("Repository 'url' must be a non-empty URL without spaces (at most 2048 characters).",
                           target="url")
    local_hint = " (or, on a local installation, a file:// URL or an absolute path)" if allow_local else ""
    lowered = url.lower()
    if lowered.startswith("https://"):
        _check_host(url, allow_local)
        return url
    if lowered.startswith("http://") and allow_local:
        host = (urlsplit(url).hostname or "").lower()
        if host in LOOPBACK_HOSTS:
            return url
    if allow_local and (lowered.startswith("file:///") or url.startswith("/")):
        if ".." in url.split("/"):
            raise InvalidInput("Repository 'url' must not contain '..' segments.", target="url")
        return url
    raise InvalidInput(f"Repository 'url' must start with https://{local_hint}; ssh and plain http URLs are not "
                       f"supported, got '{url}'.", target="url")


def _check_host(url: str, allow_local: bool) -> None:
    parts = urlsplit(url)
    if not parts.hostname:
        raise InvalidInput(f"Repository 'url' has no host: '{url}'.", target="url")
    if parts.username or parts.password:
        raise InvalidInput("Put repository credentials in 'username' and 'password', not in the URL.",
                           target="url")
    if allow_local:
        return
    try:
        address = ipaddress.ip_address(parts.hostname)
    except ValueError:
        address = None
    if parts.hostname.lower() == "localhost" or (address is not None and not address.is_global):
        raise InvalidInput("Repository 'url' must name a public Git host, not a local or private address.",
                           target="url")


def name_from_url(url: str) -> str:
    """A repository name for bodies that leave it out: the URL's last segment, made to fit ^[a-z0-9-]+$."""
    tail = canonical_url(url).split("/")[-1]
    tail = tail[:-4] if tail.endswith(".git") else tail
    name = re.sub(r"[^a-z0-9]+", "-", tail).strip("-")[:40].strip("-")
    return name or "repository"


class RepositoryService:
    def __init__(self, store: RecordStore, clock: Clock, cipher: SecretCipher, allow_local: bool, queue=None):
        self._store = store
        self._clock = clock
        self._queue = queue  # SyncQueue (applications.py): asks the worker to check credentials soon
        self._sealer = SecretSealer(cipher)
        self.allow_local = allow_local

    def _seal(self, ctx: TenantContext, name: str, password: str) -> str:
        # The sealed blob names its owner: copied onto another tenant's record it would not open.
        return self._sealer.seal(SecretSealer.owner(ctx, Kind.REPOSITORY, name), {"password": password})

    @staticmethod
    def _tenant(ctx: TenantContext) -> TenantContext:
        return TenantContext(ctx.tenant)

    def create(self, ctx: TenantContext, name: Optional[str], url: str, username: str, password: str) -> Repository:
        url = validate_url(url, self.allow_local)
        existing = self.all(ctx)
        duplicate = next((r for r in existing if canonical_url(r.url) == canonical_url(url)), None)
        if duplicate is not None:
            raise AlreadyExists(f"Repository URL '{url}' is already on-boarded as '{duplicate.name}'.", target="url")
        if name is None:
            taken = {r.name for r in existing}
            base = name_from_url(url)
            name = next(n for n in [base] + [f"{base}-{i}" for i in range(2, 1000)] if n not in taken)
        validate_name(name)
        now = self._clock.now()
        repo = Repository(name=name, url=url, username=username, password_token=self._seal(ctx, name, password),
                          created_at=now, modified_at=now)
        try:
            self._store.create(self._tenant(ctx), self._record(ctx, repo))
        except AlreadyExists:
            raise AlreadyExists(f"Repository '{name}' already exists.", target="name") from None
        if self._queue is not None:
            self._queue.request_check(ctx, name)
        return repo

    def _record(self, ctx: TenantContext, repo: Repository, version: Optional[int] = None):
        return repo.to_record(repo.name, version, index_key="REPO", index_sort=f"{ctx.tenant}#{repo.name}")

    def get(self, ctx: TenantContext, name: str) -> Repository:
        validate_name(name)
        record = self._store.get(self._tenant(ctx), Kind.REPOSITORY, name)
        if record is None:
            raise NotFound(f"Repository '{name}' not found.", target="repositoryName")
        return Repository.from_record(record)

    def all(self, ctx: TenantContext) -> List[Repository]:
        return [Repository.from_record(r) for r in self._store.iterate(self._tenant(ctx), Kind.REPOSITORY)]

    def query(self, ctx: TenantContext, skip: int, top: Optional[int]) -> Page:
        return self._store.query(self._tenant(ctx), Kind.REPOSITORY, skip=skip, top=top)

    def find_by_url(self, ctx: TenantContext, url: str) -> Optional[Repository]:
        key = canonical_url(url)
        return next((r for r in self.all(ctx) if canonical_url(r.url) == key), None)

    def password(self, ctx: TenantContext, repo: Repository) -> str:
        if not repo.password_token:
            return ""
        owner = SecretSealer.owner(ctx, Kind.REPOSITORY, repo.name)
        return self._sealer.unseal(owner, repo.password_token)["password"]

    def modify(self, ctx: TenantContext, name: str, username: str, password: str) -> Repository:
        def change(repo: Repository) -> None:
            repo.username, repo.password_token = username, self._seal(ctx, name, password)
            repo.status, repo.status_message = IN_PROGRESS, None

        repo = self.update(ctx, name, change)
        if self._queue is not None:
            self._queue.request_check(ctx, name)
            for app in self._users(ctx, repo):  # new credentials may unblock their syncs
                self._queue.request_sync(ctx, app)
        return repo

    def set_status(self, ctx: TenantContext, name: str, status: str, message: Optional[str] = None) -> None:
        def change(repo: Repository) -> None:
            repo.status, repo.status_message = status, message

        try:
            repo = self.get(ctx, name)
        except NotFound:
            return
        if (repo.status, repo.status_message) != (status, message):
            try:
                self.update(ctx, name, change)
            except NotFound:
                pass

    def update(self, ctx: TenantContext, name: str, change: Callable[[Repository], None]) -> Repository:
        for _ in range(5):  # read-modify-write; another writer (the sync worker) may have moved the version
            repo = self.get(ctx, name)
            change(repo)
            repo.modified_at = self._clock.now()
            try:
                self._store.replace(self._tenant(ctx), self._record(ctx, repo, repo.stored_version))
                return repo
            except Conflict:
                continue
        raise Conflict(f"Repository '{name}' is being changed by another request; retry.")

    def delete(self, ctx: TenantContext, name: str) -> None:
        repo = self.get(ctx, name)
        users = self._users(ctx, repo)
        if users:
            raise InvalidInput(f"Repository '{name}' is used by application(s) {', '.join(users)}: delete them "
                               "first.", target="repositoryName")
        self._store.delete(self._tenant(ctx), Kind.REPOSITORY, name)

    def _users(self, ctx: TenantContext, repo: Repository) -> List[str]:
        key = canonical_url(repo.url)
        return [r.id for r in self._store.iterate(self._tenant(ctx), Kind.APPLICATION)
                if canonical_url(r.doc.get("repository_url", "")) == key]


def validate_name(name: str) -> str:
    if not NAME.match(name or ""):
        raise InvalidInput(f"Repository name '{name}' is invalid: use 1-51 lower-case letters, digits or '-'.",
                           target="name")
    return name
