"""A pod's own file system on the host: <run folder>/pods/<pod>/fs, its top-level folders (/app, /data, /tmp ...)
bound into the sandbox, the image copied in, input artifacts placed, the run's shared volumes bound at their
mount paths. Nothing of another pod is there unless an artifact brought it.

The stack (root on the host) reads and writes inside a pod's folders while the pod's own links may point anywhere:
`PodFs.host` follows them as the pod would see them (inside the pod) and refuses a path that leaves the pod's
own folders, so an output artifact at a link to /root/.ssh can never make the stack read the host's file.
"""
from __future__ import annotations

import hashlib
import os
import posixpath
import re
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Set, Tuple

from .images import ImageRecipe, build_into, container_path, top_of
from .logs import _segment

MAX_LINKS = 40  # as the kernel's ELOOP limit
_PATH_WORD = re.compile(r"(?<![\w.~:/-])/[A-Za-z0-9_.][\w.@+-]*(?:/[\w.@+-]+)*")


class PodError(Exception):
    """The pod cannot be set up or its outputs cannot be read: the node's phase is Error, this is its message."""


@dataclass
class PodFs:
    fs: Path  # <pod>/fs: fs/<top> is the pod's /<top>
    tops: Set[str] = field(default_factory=set)
    binds: Dict[str, Path] = field(default_factory=dict)  # container mount path -> host folder (run volumes)

    def _map(self, parts: List[str]) -> Optional[Path]:
        if not parts:
            return None
        path = "/" + "/".join(parts)
        for mount in sorted(self.binds, key=len, reverse=True):
            if path == mount or path.startswith(mount + "/"):
                return self.binds[mount].joinpath(*path[len(mount):].split("/")[1:])
        return self.fs.joinpath(*parts) if parts[0] in self.tops else None

    def host(self, path: str) -> Path:
        """The host path of a container path, following the pod's links inside the pod (never to the host's
        files). PodError when it leads outside the pod's own folders (to the host's read-only ones)."""
        pending = [p for p in path.split("/") if p]
        current: List[str] = []
        links = 0
        while pending:
            part = pending.pop(0)
            if part in ("", "."):
                continue
            if part == "..":
                current = current[:-1]
                continue
            mapped = self._map(current + [part])
            if mapped is None:
                raise PodError(f"{path} is not in the pod's own folders (only /{', /'.join(sorted(self.tops))} "
                               "are)")
            if mapped.is_symlink():
                links += 1
                if links > MAX_LINKS:
                    raise PodError(f"{path}: too many levels of symbolic links")
                target = os.readlink(mapped)
                if target.startswith("/"):
                    current = []
                pending = [p for p in target.split("/") if p] + pending
                continue
            current.append(part)
            if not mapped.exists():  # the rest does not exist yet: nothing left to follow
                rest = posixpath.normpath("/" + "/".join(pending)).strip("/")
                current += [p for p in rest.split("/") if p]
                break
        mapped = self._map(current)
        if mapped is None:
            raise PodError(f"{path} is not in the pod's own folders")
        return mapped


@dataclass
class RunCache:
    """What every pod of one run starts from, prepared once: each image built into <run>/images/<n> (like a pull),
    each bound input artifact downloaded into <run>/inputs/<n>. Pods copy from here."""

    folder: Path
    _images: Dict[str, Tuple[ImageRecipe, Path]] = field(default_factory=dict)
    _inputs: Dict[Tuple[str, str], Path] = field(default_factory=dict)
    _locks: Dict[object, threading.Lock] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _once(self, key: object) -> threading.Lock:
        with self._lock:
            return self._locks.setdefault(key, threading.Lock())

    def image(self, image: str, recipe_of: Callable[[str], ImageRecipe]) -> Tuple[ImageRecipe, Path]:
        with self._once(("image", image)):
            if image not in self._images:
                built = self.folder / "images" / hashlib.sha256(image.encode()).hexdigest()[:16]
                shutil.rmtree(built, ignore_errors=True)
                recipe = recipe_of(image)
                built.mkdir(parents=True)
                build_into(recipe, built)
                self._images[image] = (recipe, built)
            return self._images[image]

    def input(self, binding: str, path: str, download: Callable[[Path, bool], None]) -> Path:
        """The downloaded copy of a bound artifact for a container path of this shape (a trailing / means a
        folder; a .tgz name keeps the archive): download(dest, as_folder) fills it once per run."""
        leaf = posixpath.basename(path.rstrip("/")) or "artifact"
        key = (binding, leaf + ("/" if path.endswith("/") else ""))
        with self._once(("input", key)):
            if key not in self._inputs:
                where = self.folder / "inputs" / hashlib.sha256(repr(key).encode()).hexdigest()[:16]
                shutil.rmtree(where, ignore_errors=True)
                where.mkdir(parents=True)
                download(where / leaf, path.endswith("/"))
                self._inputs[key] = where / leaf
            return self._inputs[key]


def copy_image(built: Path, fs: Path) -> Set[str]:
    """The image's files into a fresh pod: a plain copy of each top (a trivial image has none: nothing to do)."""
    tops = set()
    for entry in os.scandir(built):
        target = fs / entry.name
        if entry.is_dir(follow_symlinks=False):
            shutil.copytree(entry.path, target, symlinks=True)
        elif entry.is_file(follow_symlinks=False):
            shutil.copy2(entry.path, target)
        else:
            continue
        tops.add(entry.name)
    return tops


def named_paths(words: Iterable[str]) -> List[str]:
    """Absolute paths a command names (`--output /data/processed`, `cat /tmp/x > /mnt/out`)."""
    found: List[str] = []
    for word in words:
        for match in _PATH_WORD.findall(str(word)):
            clean = posixpath.normpath(match.rstrip("."))
            if clean not in found:
                found.append(clean)
    return found


def unused_tops(paths: Iterable[str], refused: Set[str]) -> Set[str]:
    """Tops of paths a command names that do not exist on the host (/data, /output ...): in a container the root is
    writable, so `mkdir -p /data/x` works; here such a top becomes one of the pod's own folders. A top the host
    has (/opt, /home ...) stays the host's, read-only: replacing it could hide what the program needs."""
    tops = set()
    for path in paths:
        top = top_of(path)
        if top and top not in refused and not os.path.lexists("/" + top):
            tops.add(top)
    return tops


def make_tops(fs: Path, tops: Iterable[str]) -> None:
    for top in tops:
        target = fs / top
        if target.is_symlink():
            raise PodError(f"/{top} is a link in the image; the local engine needs a folder or file there")
        if not target.exists():
            target.mkdir(parents=True)


def write_file(fs: PodFs, path: str, text: str) -> None:
    target = fs.host(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_dir() and not target.is_symlink():
        raise PodError(f"{path} is a folder")
    target.unlink(missing_ok=True)
    target.write_text(text)


def volume_binds(request, mounts: List[Dict[str, Any]], volumes: Path) -> Dict[str, Path]:
    """volumeClaimTemplates: one folder per run, bound at each pod's mountPath; emptyDir needs no bind."""
    empty = {str(v.get("name")) for v in request.volumes if isinstance(v, dict) and "emptyDir" in v}
    binds: Dict[str, Path] = {}
    for mount in mounts:
        name, path = str(mount.get("name")), posixpath.normpath("/" + str(mount["mountPath"]))
        if path == "/":
            raise PodError(f"volumeMounts: volume \"{name}\" cannot be mounted at /")
        if name in request.run_volumes:
            if any(path.startswith(other + "/") or other.startswith(path + "/") for other in binds):
                raise PodError(f"volumeMounts: '{path}' is nested in another volume's mount path")
            host = volumes / _segment(name)
            host.mkdir(parents=True, exist_ok=True)
            binds[path] = host
        elif name not in empty:
            raise PodError(f'volumeMounts: volume "{name}" not found (the local engine has emptyDir volumes '
                           "and volumeClaimTemplates)")
    return binds


__all__ = ["PodError", "PodFs", "RunCache", "copy_image", "named_paths", "unused_tops", "make_tops", "write_file",
           "volume_binds", "container_path"]
