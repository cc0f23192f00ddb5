"""The stand-in's object store: what etcd holds behind the API server (metadata filled as the API server fills it:
uid, resourceVersion, generation, creationTimestamp), merge patches (RFC 7386) and label selectors."""
from __future__ import annotations

import copy
import itertools
import sys
import threading
import uuid
from datetime import datetime, timezone
from http.server import ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Tuple

Key = Tuple[str, str, str]


class QuietServer(ThreadingHTTPServer):
    """A client that hangs up (a test ending, a killed predictor) is not an error worth a traceback."""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)  # (resource, namespace or "", name)


def now_text() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def selector_matches(selector: str, labels: Dict[str, str]) -> bool:
    """Equality-based selectors (`a=b,c!=d,e`), the kind the adapter uses."""
    for term in filter(None, (t.strip() for t in (selector or "").split(","))):
        if "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key.strip()) == value.strip():
                return False
        elif "=" in term:
            key, value = term.replace("==", "=").split("=", 1)
            if labels.get(key.strip()) != value.strip():
                return False
        elif term.strip() not in labels:
            return False
    return True


class Objects:
    def __init__(self):
        self.lock = threading.RLock()
        self.items: Dict[Key, Dict[str, Any]] = {}
        self.versions = itertools.count(1)

    def get(self, key: Key) -> Optional[Dict[str, Any]]:
        with self.lock:
            found = self.items.get(key)
            return copy.deepcopy(found) if found is not None else None

    def list(self, resource: str, namespace: str, selector: str = "") -> List[Dict[str, Any]]:
        with self.lock:
            return [copy.deepcopy(o) for (r, ns, _), o in sorted(self.items.items())
                    if r == resource and (not namespace or ns == namespace)
                    and selector_matches(selector, (o.get("metadata") or {}).get("labels") or {})]

    def create(self, key: Key, body: Dict[str, Any]) -> Dict[str, Any]:
        with self.lock:
            body = copy.deepcopy(body)
            meta = body.setdefault("metadata", {})
            meta.update(uid=str(uuid.uuid4()), resourceVersion=str(next(self.versions)), generation=1,
                        creationTimestamp=now_text())
            if key[1]:
                meta["namespace"] = key[1]
            self.items[key] = body
            return copy.deepcopy(body)

    def put(self, key: Key, body: Dict[str, Any], spec_changed: bool = False) -> Dict[str, Any]:
        """Store a new version (replace, patch or a controller's status write)."""
        with self.lock:
            old = self.items.get(key) or {}
            body = copy.deepcopy(body)
            meta = body.setdefault("metadata", {})
            for kept in ("uid", "creationTimestamp", "namespace", "generation"):
                if kept in (old.get("metadata") or {}):
                    meta[kept] = old["metadata"][kept]
            if spec_changed:
                meta["generation"] = int(meta.get("generation") or 1) + 1
            meta["resourceVersion"] = str(next(self.versions))
            self.items[key] = body
            return copy.deepcopy(body)

    def update_status(self, key: Key, status: Dict[str, Any]) -> None:
        """A controller's write of `.status` (dropped when the object went away meanwhile)."""
        with self.lock:
            current = self.items.get(key)
            if current is not None:
                current = dict(current, status=copy.deepcopy(status))
                self.put(key, current)

    def delete(self, key: Key) -> Optional[Dict[str, Any]]:
        with self.lock:
            return self.items.pop(key, None)
