"""Which stack runs on this AICORE_HOME: `make run` records its URL and pid there, so `make tenant` (another
process, maybe another shell without AICORE_PORT) writes keys for the port the stack was really started with."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Optional

RECORD = "stack.json"


def record(home: Path, url: str) -> None:
    path = home / RECORD
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"url": url, "pid": os.getpid()}))
    os.replace(tmp, path)


def clear(home: Path) -> None:
    """At a clean stop; only our own record (another stack may have started on this home since)."""
    path = home / RECORD
    try:
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def running_url(home: Path) -> Optional[str]:
    """The URL of the stack running on `home`, or None (no record, or its process is gone: killed with -9)."""
    try:
        entry = json.loads((home / RECORD).read_text())
        pid, url = int(entry["pid"]), str(entry["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return url if _alive(pid) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True
