"""Durable files behind the embedded AWS emulator: a snapshot plus journal segments, and S3 bodies as blobs.

Layout under <home>/emulator/:
  snapshot.json            the whole state through segment `through` (written to a temp file, fsynced, renamed)
  journal-00000042.jsonl   one JSON entry a line, appended and fsynced before the write is acknowledged
  blobs/ab/ab12...         S3 object bodies, named by their SHA-256 (identical bodies are stored once)

An entry states the *result* of a write (the item or object as it is now, or its absence), never the request
that made it, so replaying is a plain "last entry per key wins" merge: no condition, counter or upload id is
re-evaluated. Table and bucket definitions are kept as the requests that made them (CreateTable, UpdateTable,
CreateBucket, bucket settings) and replayed in order.

Compaction seals the current segment and folds the snapshot and the sealed segments into a new snapshot, so
start time follows the amount of data, not the number of writes ever made.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from pathlib import Path
from typing import Any, BinaryIO, Dict, Iterable, Iterator, List, Optional, Set, Tuple

log = logging.getLogger("aicore.journal")

SEGMENT = re.compile(r"^journal-(\d{8})\.jsonl$")
FORMAT = 1


def empty_state() -> Dict[str, Any]:
    return {"dynamodb": {}, "s3": {}}


def apply(state: Dict[str, Any], entry: Dict[str, Any]) -> None:
    """Fold one journal entry into the state (the same function for replay and compaction)."""
    op = entry["op"]
    if op.startswith("ddb."):
        tables = state["dynamodb"]
        tid = f"{entry['account']}|{entry['region']}|{entry['table']}"
        if op == "ddb.ddl":
            if entry["target"] == "DeleteTable":
                tables.pop(tid, None)
            elif entry["target"] == "CreateTable":
                tables[tid] = _table(entry, [entry["request"]])
            else:
                tables.setdefault(tid, _table(entry, []))["ddl"].append(entry["request"])
        elif op == "ddb.put":
            tables.setdefault(tid, _table(entry, []))["items"][entry["key"]] = entry["item"]
        elif op == "ddb.del":
            if tid in tables:
                tables[tid]["items"].pop(entry["key"], None)
        return
    buckets = state["s3"]
    bid = f"{entry['account']}|{entry['bucket']}"
    if op == "s3.ddl":
        if entry["request"]["method"] == "PUT" and not entry["request"]["query"]:  # CreateBucket
            # us-east-1 answers 200 to re-creating one's own bucket: that must not forget its objects.
            buckets.setdefault(bid, _bucket(entry, [entry["request"]]))
        else:
            buckets.setdefault(bid, _bucket(entry, []))["ddl"].append(entry["request"])
    elif op == "s3.drop":
        buckets.pop(bid, None)
    elif op == "s3.put":
        buckets.setdefault(bid, _bucket(entry, []))["objects"][entry["key"]] = {
            "blob": entry["blob"], "headers": entry["headers"]}
    elif op == "s3.del":
        if bid in buckets:
            buckets[bid]["objects"].pop(entry["key"], None)


def _table(entry: Dict[str, Any], ddl: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {"account": entry["account"], "region": entry["region"], "table": entry["table"], "ddl": ddl,
            "items": {}}


def _bucket(entry: Dict[str, Any], ddl: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {"account": entry["account"], "region": entry.get("region", "us-east-1"), "bucket": entry["bucket"],
            "ddl": ddl, "objects": {}}


def blobs_of(state: Dict[str, Any]) -> Set[str]:
    return {o["blob"] for b in state["s3"].values() for o in b["objects"].values()}


class Journal:
    """Appends entries durably and keeps the files compact. Thread-safe; one writer process per directory."""

    def __init__(self, root: Path, segment_limit_bytes: int = 32 * 1024 * 1024):
        self.root = Path(root)
        self.blob_dir = self.root / "blobs"
        self._tmp_dir = self.blob_dir / "tmp"
        self._tmp_dir.mkdir(parents=True, exist_ok=True)
        self._limit = segment_limit_bytes
        self._lock = threading.Lock()  # appends, segment rotation and blob collection
        self._compacting = threading.Lock()
        self._file: Optional[BinaryIO] = None
        self._segment = 0
        self._owner = _exclusive(self.root / "lock")

    # -- reading ------------------------------------------------------------------------------------
    def load(self) -> Tuple[Dict[str, Any], int]:
        """The state from the snapshot and every later segment, and the highest segment number seen."""
        state, through = self._read_snapshot()
        last = through
        for number, path in self._segments():
            if number <= through:
                continue  # already folded into the snapshot (a crash came before its deletion)
            for entry in self._read_segment(path):
                apply(state, entry)
            last = number
        return state, last

    def _read_snapshot(self) -> Tuple[Dict[str, Any], int]:
        path = self.root / "snapshot.json"
        if not path.exists():
            return empty_state(), 0
        with open(path, "rb") as f:
            doc = json.load(f)
        return {"dynamodb": doc["dynamodb"], "s3": doc["s3"]}, int(doc["through"])

    def _segments(self) -> List[Tuple[int, Path]]:
        found = [(int(m[1]), p) for p in self.root.iterdir() if (m := SEGMENT.match(p.name))]
        return sorted(found)

    @staticmethod
    def _read_segment(path: Path) -> Iterator[Dict[str, Any]]:
        """Entries of one segment; a torn last line (a crash mid-append, never acknowledged) is dropped."""
        with open(path, "rb") as f:
            lines = f.read().split(b"\n")
        for index, line in enumerate(lines):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except ValueError:
                where = "last line" if index >= len(lines) - 2 else f"line {index + 1}"
                log.warning("journal %s: %s is incomplete or damaged (%d bytes); skipped. A write that was "
                            "cut off by a crash was never acknowledged.", path.name, where, len(line))

    # -- writing ------------------------------------------------------------------------------------
    def open(self, after_segment: int) -> None:
        """Start appending to a fresh segment numbered after everything on disk."""
        with self._lock:
            self._rotate(after_segment + 1)

    def append(self, entries: Iterable[Dict[str, Any]], blobs: Iterable[Tuple[Path, str]] = ()) -> None:
        """Move finished blob temp files into place, then append the entries; durable when this returns."""
        data = b"".join(json.dumps(e, separators=(",", ":")).encode() + b"\n" for e in entries)
        with self._lock:
            for tmp, digest in blobs:
                self._install_blob(tmp, digest)
            if not data:
                return
            assert self._file is not None, "journal not open"
            self._file.write(data)
            self._file.flush()
            os.fdatasync(self._file.fileno())
            full = self._file.tell() >= self._limit
        if full:
            threading.Thread(target=self.compact, name="journal-compact", daemon=True).start()

    def new_blob(self) -> "BlobWriter":
        return BlobWriter(self._tmp_dir)

    def blob_path(self, digest: str) -> Path:
        return self.blob_dir / digest[:2] / digest

    def _install_blob(self, tmp: Path, digest: str) -> None:
        final = self.blob_path(digest)
        final.parent.mkdir(exist_ok=True)
        os.replace(tmp, final)  # same content either way; replacing refreshes it for the collector
        _fsync_dir(final.parent)

    def _rotate(self, number: int) -> None:
        if self._file is not None:
            self._file.close()
        self._segment = number
        self._file = open(self.root / f"journal-{number:08d}.jsonl", "ab")
        _fsync_dir(self.root)

    # -- compaction ---------------------------------------------------------------------------------
    def compact(self) -> None:
        """Seal the current segment and fold everything before it into a new snapshot."""
        if not self._compacting.acquire(blocking=False):
            return  # one at a time; the running one covers this request closely enough
        try:
            with self._lock:
                sealed = self._segment
                self._rotate(sealed + 1)
            state, _ = self._load_through(sealed)
            self.write_snapshot(state, sealed)
        finally:
            self._compacting.release()

    def _load_through(self, last: int) -> Tuple[Dict[str, Any], int]:
        state, through = self._read_snapshot()
        for number, path in self._segments():
            if through < number <= last:
                for entry in self._read_segment(path):
                    apply(state, entry)
        return state, last

    def write_snapshot(self, state: Dict[str, Any], through: int) -> None:
        """Replace the snapshot atomically, then drop the segments and blobs it made unnecessary."""
        tmp = self.root / "snapshot.json.tmp"
        with open(tmp, "wb") as f:
            f.write(json.dumps({"format": FORMAT, "through": through, **state}, separators=(",", ":")).encode())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.root / "snapshot.json")
        _fsync_dir(self.root)
        for number, path in self._segments():
            if number <= through:
                path.unlink(missing_ok=True)
        self._collect_blobs(blobs_of(state), through)

    def _collect_blobs(self, kept: Set[str], through: int) -> None:
        """Delete bodies no longer referenced. Under the append lock: a blob is installed together with the
        entry that names it, so the live segments read here list every body still in use."""
        with self._lock:
            live = set(kept)
            for number, path in self._segments():
                if number > through:
                    live |= {e["blob"] for e in self._read_segment(path) if e.get("op") == "s3.put"}
            for sub in self.blob_dir.iterdir():
                if sub.is_dir() and sub.name != "tmp":
                    for blob in sub.iterdir():
                        if blob.name not in live:
                            blob.unlink(missing_ok=True)
            for stale in self._tmp_dir.iterdir():  # left by a crash mid-capture
                if stale.stat().st_mtime < _now() - 3600:
                    stale.unlink(missing_ok=True)

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
            if self._owner is not None:
                self._owner.close()  # releases the lock (the OS does the same when the process dies)
                self._owner = None


class BlobWriter:
    """Streams a body to a temp file while hashing it; Journal.append installs it under its digest."""

    def __init__(self, tmp_dir: Path):
        import tempfile

        fd, name = tempfile.mkstemp(dir=tmp_dir)
        self.path = Path(name)
        self._file = os.fdopen(fd, "wb")
        self._hash = hashlib.sha256()

    def write(self, chunk: bytes) -> None:
        self._hash.update(chunk)
        self._file.write(chunk)

    def finish(self) -> Tuple[Path, str]:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        return self.path, self._hash.hexdigest()

    def discard(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)


def _exclusive(path: Path):
    """Hold an exclusive lock on the directory for this process's lifetime: two stacks appending to one
    journal would interleave their histories."""
    import fcntl

    handle = open(path, "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise RuntimeError(f"{path.parent} is in use by another running stack; stop it first, or give this one "
                           "another AICORE_HOME.") from None
    return handle


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _now() -> float:
    import time

    return time.time()
