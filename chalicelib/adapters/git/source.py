"""TemplateSource on dulwich: fetch into a per-tenant bare cache, then read template files from Git objects.

Files are read from Git trees, never from a checkout, so a path cannot leave the repository and symlinks are
never followed (they are skipped). Works for https:// (with the repository's username/password), file:// and
local paths (the local stack) through the same fetch code.
"""
from __future__ import annotations

import hashlib
import re
import stat
import threading
from pathlib import Path
from typing import Dict, List, Optional

from dulwich.client import get_transport_and_path
from dulwich.object_store import peel_sha
from dulwich.objects import Commit, Tree
from dulwich.repo import Repo

from chalicelib.domain.repositories import canonical_url
from chalicelib.domain.sync import GitAccess, Snapshot, SourceFile, TemplateSourceError

FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
SHORT_SHA = re.compile(r"^[0-9a-f]{7,39}$")
TEMPLATE_SUFFIXES = (".yaml", ".yml")


class DulwichTemplateSource:
    def __init__(self, cache_dir: Path, max_files: int = 500, max_file_bytes: int = 1_000_000,
                 timeout_seconds: float = 60.0):
        self._cache_dir = Path(cache_dir)
        self._max_files = max_files
        self._max_file_bytes = max_file_bytes
        self._timeout = timeout_seconds
        self._locks: Dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    # -- port ------------------------------------------------------------------------------------------------
    def head(self, scope: str, access: GitAccess, revision: str) -> str:
        if FULL_SHA.match(revision.lower()):
            return revision.lower()
        client, remote = self._client(access)
        try:
            listing = client.get_refs(remote)
        except Exception as err:  # noqa: BLE001 - transports raise many types; all mean "cannot read"
            raise TemplateSourceError(_describe(access, err)) from None
        refs = _text_refs(listing.refs)
        name = _ref_name(refs, revision)
        if name is None:
            raise TemplateSourceError(_unknown_revision(access, revision))
        peeled = refs.get(name + "^{}")
        if peeled:
            return peeled
        cache = self._cache(scope, access, create=False)
        if cache is not None:  # a tag object: peel it with what the last fetch brought
            with cache:
                try:
                    return peel_sha(cache.object_store, refs[name].encode())[1].id.decode()
                except KeyError:
                    pass
        return refs[name]

    def snapshot(self, scope: str, access: GitAccess, revision: str, path: str) -> Snapshot:
        with self._lock(scope, access):
            repo = self._cache(scope, access, create=True)
            with repo:
                commit = self._fetch_commit(repo, access, revision)
                tree = self._subtree(repo, commit, path)
                files: List[SourceFile] = []
                self._collect(repo, tree, path, files)
                return Snapshot(revision=commit.id.decode(), files=sorted(files, key=lambda f: f.path))

    # -- fetching --------------------------------------------------------------------------------------------
    def _client(self, access: GitAccess):
        kwargs = {}
        if access.url.lower().startswith(("https://", "http://")):
            from dulwich.client import default_urllib3_manager

            kwargs = {"username": access.username or None, "password": access.password or None,
                      "pool_manager": default_urllib3_manager(None, timeout=self._timeout)}
        try:
            return get_transport_and_path(access.url, **kwargs)
        except Exception as err:  # noqa: BLE001
            raise TemplateSourceError(_describe(access, err)) from None

    def _fetch_commit(self, repo: Repo, access: GitAccess, revision: str) -> Commit:
        client, remote = self._client(access)
        try:
            result = client.fetch(remote, repo)
        except Exception as err:  # noqa: BLE001
            raise TemplateSourceError(_describe(access, err)) from None
        refs = _text_refs(result.refs)
        name = _ref_name(refs, revision)
        sha: Optional[str] = refs[name] if name else None
        if sha is None and (SHORT_SHA.match(revision.lower()) or FULL_SHA.match(revision.lower())):
            matches = list(repo.object_store.iter_prefix(revision.lower().encode()))
            sha = matches[0].decode() if len(matches) == 1 else None
        if sha is None:
            raise TemplateSourceError(_unknown_revision(access, revision))
        try:
            _, obj = peel_sha(repo.object_store, sha.encode())
        except KeyError:
            raise TemplateSourceError(_unknown_revision(access, revision)) from None
        if not isinstance(obj, Commit):
            raise TemplateSourceError(f"revision '{revision}' of {access.url} is not a commit")
        return obj

    def _cache(self, scope: str, access: GitAccess, create: bool) -> Optional[Repo]:
        # One bare cache per tenant and URL: a tenant never reads objects fetched with another's credentials.
        key = hashlib.sha256(f"{scope}\0{canonical_url(access.url)}".encode()).hexdigest()[:32]
        where = self._cache_dir / key
        if (where / "objects").is_dir():
            return Repo(str(where))
        if not create:
            return None
        where.mkdir(parents=True, exist_ok=True)
        return Repo.init_bare(str(where))

    def _lock(self, scope: str, access: GitAccess) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(f"{scope}\0{canonical_url(access.url)}", threading.Lock())

    # -- reading ---------------------------------------------------------------------------------------------
    def _subtree(self, repo: Repo, commit: Commit, path: str) -> Tree:
        tree = repo[commit.tree]
        for part in [p for p in path.split("/") if p]:
            try:
                mode, sha = tree[part.encode()]
            except KeyError:
                mode, sha = None, None
            if mode is None or not stat.S_ISDIR(mode):
                raise TemplateSourceError(f"app path '{path}' does not exist in commit {commit.id.decode()[:12]} "
                                          "(or is not a directory)")
            tree = repo[sha]
        return tree

    def _collect(self, repo: Repo, tree: Tree, prefix: str, out: List[SourceFile]) -> None:
        for entry in tree.iteritems():
            name = entry.path.decode("utf-8", "replace")
            if name.startswith("."):
                continue  # .github/, .gitlab-ci.yml and friends are not templates
            full = f"{prefix}/{name}" if prefix else name
            if stat.S_ISDIR(entry.mode):
                self._collect(repo, repo[entry.sha], full, out)
            elif stat.S_ISREG(entry.mode) and name.lower().endswith(TEMPLATE_SUFFIXES):
                if len(out) >= self._max_files:
                    raise TemplateSourceError(f"more than {self._max_files} template files under the app path")
                out.append(self._read(repo, entry.sha, full))
            # symlinks (S_IFLNK) and submodules (gitlinks) are skipped: never followed out of the tree

    def _read(self, repo: Repo, sha: bytes, path: str) -> SourceFile:
        data = repo[sha].as_raw_string()
        if len(data) > self._max_file_bytes:
            return SourceFile(path, error=f"file is larger than {self._max_file_bytes} bytes")
        try:
            return SourceFile(path, text=data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            return SourceFile(path, error="file is not UTF-8 text")


def _text_refs(refs: dict) -> Dict[str, str]:
    return {k.decode(): v.decode() for k, v in (refs or {}).items() if v}


def _ref_name(refs: Dict[str, str], revision: str) -> Optional[str]:
    for name in (revision, f"refs/heads/{revision}", f"refs/tags/{revision}"):
        if name in refs:
            return name
    return None


def _unknown_revision(access: GitAccess, revision: str) -> str:
    return f"revision '{revision}' not found in {access.url}: use HEAD, a branch, a tag or a commit sha"


def _describe(access: GitAccess, err: Exception) -> str:
    # Exception texts from transports may echo the URL but never the password (it is not part of the URL).
    text = str(err).replace(access.password, "***") if access.password else str(err)
    return f"cannot read repository {access.url}: {type(err).__name__}: {text[:300]}"
