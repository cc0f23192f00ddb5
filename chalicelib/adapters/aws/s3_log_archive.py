"""The LogArchive port on S3: a run's pod logs after the pods are gone, one JSON-lines object per pod.

Key: `<prefix><tenant>/<resource group>/<kind>/<run id>/<pod>.jsonl` in the artifacts bucket (its default KMS
encryption applies). One object per pod makes archiving idempotent (a retried step rewrites the same object) and
lets `archived_pods` answer from a listing, without reading logs.
"""
from __future__ import annotations

from typing import Dict, Iterable, Iterator, List, Optional, Set
from urllib.parse import quote, unquote

import boto3

from chalicelib.domain.context import TenantContext
from chalicelib.domain.logs import LogEntry

SUFFIX = ".jsonl"
NO_POD = "-"  # entries that name no pod (never a pod's name: those are DNS labels)


class S3LogArchive:
    def __init__(self, bucket: str, prefix: str, region: str, endpoint_url: Optional[str] = None, client=None):
        self._bucket = bucket
        self._prefix = prefix
        self._s3 = client or boto3.client("s3", region_name=region, endpoint_url=endpoint_url)

    def _folder(self, ctx: TenantContext, kind: str, run_id: str) -> str:
        parts = (ctx.tenant, ctx.require_resource_group(), kind, run_id)
        return self._prefix + "/".join(quote(part, safe="") for part in parts) + "/"

    def archive(self, ctx: TenantContext, kind: str, run_id: str, entries: List[LogEntry],
                pods: Iterable[str] = ()) -> None:
        by_pod: Dict[str, List[LogEntry]] = {pod: [] for pod in pods}
        for entry in entries:
            by_pod.setdefault(entry.pod or "", []).append(entry)
        folder = self._folder(ctx, kind, run_id)
        for pod, pod_entries in by_pod.items():
            body = "".join(entry.model_dump_json() + "\n" for entry in pod_entries).encode()
            self._s3.put_object(Bucket=self._bucket, Key=folder + quote(pod or NO_POD, safe="") + SUFFIX, Body=body,
                                ContentType="application/x-ndjson")

    def archived_pods(self, ctx: TenantContext, kind: str, run_id: str) -> Set[str]:
        folder = self._folder(ctx, kind, run_id)
        pods = set()
        for key in self._keys(folder):
            name = unquote(key[len(folder):-len(SUFFIX)])
            pods.add("" if name == NO_POD else name)
        return pods

    def read(self, ctx: TenantContext, kind: str, run_id: str) -> List[LogEntry]:
        entries: List[LogEntry] = []
        for key in self._keys(self._folder(ctx, kind, run_id)):
            body = self._s3.get_object(Bucket=self._bucket, Key=key)["Body"].read().decode()
            entries.extend(LogEntry.model_validate_json(line) for line in body.splitlines() if line.strip())
        return sorted(entries, key=lambda entry: entry.timestamp)

    def delete(self, ctx: TenantContext, kind: str, run_id: str) -> None:
        keys = list(self._keys(self._folder(ctx, kind, run_id)))
        for start in range(0, len(keys), 1000):  # DeleteObjects takes at most 1000 keys
            batch = [{"Key": key} for key in keys[start:start + 1000]]
            self._s3.delete_objects(Bucket=self._bucket, Delete={"Objects": batch, "Quiet": True})

    def _keys(self, folder: str) -> Iterator[str]:
        for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=self._bucket, Prefix=folder):
            for item in page.get("Contents", []):
                if item["Key"].endswith(SUFFIX):
                    yield item["Key"]
