"""Makes the in-memory moto server durable: every acknowledged DynamoDB/S3 write is journaled first.

`DurableApp` wraps moto's WSGI app. After moto answers a mutating request with 2xx, and before that answer
leaves, it reads the state of every key the request touched back from moto (BatchGetItem / GetObject, in
process, no socket) and appends that state to the journal with an fsync. Reading the result instead of
recording the request keeps replay free of conditions and random ids (multipart upload ids, UpdateItem
counters), and a per-key lock around read-and-append keeps the last journal entry of a key its newest state.

At start `restore()` replays the snapshot and journal into the fresh moto before it serves, then compacts.
Not journaled (the stack does not use them): PartiQL writes, object tags and ACLs, versions other than the
latest, DynamoDB streams and backups.
"""
from __future__ import annotations

import base64
import io
import json
import logging
import sys
import threading
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple
from urllib.parse import parse_qs, quote, unquote
from xml.etree import ElementTree

from werkzeug.test import EnvironBuilder

from .journal import Journal

log = logging.getLogger("aicore.journal")

DDB_ITEM_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
DDB_DDL = {"CreateTable", "UpdateTable", "DeleteTable", "UpdateTimeToLive"}
KEPT_OBJECT_HEADERS = ("content-type", "content-encoding", "content-disposition", "content-language",
                       "cache-control", "expires", "x-amz-storage-class", "x-amz-website-redirect-location")
DEFAULT_ACCOUNT = "123456789012"
_STRIPES = 64


class DurableApp:
    def __init__(self, app: Callable, journal: Journal):
        self._app = app
        self._journal = journal
        self._stripes = [threading.Lock() for _ in range(_STRIPES)]
        self._key_names: Dict[str, List[str]] = {}

    # -- WSGI ------------------------------------------------------------------------------------------
    def __call__(self, environ: Dict[str, Any], start_response: Callable):
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("PUT", "POST", "DELETE") or environ.get("PATH_INFO", "").startswith("/moto-api"):
            return self._app(environ, start_response)
        request = _Request(environ)
        if request.service == "dynamodb":
            request.read_body()
        elif request.service == "s3" and (request.object_key is None):
            request.read_body()  # bucket-level: small XML bodies (CreateBucket, DeleteObjects, settings)
        status: List[str] = []

        def recording_start_response(code, headers, exc_info=None):
            status.append(code)
            return start_response(code, headers, exc_info)

        result = self._app(environ, recording_start_response)
        if status and status[0].startswith("2"):
            try:
                self._journal_write(request)
            except Exception:  # noqa: BLE001 - never acknowledge a write that is not on disk
                log.exception("could not journal %s %s", method, request.path)
                if hasattr(result, "close"):
                    result.close()
                start_response("503 Service Unavailable", [("Content-Type", "text/plain")], sys.exc_info())
                return [b"the write was applied in memory but could not be made durable; see the stack log"]
        return result

    # -- capture -----------------------------------------------------------------------------------------
    def _journal_write(self, request: "_Request") -> None:
        if request.service == "dynamodb":
            self._dynamodb(request)
        elif request.service == "s3":
            self._s3(request)

    def _dynamodb(self, request: "_Request") -> None:
        target = request.target
        body = json.loads(request.body or b"{}")
        ctx = {"account": request.account, "region": request.region}
        if target in DDB_DDL:
            table = body.get("TableName")
            if target == "CreateTable":
                self._key_names[self._tid(ctx, table)] = [k["AttributeName"] for k in body.get("KeySchema", [])]
            with self._locked([("ddb", table, "")]):
                self._journal.append([{"op": "ddb.ddl", **ctx, "table": table, "target": target,
                                       "request": {"target": target, "body": body}}])
            return
        if target not in DDB_ITEM_WRITES:
            if target in ("ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"):
                log.warning("PartiQL write %s is not journaled and will not survive a restart", target)
            return
        touched = self._touched_keys(target, body, ctx)
        stripes = [("ddb", table, key) for table, keys in touched.items() for key in keys]
        with self._locked(stripes):
            entries = []
            for table, keys in touched.items():
                current = self._read_items(request, table, list(keys.values()))
                for key_text in keys:
                    item = current.get(key_text)
                    entry = {"op": "ddb.put" if item else "ddb.del", **ctx, "table": table, "key": key_text}
                    if item:
                        entry["item"] = item
                    entries.append(entry)
            self._journal.append(entries)

    def _touched_keys(self, target: str, body: Dict[str, Any], ctx: Dict[str, str]) -> Dict[str, Dict[str, Any]]:
        """table -> {canonical key text: key} for every item the request may have changed."""
        found: List[Tuple[str, Dict[str, Any]]] = []
        if target in ("PutItem", "UpdateItem", "DeleteItem"):
            found.append((body["TableName"], body.get("Key") or body.get("Item")))
        elif target == "BatchWriteItem":
            for table, requests in body.get("RequestItems", {}).items():
                for req in requests:
                    found.append((table, (req.get("PutRequest") or {}).get("Item")
                                  or (req.get("DeleteRequest") or {}).get("Key")))
        else:  # TransactWriteItems
            for op in body.get("TransactItems", []):
                for name in ("Put", "Update", "Delete"):
                    if name in op:
                        found.append((op[name]["TableName"], op[name].get("Key") or op[name].get("Item")))
        touched: Dict[str, Dict[str, Any]] = {}
        for table, attrs in found:
            names = self._names(ctx, table)
            key = {n: attrs[n] for n in names if n in attrs}
            touched.setdefault(table, {})[key_text(key)] = key
        return touched

    def _names(self, ctx: Dict[str, str], table: str) -> List[str]:
        tid = self._tid(ctx, table)
        if tid not in self._key_names:
            status, _, body = self.call_dynamodb(ctx, "DescribeTable", {"TableName": table})
            schema = json.loads(body)["Table"]["KeySchema"] if status.startswith("2") else []
            self._key_names[tid] = [k["AttributeName"] for k in schema]
        return self._key_names[tid]

    def _read_items(self, request: "_Request", table: str, keys: List[Dict[str, Any]]) -> Dict[str, Any]:
        ctx = {"account": request.account, "region": request.region}
        names = self._names(ctx, table)
        direct = _read_items_in_memory(ctx, table, names, keys)
        if direct is not None:
            return direct
        out: Dict[str, Any] = {}
        for start in range(0, len(keys), 100):
            status, _, body = self.call_dynamodb(ctx, "BatchGetItem", {"RequestItems": {
                table: {"Keys": keys[start:start + 100], "ConsistentRead": True}}})
            if not status.startswith("2"):
                if b"ResourceNotFoundException" in body:
                    return {}  # table gone: the items are gone with it
                raise RuntimeError(f"reading back {table} failed: {status} {body[:200]!r}")
            for item in json.loads(body).get("Responses", {}).get(table, []):
                out[key_text({n: item[n] for n in names if n in item})] = item
        return out

    def _s3(self, request: "_Request") -> None:
        bucket, key, method, query = request.bucket, request.object_key, request.method, request.query
        if not bucket:
            return
        ctx = {"account": request.account, "bucket": bucket}
        if key is None:
            if method == "POST" and "delete" in query:
                self._capture_objects(request, bucket, _deleted_keys(request.body))
            elif method == "DELETE" and not query:
                with self._locked([("s3", bucket, "")]):
                    self._journal.append([{"op": "s3.drop", **ctx}])
            else:
                raw = {"method": method, "query": request.query_string,
                       "content_type": request.environ.get("CONTENT_TYPE", ""),
                       "body": base64.b64encode(request.body or b"").decode()}
                with self._locked([("s3", bucket, "")]):
                    self._journal.append([{"op": "s3.ddl", **ctx, "region": request.region, "request": raw}])
            return
        if "uploads" in query or "partNumber" in query or ("uploadId" in query and method != "POST"):
            return  # multipart in progress or aborted: only the completed object counts
        self._capture_objects(request, bucket, [key])

    def _capture_objects(self, request: "_Request", bucket: str, keys: Iterable[str]) -> None:
        ctx = {"account": request.account, "bucket": bucket}
        for key in keys:
            with self._locked([("s3", bucket, key)]):
                blob = None
                status, headers, body_iter = self._call_stream(self._s3_environ(ctx, request.region, "GET",
                                                                               bucket, key))
                try:
                    if status.startswith("2"):
                        writer = self._journal.new_blob()
                        try:
                            for chunk in body_iter:
                                writer.write(chunk)
                        except BaseException:
                            writer.discard()
                            raise
                        blob = writer.finish()
                finally:
                    if hasattr(body_iter, "close"):
                        body_iter.close()
                if blob is None:
                    if not status.startswith("404"):
                        raise RuntimeError(f"reading back s3://{bucket}/{key} failed: {status}")
                    self._journal.append([{"op": "s3.del", **ctx, "key": key}])
                    continue
                kept = {k.lower(): v for k, v in headers if k.lower() in KEPT_OBJECT_HEADERS
                        or k.lower().startswith("x-amz-meta-")}
                self._journal.append([{"op": "s3.put", **ctx, "region": request.region, "key": key,
                                       "blob": blob[1], "headers": kept}], blobs=[blob])

    # -- in-process calls into moto (capture and restore) -----------------------------------------------
    def call_dynamodb(self, ctx: Dict[str, str], target: str, body: Dict[str, Any]) -> Tuple[str, Any, bytes]:
        environ = EnvironBuilder(method="POST", path="/", data=json.dumps(body).encode(), headers={
            "X-Amz-Target": f"DynamoDB_20120810.{target}", "Content-Type": "application/x-amz-json-1.0",
            "Authorization": _auth(ctx["region"], "dynamodb"), "x-moto-account-id": ctx["account"],
        }).get_environ()
        status, headers, body_iter = self._call_stream(environ)
        return status, headers, b"".join(body_iter)

    def call_s3(self, ctx: Dict[str, str], region: str, method: str, bucket: str, key: Optional[str],
                query: str = "", body: bytes = b"", headers: Optional[Dict[str, str]] = None) -> Tuple[str, bytes]:
        environ = self._s3_environ(ctx, region, method, bucket, key, query, body, headers)
        status, _, body_iter = self._call_stream(environ)
        return status, b"".join(body_iter)

    @staticmethod
    def _s3_environ(ctx, region, method, bucket, key, query="", body=b"", headers=None) -> Dict[str, Any]:
        path = f"/{quote(bucket)}" + (f"/{quote(key, safe='/~')}" if key is not None else "")
        builder = EnvironBuilder(method=method, path=path, query_string=query or None, data=body, headers={
            "Authorization": _auth(region, "s3"), "x-moto-account-id": ctx["account"], **(headers or {})})
        environ = builder.get_environ()
        environ["RAW_URI"] = path + (f"?{query}" if query else "")
        return environ

    def _call_stream(self, environ: Dict[str, Any]):
        captured: List[Any] = []

        def start_response(status, headers, exc_info=None):
            captured[:] = [status, headers]
            return lambda data: None

        body_iter = self._app(environ, start_response)
        return captured[0], captured[1], body_iter

    # -- helpers ---------------------------------------------------------------------------------------
    def _locked(self, names: Iterable[Tuple[str, str, str]]) -> "_Stripes":
        indexes = sorted({hash(n) % _STRIPES for n in names})
        return _Stripes([self._stripes[i] for i in indexes])

    @staticmethod
    def _tid(ctx: Dict[str, str], table: str) -> str:
        return f"{ctx['account']}|{ctx['region']}|{table}"

    def remember_table(self, account: str, region: str, table: str, key_names: List[str]) -> None:
        self._key_names[f"{account}|{region}|{table}"] = key_names


class _Stripes:
    def __init__(self, locks: List[threading.Lock]):
        self._locks = locks

    def __enter__(self):
        for lock in self._locks:
            lock.acquire()

    def __exit__(self, *exc):
        for lock in reversed(self._locks):
            lock.release()


class _Request:
    """What the journal needs to know about one request, without consuming more of it than necessary."""

    def __init__(self, environ: Dict[str, Any]):
        self.environ = environ
        self.method = environ.get("REQUEST_METHOD", "GET")
        self.body: Optional[bytes] = None
        auth = environ.get("HTTP_AUTHORIZATION", "")
        scope = _credential_scope(auth) or _credential_scope(
            "Credential=" + (parse_qs(environ.get("QUERY_STRING", "")).get("X-Amz-Credential") or [""])[0])
        self.access_key, self.region, service = scope or ("", "us-east-1", "")
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        self.target = target.split(".", 1)[1] if target.startswith("DynamoDB_") and "." in target else ""
        if target.startswith("DynamoDB_"):
            self.service = "dynamodb"
        elif service in ("s3", "") and not target:
            self.service = "s3"
        else:
            self.service = service
        self.account = environ.get("HTTP_X_MOTO_ACCOUNT_ID") or _account_of(self.access_key)
        self.query_string = environ.get("QUERY_STRING", "")
        self.query = parse_qs(self.query_string, keep_blank_values=True)
        raw = (environ.get("RAW_URI") or environ.get("REQUEST_URI") or "").split("?", 1)[0]
        path = unquote(raw) if raw else environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")
        self.path = path
        self.bucket, self.object_key = _bucket_and_key(environ.get("HTTP_HOST", ""), path)

    def read_body(self) -> None:
        length = int(self.environ.get("CONTENT_LENGTH") or 0)
        stream = self.environ["wsgi.input"]
        self.body = stream.read(length) if length else stream.read()
        self.environ["wsgi.input"] = io.BytesIO(self.body)
        self.environ["CONTENT_LENGTH"] = str(len(self.body))


def _credential_scope(text: str) -> Optional[Tuple[str, str, str]]:
    marker = text.find("Credential=")
    if marker < 0:
        return None
    parts = text[marker + len("Credential="):].split(",")[0].strip().split("/")
    if len(parts) < 5:
        return None
    return parts[0], parts[2], parts[3].lower()


def _account_of(access_key: str) -> str:
    try:
        from moto.iam.models import get_account_id_from

        return get_account_id_from(access_key)
    except Exception:  # noqa: BLE001 - moto internals moved: the default account is what the stack uses
        return DEFAULT_ACCOUNT


def _bucket_and_key(host: str, path: str) -> Tuple[Optional[str], Optional[str]]:
    hostname = host.split(":")[0]
    # Virtual-hosted style (bucket.localhost, bucket.s3.<region>.amazonaws.com); an IP or plain name is path style.
    virtual = hostname.endswith(".localhost") or (".s3." in hostname and not hostname.startswith("s3."))
    if virtual:
        return hostname.split(".")[0], (path[1:] or None) if path.startswith("/") else None
    parts = path[1:].split("/", 1) if path.startswith("/") else [""]
    bucket = parts[0] or None
    key = parts[1] if len(parts) > 1 and parts[1] != "" else None
    return bucket, key


def _read_items_in_memory(ctx: Dict[str, str], table: str, names: List[str],
                          keys: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The same read as BatchGetItem, straight from moto's in-process backend (about 1 ms less per write);
    None when moto's internals are not what this expects, and the caller takes the HTTP-shaped path."""
    try:
        from moto.dynamodb.models import dynamodb_backends
        from moto.dynamodb.models.utilities import dynamo_json_dump

        backend = dynamodb_backends[ctx["account"]][ctx["region"]]
        if table not in backend.tables:
            return {}
        out: Dict[str, Any] = {}
        for key in keys:
            item = backend.get_item(table, key)
            if item is not None:
                attrs = json.loads(dynamo_json_dump(item.describe_attrs(None)["Item"]))
                out[key_text({n: attrs[n] for n in names if n in attrs})] = attrs
        return out
    except Exception:  # noqa: BLE001 - a moto upgrade moved things: fall back, never fail the write
        log.debug("in-memory read-back unavailable; using BatchGetItem", exc_info=True)
        return None


def _deleted_keys(body: Optional[bytes]) -> List[str]:
    root = ElementTree.fromstring(body or b"<Delete/>")
    return [el.text or "" for el in root.iter() if el.tag.split("}")[-1] == "Key"]


def _auth(region: str, service: str) -> str:
    return (f"AWS4-HMAC-SHA256 Credential=journal/20240101/{region}/{service}/aws4_request, "
            "SignedHeaders=host, Signature=0")


def key_text(key: Dict[str, Any]) -> str:
    return json.dumps(key, sort_keys=True, separators=(",", ":"))
