"""Moving artifacts between S3 and an execution's folders (Argo's artifact semantics, small and local).

Download: an ai:// URL naming a prefix fills the declared path as a folder; one object lands at the path (or in
it, when the path ends with '/'); a gzip'd tar (our default output archive) is unpacked unless the path itself
names a .tgz/.tar.gz file. Upload: `archive: none` puts a folder's files under the prefix; otherwise one
tar.gz object at the artifact's URL.
"""
from __future__ import annotations

import io
import os
import shutil
import tarfile
from pathlib import Path, PurePosixPath
from typing import List

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
            target.chmod(member.mode & 0o777)  # an executable stays one (no setuid from an archive)
            count += 1
    return count


def _files(source: Path) -> List[Path]:
    """Regular files of a folder (or the file itself); links a step left are neither followed nor stored."""
    if not source.is_dir():
        return [source]
    found = []
    for folder, _, names in os.walk(source):  # never descends through a linked folder
        found += [Path(folder) / n for n in names if not os.path.islink(os.path.join(folder, n))
                  and os.path.isfile(os.path.join(folder, n))]
    return sorted(found)


def upload(store: ObjectStore, location: ObjectLocation, source: Path, archive: bool) -> int:
    """AI Core's layout (globalName outputs): the folder's files at the top of the archive or under the prefix.
    Returns the number of files stored; raises FileNotFoundError when the step produced nothing there."""
    if not source.exists() or source.is_symlink():
        raise FileNotFoundError(str(source))
    files = _files(source)
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


# -- Argo's artifact repository format (artifacts passed between pods) ---------------------------------------------
def pack(source: Path, name: str) -> bytes:
    """Argo's .tgz of an output path: the path's own name (as the template wrote it) is the top entry (the file, or
    the folder and all in it), so the reader can put it back under any name (`unpack`)."""
    if not source.exists() or source.is_symlink():
        raise FileNotFoundError(str(source))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        if source.is_dir():
            tar.add(source, arcname=name, recursive=False)
            for folder, dirs, _ in os.walk(source):
                for sub in sorted(dirs):
                    if not os.path.islink(os.path.join(folder, sub)):
                        path = Path(folder) / sub
                        tar.add(path, arcname=f"{name}/{path.relative_to(source).as_posix()}", recursive=False)
            for path in _files(source):
                tar.add(path, arcname=f"{name}/{path.relative_to(source).as_posix()}", recursive=False)
        else:
            tar.add(source, arcname=name, recursive=False)
    return buffer.getvalue()


def is_tarball(data: bytes) -> bool:
    """Argo's auto-detection: a gzip stream whose first tar header reads."""
    if data[:2] != b"\x1f\x8b":
        return False
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            return tar.next() is not None
    except (tarfile.TarError, OSError, EOFError):
        return False


def unpack(data: bytes, staging: Path) -> Path:
    """Extract a .tgz under `staging` (a fresh folder); returns what goes at the artifact's path: the single top
    entry when there is one (Argo's layout), else the folder of all entries (AI Core's layout), as Argo does."""
    _untar(data, staging)
    entries = list(staging.iterdir())
    return entries[0] if len(entries) == 1 else staging


def download_raw(store: ObjectStore, location: ObjectLocation, dest: Path) -> None:
    """An `archive: none` artifact: a folder's files under the key as a prefix, else the one object at the key."""
    keys = store.list_keys(location) if location.key else []
    if keys:
        prefix = location.key.rstrip("/") + "/"
        for key in keys:
            target = _inside(dest, key[len(prefix):])
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(store.get(_at(location, key)))
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(store.get(location))  # NotFound when neither


def upload_raw(store: ObjectStore, location: ObjectLocation, source: Path) -> None:
    """`archive: none`: a file as the object at the key, a folder's files under the key as a prefix."""
    if not source.exists() or source.is_symlink():
        raise FileNotFoundError(str(source))
    if not source.is_dir():
        store.put(location, source.read_bytes(), overwrite=True)
        return
    base = location.key.rstrip("/")
    for path in _files(source):
        store.put(_at(location, f"{base}/{path.relative_to(source).as_posix()}"), path.read_bytes(), overwrite=True)


def replace(source: Path, dest: Path, copy: bool = False) -> None:
    """Put `source` at `dest`, replacing what was there (an input artifact hides the image's files at its path, as
    Argo's artifact mount does). A link at dest is removed, never followed."""
    if dest.is_symlink() or dest.is_file():
        dest.unlink()
    elif dest.is_dir():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if not copy:
        shutil.move(str(source), str(dest))
    elif source.is_dir():
        shutil.copytree(source, dest, symlinks=True)
    else:
        shutil.copy2(source, dest)
