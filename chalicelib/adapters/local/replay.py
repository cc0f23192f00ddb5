"""Load the journaled state into a fresh moto before it serves, then compact the files."""
from __future__ import annotations

import base64
import json
import logging
import time
from typing import Any, Dict

from .durable_moto import DurableApp
from .journal import Journal

log = logging.getLogger("aicore.journal")
BATCH = 25  # BatchWriteItem's limit


def restore(app: DurableApp, journal: Journal) -> Dict[str, int]:
    """Replay snapshot + journal into moto; returns counts for the log. Compacts when there was a journal."""
    started = time.monotonic()
    state, last_segment = journal.load()
    tables = items = objects = 0
    for table in state["dynamodb"].values():
        tables += 1
        items += _restore_table(app, table)
    for bucket in state["s3"].values():
        objects += _restore_bucket(app, journal, bucket)
    # Fold what was replayed into a snapshot, so the next start reads one file; new writes go to a new segment.
    journal.write_snapshot(state, last_segment)
    journal.open(last_segment)
    counts = {"tables": tables, "items": items, "objects": objects,
              "milliseconds": int((time.monotonic() - started) * 1000)}
    if tables or objects:
        log.info("restored %(tables)d tables, %(items)d items, %(objects)d objects in %(milliseconds)d ms", counts)
    return counts


def _restore_table(app: DurableApp, table: Dict[str, Any]) -> int:
    ctx = {"account": table["account"], "region": table["region"]}
    name = table["table"]
    for request in table["ddl"]:
        status, _, body = app.call_dynamodb(ctx, request["target"], request["body"])
        if not status.startswith("2"):
            log.warning("replaying %s on table %s failed: %s %s", request["target"], name, status, body[:300])
        if request["target"] == "CreateTable":
            app.remember_table(ctx["account"], ctx["region"], name,
                               [k["AttributeName"] for k in request["body"].get("KeySchema", [])])
    values = list(table["items"].values())
    for start in range(0, len(values), BATCH):
        batch = [{"PutRequest": {"Item": item}} for item in values[start:start + BATCH]]
        status, _, body = app.call_dynamodb(ctx, "BatchWriteItem", {"RequestItems": {name: batch}})
        if not status.startswith("2") or json.loads(body).get("UnprocessedItems"):
            raise RuntimeError(f"replaying items of table {name} failed: {status} {body[:300]!r}")
    return len(values)


def _restore_bucket(app: DurableApp, journal: Journal, bucket: Dict[str, Any]) -> int:
    ctx = {"account": bucket["account"]}
    name, region = bucket["bucket"], bucket.get("region", "us-east-1")
    for request in bucket["ddl"]:
        headers = {"Content-Type": request["content_type"]} if request.get("content_type") else {}
        status, body = app.call_s3(ctx, region, request["method"], name, None, request["query"],
                                   base64.b64decode(request["body"]), headers)
        if not status.startswith("2"):
            log.warning("replaying %s %s?%s failed: %s %s", request["method"], name, request["query"], status,
                        body[:300])
    restored = 0
    for key, obj in bucket["objects"].items():
        path = journal.blob_path(obj["blob"])
        if not path.exists():
            log.error("s3://%s/%s: its stored body %s is missing; the object is not restored", name, key,
                      obj["blob"])
            continue
        status, body = app.call_s3(ctx, region, "PUT", name, key, "", path.read_bytes(), obj["headers"])
        if not status.startswith("2"):
            raise RuntimeError(f"replaying s3://{name}/{key} failed: {status} {body[:300]!r}")
        restored += 1
    return restored
