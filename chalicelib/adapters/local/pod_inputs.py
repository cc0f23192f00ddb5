"""Input artifacts into a pod before it starts, as Argo's executor loads them (workflow/executor/executor.go,
loadArtifact): from the run's artifact repository (a tarball is detected and unpacked; its single top entry goes at
the path), from the configuration's bound artifact (AI Core's inputArtifactBindings, downloaded once per run), or
inline (`raw.data`); `mode` applied after. An artifact replaces what the image had at its path, as Argo's mount
hides it."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict

from chalicelib.domain.argo.pods import ArtifactInput
from chalicelib.domain.context import TenantContext
from chalicelib.domain.errors import DomainError, NotFound

from . import artifact_io
from .pod_files import PodError, PodFs, RunCache


@dataclass
class InputPlacer:
    ctx: TenantContext
    services: Any  # RunServices
    inputs: Dict[str, Any]  # binding key -> Artifact
    cache: RunCache
    default_location: Callable[[str], Any]  # object key -> ObjectLocation in the `default` store

    def place(self, fs: PodFs, item: ArtifactInput, staging: Path) -> None:
        """One input artifact at its path, replacing what the image had there (Argo mounts it over)."""
        dest = fs.host(item.path)
        staging.mkdir(parents=True, exist_ok=True)
        try:
            if item.raw is not None:
                (staging / "raw").write_text(item.raw)
                artifact_io.replace(staging / "raw", dest)
            elif item.stored is not None:
                if not self._place_stored(item, dest, staging):
                    return
            elif item.binding is not None:
                if not self._place_bound(item, dest):
                    return
            elif item.optional:
                return
            else:
                raise PodError(f"required artifact '{item.name}' not supplied")
        except (DomainError, ValueError, OSError) as err:
            raise PodError(f"artifact {item.name} failed to load: {getattr(err, 'message', None) or err}") from None
        if item.mode is not None and dest.exists() and not dest.is_symlink():
            dest.chmod(item.mode & 0o7777)

    def _place_stored(self, item: ArtifactInput, dest: Path, staging: Path) -> bool:
        stored = item.stored
        location = self.default_location(stored.key)
        try:
            if not stored.archived:
                artifact_io.download_raw(self.services.object_store, location, staging / "raw")
                artifact_io.replace(staging / "raw", dest)
                return True
            try:
                data = self.services.object_store.get(location)
            except NotFound:  # a key naming a folder (an `archive: none` output's prefix), as Argo's S3 driver
                artifact_io.download_raw(self.services.object_store, location, staging / "raw")
                artifact_io.replace(staging / "raw", dest)
                return True
        except NotFound:
            if item.optional:
                return False
            raise
        if artifact_io.is_tarball(data):
            artifact_io.replace(artifact_io.unpack(data, staging / "tar"), dest)
        else:  # a key-only artifact someone stored as a plain file
            (staging / "raw").write_bytes(data)
            artifact_io.replace(staging / "raw", dest)
        return True

    def _place_bound(self, item: ArtifactInput, dest: Path) -> bool:
        artifact = self.inputs.get(item.binding or "")
        if artifact is None:
            if item.optional:
                return False
            raise PodError(f"input artifact '{item.name}' is not bound: bind it in the configuration "
                           f"(inputArtifactBindings key '{item.binding}').")

        def download(where: Path, as_folder: bool) -> None:
            try:
                location = self.services.locations.resolve_url(self.ctx, artifact.url)
                artifact_io.download(self.services.object_store, location, where, as_folder=as_folder)
            except (DomainError, ValueError, OSError) as err:
                raise PodError(f"input artifact '{item.name}' ({artifact.url}) could not be downloaded: "
                               f"{getattr(err, 'message', None) or err}") from None
            if not where.exists():  # an empty prefix or archive: an empty folder, not a missing artifact
                where.mkdir(parents=True)

        artifact_io.replace(self.cache.input(item.binding or "", item.path, download), dest, copy=True)
        return True
