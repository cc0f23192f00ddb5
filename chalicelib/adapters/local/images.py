"""Images without Docker: which host folder an image is built from, and what its Dockerfile puts where.

`AICORE_HOME/images.yaml` maps an image (exact, or without its tag, or "*") to a folder:
    images:
      docker.io/me/house-price:01: ../house-price      # relative to the folder holding .aicore
A folder with a Dockerfile gets its WORKDIR, ENV, COPY/ADD (copied into the pod's own file system, like a
build), `RUN chmod` and ENTRYPOINT/CMD honoured (no other RUN command runs). An image with no folder runs with
nothing copied, starting in "/" (the template's artifact and volume paths still resolve to the pod's folders).
"""
from __future__ import annotations

import json
import posixpath
import re
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import yaml

SKIP = shutil.ignore_patterns(".git", ".aicore", "__pycache__", ".venv", "node_modules")


@dataclass
class ImageRecipe:
    folder: Optional[Path] = None
    workdir: str = "/"
    env: Dict[str, str] = field(default_factory=dict)
    copies: List[Tuple[List[str], str]] = field(default_factory=list)  # (sources, container destination)
    entrypoint: List[str] = field(default_factory=list)
    cmd: List[str] = field(default_factory=list)
    chmods: List[Tuple[str, bool, List[str]]] = field(default_factory=list)  # RUN chmod: (mode, -R, paths)


class ImageError(Exception):
    pass


def _exec_form(text: str) -> List[str]:
    text = text.strip()
    if text.startswith("["):
        try:
            value = json.loads(text)
            return [str(v) for v in value]
        except ValueError:
            pass
    return ["/bin/sh", "-c", text]


def parse_dockerfile(text: str) -> ImageRecipe:
    recipe = ImageRecipe()
    lines, buffer = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        lines.append(buffer + line)
        buffer = ""
    for line in lines:
        word, _, rest = line.partition(" ")
        word, rest = word.upper(), rest.strip()
        if word == "FROM":
            recipe = ImageRecipe()  # multi-stage: the last stage is the image
        elif word == "WORKDIR":
            recipe.workdir = posixpath.normpath(posixpath.join(recipe.workdir, rest))
        elif word == "ENV":
            if "=" in rest.split(" ", 1)[0]:
                for pair in shlex.split(rest):
                    key, _, value = pair.partition("=")
                    recipe.env[key] = value
            else:
                key, _, value = rest.partition(" ")
                recipe.env[key] = value.strip()
        elif word in ("COPY", "ADD"):
            parts = [p for p in (_exec_form(rest) if rest.startswith("[") else shlex.split(rest))]
            if any(p.startswith("--from") for p in parts):
                continue  # from another stage: nothing on the host to copy
            parts = [p for p in parts if not p.startswith("--")]
            if len(parts) >= 2:
                dest = parts[-1]
                as_folder = dest.endswith("/") or dest in (".", "..")  # Docker: a trailing / or . is a folder
                full = posixpath.normpath(posixpath.join(recipe.workdir, dest))
                recipe.copies.append((parts[:-1], full.rstrip("/") + "/" if as_folder else full))
        elif word == "RUN":
            recipe.chmods += _chmods(rest, recipe.workdir)
        elif word == "ENTRYPOINT":
            recipe.entrypoint = _exec_form(rest)
        elif word == "CMD":
            recipe.cmd = _exec_form(rest)
    return recipe


def _chmods(command: str, workdir: str) -> List[Tuple[str, bool, List[str]]]:
    """The `chmod` commands of a RUN line (alone or joined by &&): nothing else of RUN runs here, but a copied
    program made executable this way (Argo's `COPY argosay /argosay` + `RUN chmod +x /argosay`) must stay so."""
    found = []
    for part in command.split("&&"):
        try:
            words = shlex.split(part)
        except ValueError:
            continue
        if len(words) < 3 or words[0] != "chmod":
            continue
        flags = [w for w in words[1:] if w.startswith("-") and not _MODE.fullmatch(w)]
        rest = [w for w in words[1:] if w not in flags]
        paths = [posixpath.normpath(posixpath.join(workdir, p)) for p in rest[1:]]
        if _MODE.fullmatch(rest[0]) and paths:
            found.append((rest[0], any("R" in f for f in flags), paths))
    return found


_MODE = re.compile(r"[0-7]{3,4}|([ugoa]*[-+=][rwxX]*)(,[ugoa]*[-+=][rwxX]*)*")
_BITS = {"u": 0o700, "g": 0o070, "o": 0o007, "a": 0o777}


def apply_mode(mode: str, current: int, is_dir: bool) -> int:
    """chmod's octal or symbolic mode (u+x, a=rx, +x ...) applied to the current permission bits."""
    if mode.isdigit():
        return int(mode, 8)
    for clause in mode.split(","):
        who, op, perms = re.fullmatch(r"([ugoa]*)([-+=])([rwxX]*)", clause).groups()
        mask = 0
        for w in who or "a":
            mask |= _BITS[w]
        bits = 0
        for p in perms:
            if p == "X" and not (is_dir or current & 0o111):
                continue
            bits |= {"r": 0o444, "w": 0o222, "x": 0o111, "X": 0o111}[p]
        bits &= mask
        current = current | bits if op == "+" else current & ~bits if op == "-" else (current & ~mask) | bits
    return current


class ImageResolver:
    def __init__(self, mapping_file: Path):
        self._file = Path(mapping_file)

    def _mapping(self) -> Dict[str, str]:
        try:
            data = yaml.safe_load(self._file.read_text()) or {}
        except FileNotFoundError:
            return {}
        except yaml.YAMLError as err:
            raise ImageError(f"{self._file} is not valid YAML: {err}") from None
        images = data.get("images", data) if isinstance(data, dict) else {}
        return {str(k): str(v) for k, v in images.items()} if isinstance(images, dict) else {}

    def folder(self, image: str) -> Optional[Path]:
        mapping = self._mapping()
        bare = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
        for key in (image, bare, "*"):
            if key in mapping:
                base = self._file.parent.parent if self._file.parent.name == ".aicore" else self._file.parent
                folder = (base / mapping[key]).resolve()
                if not folder.is_dir():
                    raise ImageError(f"{self._file} maps image '{image}' to '{folder}', which is not a folder.")
                return folder
        return None

    def recipe(self, image: str, default: Optional[Callable[[], Optional[Path]]] = None) -> ImageRecipe:
        """`default` finds a folder for images the mapping does not name (the synced repository)."""
        folder = self.folder(image)
        if folder is None and default is not None:
            folder = default()
        if folder is None:
            return ImageRecipe()
        dockerfile = folder / "Dockerfile"
        recipe = parse_dockerfile(dockerfile.read_text()) if dockerfile.is_file() else ImageRecipe()
        recipe.folder = folder
        return recipe


def build_into(recipe: ImageRecipe, fs: Path) -> None:
    """Do the recipe's COPY/ADD into the execution's file system `fs` (container path /x -> fs/x)."""
    if recipe.folder is None:
        return
    root = recipe.folder.resolve()
    for sources, dest in recipe.copies:
        target = container_path(fs, dest)
        for source in sources:
            src = (root / source).resolve()
            if src != root and root not in src.parents:
                raise ImageError(f"Dockerfile COPY source '{source}' leaves the image folder {root}.")
            if src.is_dir():
                shutil.copytree(src, target, dirs_exist_ok=True, ignore=SKIP, symlinks=True)
            elif src.is_file():
                into = target / src.name if dest.endswith("/") or len(sources) > 1 else target
                into.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, into)  # keeps the mode: an executable stays executable
    for mode, recursive, paths in recipe.chmods:
        for path in paths:
            target = container_path(fs, path)
            if target.is_symlink() or not target.exists():
                continue
            for each in [target, *(target.rglob("*") if recursive and target.is_dir() else [])]:
                if not each.is_symlink():
                    each.chmod(apply_mode(mode, each.stat().st_mode & 0o7777, each.is_dir()))


def container_path(fs: Path, path: str) -> Path:
    """Container absolute path -> the folder under fs; never outside fs."""
    clean = posixpath.normpath("/" + path).lstrip("/")
    return fs / clean if clean and clean != "." else fs


def top_of(path: str) -> Optional[str]:
    clean = posixpath.normpath("/" + path).lstrip("/")
    return clean.split("/", 1)[0] if clean and clean != "." else None
