"""/v2/lm/dataset/files/<objectStoreSecret>/<path>: upload, download and delete dataset files.

Chalice has no greedy path parameter, so the route is registered once per depth (1..MAX_DEPTH segments); the
first segment names the object store secret, the rest is the file's path below its pathPrefix.
"""
from __future__ import annotations

from dataclasses import replace
from urllib.parse import unquote

from chalice import Blueprint, Response

from chalicelib.bootstrap import container
from chalicelib.domain.errors import InvalidInput
from chalicelib.schemas.dataset import FileCreated

from .routing import ROUTE_DOCS, json_response, route

bp = Blueprint(__name__)
BASE = "/v2/lm/dataset/files"
MAX_DEPTH = 10
# Downloads are attachments that a browser must neither sniff nor run.
DOWNLOAD_HEADERS = {
    "Content-Type": "application/octet-stream",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Content-Disposition": "attachment",
}


def _split(segments: dict) -> tuple:
    """(secret, path) from the matched segments.

    Clients differ in how they send the path: curl and the Python SDK send `default/data/train.csv` (several
    segments), SAP's JavaScript SDK percent-encodes it as one segment (`default%2Fdata%2Ftrain.csv`). Both address
    the same file, so segments are decoded once (Chalice's local gateway hands them over raw; API Gateway may hand
    them over decoded, and decoding a valid name again changes nothing: '%' is not allowed in one) and the joined
    result is split again. Only then does the domain validate it, so an encoded '..' or '/' gains nothing.
    """
    joined = "/".join(unquote(segments[f"p{i}"]) for i in range(1, len(segments) + 1))
    secret, _, path = joined.partition("/")
    if not secret or not path:
        raise InvalidInput(f"Path must be <objectStoreSecret>/<file path>, e.g. {BASE}/default/data/train.csv.",
                           target="path")
    return secret, path


def upload(req, **segments):
    secret, path = _split(segments)
    url = container().dataset_files.upload(req.ctx, secret, path, req.raw_body(), req.flag("overwrite"))
    body = FileCreated(message=f"File {secret}/{path} created successfully.", url=url)
    return json_response(body, 201, {"Location": url})


def download(req, **segments):
    secret, path = _split(segments)
    data = container().dataset_files.download(req.ctx, secret, path)
    return Response(body=data, status_code=200, headers=dict(DOWNLOAD_HEADERS))


def delete(req, **segments):
    secret, path = _split(segments)
    container().dataset_files.delete(req.ctx, secret, path)
    return Response(body="", status_code=204)


def _register() -> None:
    first_doc = len(ROUTE_DOCS)
    for depth in range(1, MAX_DEPTH + 1):
        path = BASE + "".join(f"/{{p{i}}}" for i in range(1, depth + 1))
        route(bp, path, ["PUT"], status=201, resource_group=True, response=FileCreated, query=("overwrite",),
              summary="Upload a file (raw bytes) to <objectStoreSecret>/<path>")(upload)
        route(bp, path, ["GET"], resource_group=True, content_type="application/octet-stream",
              summary="Download a file")(download)
        route(bp, path, ["DELETE"], status=204, resource_group=True, summary="Delete a file")(delete)
    # Document the family once, as a secret and a file name: OpenAPI has no parameter that spans segments (the
    # spec's `{path}` cannot hold a '/' there), so deeper paths are told in the parameter's description.
    documented = BASE + "/{object_store_secret}/{file_path}"
    docs = [replace(doc, path=documented) for doc in ROUTE_DOCS[first_doc:first_doc + 3]]
    ROUTE_DOCS[first_doc:] = docs


_register()
