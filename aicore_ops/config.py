"""Where the connection settings come from: the profiles SAP's `aicore configure` writes, overridden by AICORE_*.

SAP's ai-core-sdk keeps profiles in $AICORE_HOME (default ~/.aicore): `config.json` for the default profile and
`config_<profile>.json` for the others, each a flat JSON object with the same AICORE_* keys as the environment.
Using those files means one `aicore configure -p dev` serves both tools; the environment wins because CI jobs
(and the seed's pipeline) configure everything through it."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

KEYS = ("AICORE_AUTH_URL", "AICORE_CLIENT_ID", "AICORE_CLIENT_SECRET", "AICORE_BASE_URL", "AICORE_RESOURCE_GROUP")
DEFAULT_PROFILE = "default"


class ConfigError(Exception):
    """A setting is missing or a profile file is unreadable: a usage problem, not an API one."""


@dataclass(frozen=True)
class Settings:
    auth_url: str
    client_id: str
    client_secret: str = field(repr=False)  # a traceback or a debug print must not show it
    base_url: str
    resource_group: str
    profile: str

    def redacted(self) -> dict:
        """What may be shown to a user: never the secret."""
        return {"profile": self.profile, "auth_url": self.auth_url, "client_id": self.client_id,
                "client_secret": "***", "base_url": self.base_url, "resource_group": self.resource_group}


def profile_path(profile: str, home: Path) -> Path:
    return home / ("config.json" if profile == DEFAULT_PROFILE else f"config_{profile}.json")


def home(env: Optional[Mapping[str, str]] = None) -> Path:
    """SAP's SDK home ($AICORE_HOME, default ~/.aicore): profiles, and the library's local repositories."""
    env = os.environ if env is None else env
    return Path(env.get("AICORE_HOME") or Path.home() / ".aicore").expanduser()


def _read_profile(path: Path, explicit: bool) -> dict:
    if not path.exists():
        if explicit:  # a named profile that does not exist is a typo worth reporting
            raise ConfigError(f"profile file {path} does not exist (create it with `aicore configure`)")
        return {}
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as err:
        raise ConfigError(f"cannot read profile file {path}: {err}") from err
    if not isinstance(data, dict):
        raise ConfigError(f"profile file {path} is not a JSON object")
    return {k: str(v) for k, v in data.items() if k in KEYS and v is not None}


def resolve(profile: Optional[str] = None, env: Optional[Mapping[str, str]] = None) -> Settings:
    env = os.environ if env is None else env
    explicit = profile or env.get("AICORE_PROFILE")
    name = explicit or DEFAULT_PROFILE
    values = _read_profile(profile_path(name, home(env)), explicit=bool(explicit))
    values.update({k: env[k] for k in KEYS if env.get(k)})
    missing = [k for k in KEYS if not values.get(k)]
    if missing:
        raise ConfigError(f"missing settings {', '.join(missing)}: set them in the environment or in profile "
                          f"'{name}' ({profile_path(name, home(env))})")
    return Settings(auth_url=values["AICORE_AUTH_URL"], client_id=values["AICORE_CLIENT_ID"],
                    client_secret=values["AICORE_CLIENT_SECRET"], base_url=values["AICORE_BASE_URL"].rstrip("/"),
                    resource_group=values["AICORE_RESOURCE_GROUP"], profile=name)
