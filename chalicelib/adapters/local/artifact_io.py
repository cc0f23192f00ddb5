"""Moving artifacts between S3 and an execution's folders (Argo's artifact semantics, small and local).

Download: an ai:// URL naming a prefix fills the declared path as a folder; one object lands at the path (or in
it, when the path ends with '/'); a gzip'd tar (our default output archive) is unpacked unless the path itself
names a .tgz/.tar.gz file. Upload: `archive: none` puts a folder's files under the prefix; otherwise one
tar.gz object at the artifact's URL.
"""
from __future__ import annotations

import io
import tarfile
from pathlib import Path, PurePosixPath

from chalicelib.domain.object_store import ObjectLocation, ObjectStore


def _inside(root: Path, relative: str) -> Path:
    target = (root / relative).resolve()
    if target != root.resolve() and root.resolve() not in target.parents:
        raise ValueError(f"artifact member '{relative}' would leave {root}")
    return target


def _at(location: ObjectLocation, key: str) -> ObjectLocation:
    return ObjectLocation(location.bucket, key, location.connection, location.url, location.secret)


def download(store: ObjectStore, location: ObjectLocation, dest: Path, as_folder: bool) -> int:
    """Returns the number of files written."""
    keys = store.list_keys(location) if location.key else []
    prefix = location.key.rstrip("/") + "/"
    if keys:
        for key in keys:
            target = _inside(dest, key[len(prefix):])
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(store.get(_at(location, key)))
        return len(keys)
    data = store.get(location)  # NotFound when neither a prefix nor an object
    name = PurePosixPath(location.key).name or "artifact"
    if data[:2] == b"\x1f\x8b" and not dest.name.endswith((".tgz", ".gz")):
        return _untar(data, dest)
    target = dest / name if as_folder or dest.is_dir() else dest
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return 1


def _untar(data: bytes, dest: Path) -> int:
    count = 0
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            if not (member.isfile() or member.isdir()):
                continue  # no links or devices from an archive
            target = _inside(dest, member.name)
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as source:
                target.write_bytes(source.read())
            count += 1
    return count


def upload(store: ObjectStore, location: ObjectLocation, source: Path, archive: bool) -> int:
    """Returns the number of files stored; raises FileNotFoundError when the step produced nothing there."""
    if not source.exists():
        raise FileNotFoundError(str(source))
    files = sorted(p for p in source.rglob("*") if p.is_file() and not p.is_symlink()) if source.is_dir() \
        else [source]
    if archive:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            for path in files:
                tar.add(path, arcname=str(path.relative_to(source)) if source.is_dir() else path.name,
                        recursive=False)
        store.put(location, buffer.getvalue(), overwrite=True)
        return len(files)
    base = location.key.rstrip("/")
    for path in files:
        relative = path.relative_to(source).as_posix() if source.is_dir() else path.name
        store.put(_at(location, f"{base}/{relative}"), path.read_bytes(), overwrite=True)
    return len(files)
