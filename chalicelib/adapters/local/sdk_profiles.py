"""ai-core-sdk's profiles in AICORE_HOME, written for the stack's service keys.

The SDK reads `$AICORE_HOME/config.json`, or `config_<profile>.json` when AICORE_PROFILE is set, in the shape
`aicore configure` writes (AICORE_AUTH_URL, AICORE_CLIENT_ID, ... as keys). The stack keeps its state in the same
folder, so it writes the default tenant's `config.json` and `make tenant` writes `config_<tenant>.json`:
`AICoreV2Client.from_env()` then works with only AICORE_HOME set.

A profile the user wrote (with `aicore configure` or by hand) is never overwritten: we remember a digest of what
we last wrote per file, and a file whose bytes differ from it is the user's.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Dict, Tuple

LEDGER = "sdk-profiles.json"  # file name -> sha256 of the bytes the stack last wrote


def profile_path(home: Path, tenant: str) -> Path:
    return home / ("config.json" if tenant == "default" else f"config_{tenant}.json")


def profile(key: dict, resource_group: str = "default") -> Dict[str, str]:
    """The same values as the printed exports (service_keys.exports), under the SDK's config keys."""
    return {
        "AICORE_AUTH_URL": f"{key['url']}/oauth/token",
        "AICORE_CLIENT_ID": key["clientid"],
        "AICORE_CLIENT_SECRET": key["clientsecret"],
        "AICORE_BASE_URL": f"{key['serviceurls']['AI_API_URL']}/v2",
        "AICORE_RESOURCE_GROUP": resource_group,
    }


def write_profile(home: Path, tenant: str, key: dict) -> Tuple[Path, bool]:
    """Write the tenant's profile unless the user owns the file; returns (path, written)."""
    path = profile_path(home, tenant)
    data = (json.dumps(profile(key), indent=4) + "\n").encode()
    ledger = _read_ledger(home)
    if path.exists():
        current = path.read_bytes()
        if current != data and _digest(current) != ledger.get(path.name):
            return path, False  # the user's own profile
    fd = os.open(path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds a secret
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(path.with_suffix(".tmp"), path)
    ledger[path.name] = _digest(data)
    _write_ledger(home, ledger)
    return path, True


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_ledger(home: Path) -> Dict[str, str]:
    try:
        value = json.loads((home / LEDGER).read_text())
        return value if isinstance(value, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_ledger(home: Path, ledger: Dict[str, str]) -> None:
    path = home / LEDGER
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(ledger, indent=2, sort_keys=True))
    os.replace(tmp, path)


def profile_note(home: Path, tenant: str, path: Path, written: bool) -> str:
    """One line for the banner and `make tenant`: how the SDK finds this key without exports."""
    where = f"AICORE_HOME={home.resolve()}" + ("" if tenant == "default" else f" AICORE_PROFILE={tenant}")
    if written:
        return f"  SDK profile: {path} (with {where}, AICoreV2Client.from_env() needs no other variable)"
    return f"  SDK profile: {path} is your own, left as it is (it does not hold this key; use the exports)"
