"""Dataset files (/lm/dataset/files/<secret>/<path>): upload, download and delete through the API."""
from __future__ import annotations

from .context import TenantContext
from .errors import AlreadyExists, PayloadTooLarge
from .object_store import ObjectStore, ObjectStoreResolver


class DatasetFileService:
    def __init__(self, resolver: ObjectStoreResolver, store: ObjectStore, max_bytes: int):
        self._resolver = resolver
        self._store = store
        self._max_bytes = max_bytes

    def upload(self, ctx: TenantContext, secret: str, path: str, data: bytes, overwrite: bool) -> str:
        """Store the file and return its ai:// URL (to register as an artifact)."""
        if len(data) > self._max_bytes:
            raise PayloadTooLarge(f"The file is {len(data)} bytes; files of at most {self._max_bytes} bytes can be "
                                  "uploaded.")
        location = self._resolver.locate(ctx, secret, path)
        try:
            self._store.put(location, data, overwrite)
        except AlreadyExists:
            raise AlreadyExists(f"File {secret}/{path} already exists; send overwrite=true to replace it.",
                                target="path") from None
        return location.url

    def download(self, ctx: TenantContext, secret: str, path: str) -> bytes:
        return self._store.get(self._resolver.locate(ctx, secret, path))

    def delete(self, ctx: TenantContext, secret: str, path: str) -> None:
        self._store.delete(self._resolver.locate(ctx, secret, path))
