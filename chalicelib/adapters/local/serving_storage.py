"""Download a predictor's model (an ai:// artifact URL) into its folder, as KServe's storage initializer does.

Same semantics as execution input artifacts (artifact_io.download): the URL names a folder (every object under it,
relative paths kept) or one object (a .tar.gz is unpacked, as the storage initializer unpacks archives).
"""
from __future__ import annotations

from pathlib import Path

from chalicelib.domain.context import TenantContext
from chalicelib.domain.errors import DomainError, NotFound
from chalicelib.domain.serving import RenderError


class ArtifactFetcher:
    def __init__(self, locations, object_store):
        self._locations = locations  # domain.object_store.ObjectStoreResolver
        self._object_store = object_store  # S3ObjectStore

    def __call__(self, ctx: TenantContext, url: str, dest: Path) -> None:
        from botocore.exceptions import ClientError

        from .artifact_io import download

        if not url.startswith("ai://"):
            raise RenderError(f"storageUri '{url[:200]}' is not an ai:// artifact URL; the local engine downloads "
                              "only artifacts registered in the resource group's object stores.")
        try:
            location = self._locations.resolve_url(ctx, url)
            download(self._object_store, location, dest, as_folder=True)
        except NotFound as err:
            raise RenderError(f"Nothing found at {url} (no object and no folder): upload the model there "
                              f"first. ({err.message})") from None
        except DomainError as err:  # refused, unreachable (bounded: S3ObjectStore), misconfigured secret
            raise RenderError(f"The model at {url} could not be downloaded: {err.message}") from None
        except ValueError as err:
            raise RenderError(f"The model at {url} cannot be used: {err}.") from None
        except ClientError as err:  # an S3 answer S3ObjectStore has no domain meaning for
            code = err.response.get("Error", {}).get("Code", "error")
            raise RenderError(f"The model at {url} could not be downloaded ({code}); check the artifact URL and its "
                              "object store secret.") from None
