"""Download a predictor's model (an ai:// artifact URL) into its folder, as KServe's storage initializer does.

The URL names a folder (every object under `<key>/` is copied, keeping relative paths) or a single object
(copied under its base name). Keys that would escape the destination are refused.
"""
from __future__ import annotations

from pathlib import Path

from chalicelib.domain.context import TenantContext
from chalicelib.domain.serving import RenderError


class ArtifactFetcher:
    def __init__(self, locations, object_store, max_bytes: int = 2 * 1024 ** 3):
        self._locations = locations  # domain.object_store.ObjectStoreResolver
        self._object_store = object_store  # S3ObjectStore (its client for listing)
        self._max_bytes = max_bytes

    def __call__(self, ctx: TenantContext, url: str, dest: Path) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self._fetch(ctx, url, dest)
        except ClientError as err:
            code = err.response.get("Error", {}).get("Code", "error")
            raise RenderError(f"The model at {url} could not be downloaded ({code}); check the artifact URL and its "
                              "object store secret.") from None
        except BotoCoreError as err:
            raise RenderError(f"The object store behind {url} cannot be reached ({type(err).__name__}).") from None

    def _fetch(self, ctx: TenantContext, url: str, dest: Path) -> None:
        if not url.startswith("ai://"):
            raise RenderError(f"storageUri '{url[:200]}' is not an ai:// artifact URL; the local engine downloads "
                              "only artifacts registered in the resource group's object stores.")
        location = self._locations.resolve_url(ctx, url)
        from chalicelib.adapters.aws.s3_store import _client

        client = _client(location.connection)
        prefix = location.key.rstrip("/") + "/" if location.key else ""
        root = dest.resolve()
        total, copied = 0, 0
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=location.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                relative = item["Key"][len(prefix):]
                target = (root / relative).resolve()
                if not relative or relative.endswith("/") or root not in target.parents:
                    continue
                total += item.get("Size", 0)
                if total > self._max_bytes:
                    raise RenderError(f"The model at {url} is larger than {self._max_bytes} bytes.")
                target.parent.mkdir(parents=True, exist_ok=True)
                client.download_file(location.bucket, item["Key"], str(target))
                copied += 1
        if copied:
            return
        if location.key and self._object_store.exists(location):  # a single file, not a folder
            (root / Path(location.key).name).write_bytes(self._object_store.get(location))
            return
        raise RenderError(f"Nothing found at {url} (no object and no folder): upload the model there first.")
