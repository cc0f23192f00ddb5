"""The default image folder: the synced repository itself, checked out at the synced commit.

An image not named in images.yaml is looked for in the application's repository (the commit the last sync read):
the folder holding a Dockerfile; with several, the one whose folder name appears in the image name. Checkouts
are exported from the stack's bare Git cache into AICORE_HOME/checkouts/<tenant>/<commit>/ once, read from Git
objects (symlinks and oversized trees are refused), never written outside that folder.
"""
from __future__ import annotations

import re
import stat
import threading
from pathlib import Path, PurePosixPath
from typing import List, Optional, Tuple

from dulwich.objects import Blob, Commit, Tree

from chalicelib.domain.context import TenantContext
from chalicelib.domain.records import Kind
from chalicelib.domain.sync import GitAccess

from .images import ImageError
from .logs import _segment

MAX_FILES, MAX_BYTES = 5_000, 200_000_000
_lock = threading.Lock()


class RepositoryCheckouts:
    def __init__(self, source, root: Path):
        self._source = source  # DulwichTemplateSource: its bare cache has the synced commits
        self._root = Path(root)

    def folder_for(self, tenant: str, url: str, commit: str, image: str) -> Optional[Path]:
        if not re.fullmatch(r"[0-9a-f]{40}", commit or ""):
            return None
        checkout = self._export(tenant, url, commit)
        if checkout is None:
            return None
        folders = sorted({p.parent for p in checkout.rglob("Dockerfile") if p.is_file()}, key=lambda p: len(p.parts))
        if len(folders) <= 1:
            return folders[0] if folders else None
        name = image.rsplit("/", 1)[-1].split(":", 1)[0].lower()
        matching = [f for f in folders if f.name.lower() in name or name in f.name.lower()]
        if len(matching) == 1:
            return matching[0]
        listed = ", ".join(str(f.relative_to(checkout)) for f in folders)
        raise ImageError(f"The repository has several Dockerfiles ({listed}) and none matches image '{image}' by "
                         "folder name: map the image in AICORE_HOME/images.yaml.")

    def _export(self, tenant: str, url: str, commit: str) -> Optional[Path]:
        target = self._root / _segment(tenant) / commit
        with _lock:
            if (target / ".complete").exists():
                return target
            repo = self._source._cache(tenant, GitAccess(url, None, None), create=False)
            if repo is None:
                return None
            with repo:
                try:
                    obj = repo.object_store[commit.encode()]
                except KeyError:
                    return None
                if not isinstance(obj, Commit):
                    return None
                files: List[tuple] = []
                self._walk(repo, repo.object_store[obj.tree], PurePosixPath(), files)
                if len(files) > MAX_FILES or sum(len(blob.data) for _, blob, _ in files) > MAX_BYTES:
                    raise ImageError(f"The repository is too large to use as an image folder (over {MAX_FILES} "
                                     "files or 200 MB): map the image in AICORE_HOME/images.yaml.")
                for path, blob, mode in files:
                    out = target / path
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(blob.data)
                    if mode & 0o111:  # Git's 100755: a program the image runs (Argo's argosay) stays executable
                        out.chmod(0o755)
            (target / ".complete").write_text(commit)
            return target

    def _walk(self, repo, tree: Tree, prefix: PurePosixPath, files: List[tuple]) -> None:
        for entry in tree.iteritems():
            name = entry.path.decode("utf-8", "replace")
            if name in (".", "..") or "/" in name or name == ".git":
                continue
            if stat.S_ISDIR(entry.mode):
                self._walk(repo, repo.object_store[entry.sha], prefix / name, files)
            elif stat.S_ISREG(entry.mode):
                blob = repo.object_store[entry.sha]
                if isinstance(blob, Blob):
                    files.append((prefix / name, blob, entry.mode))
                    if len(files) > MAX_FILES:
                        return


def synced_repository(store, ctx, executable) -> Optional[Tuple[str, str]]:
    """(repository URL, synced commit) an executable's template came from: its image's default folder lives there."""
    if executable is None or not executable.application:
        return None
    record = store.get(TenantContext(ctx.tenant), Kind.APPLICATION, executable.application)
    if record is None:
        return None
    url, commit = record.doc.get("repository_url"), record.doc.get("synced_revision")
    return (url, commit) if url and commit else None


def default_image_folder(checkouts: Optional["RepositoryCheckouts"], store, ctx, executable, image: str):
    """A callable for ImageResolver.recipe: the synced repository's Dockerfile folder, looked up only if needed."""
    def folder() -> Optional[Path]:
        repository = synced_repository(store, ctx, executable) if checkouts is not None else None
        return checkouts.folder_for(ctx.tenant, repository[0], repository[1], image) if repository else None

    return folder

