"""`make tenant NAME=acme`: onboard another tenant of the local stack.

Writes its service key and SDK profile with the URL of the stack running on this AICORE_HOME (the port it was
started with; settings when none runs), and, when one runs, onboards the tenant through it as a user would: a
token from the new key, then its `default` resource group (which proves the key works). A stack started later
onboards every tenant that has a key.
"""
from __future__ import annotations

import base64
import json
import sys
import urllib.error
import urllib.request
from typing import Optional

from chalicelib.settings import Settings

from .running import running_url
from .sdk_profiles import profile_note, write_profile
from .service_keys import exports, key_path, mint


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: make tenant NAME=<tenant>", file=sys.stderr)
        return 2
    settings = Settings()
    live = running_url(settings.home)
    try:
        key = mint(settings.service_keys_dir, argv[0], live or settings.base_url)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    profile = write_profile(settings.home, argv[0], key)
    print(f"service key: {key_path(settings.service_keys_dir, argv[0])}\n"
          f"{profile_note(settings.home, argv[0], *profile)}\n\n{exports(key)}")
    if live is None:
        print(f"\n(no stack runs on {settings.home.resolve()}: `make run` onboards this tenant when it starts)")
        return 0
    problem = onboard(key)
    if problem:
        print(f"error: the stack at {live} did not accept the new key: {problem}", file=sys.stderr)
        return 1
    return 0


def onboard(key: dict) -> Optional[str]:
    """Token from the key, then POST the `default` resource group (idempotent); None when both answered."""
    base = key["url"]
    basic = base64.b64encode(f"{key['clientid']}:{key['clientsecret']}".encode()).decode()
    try:
        token = _post(f"{base}/oauth/token", b"grant_type=client_credentials",
                      {"Authorization": f"Basic {basic}",
                       "Content-Type": "application/x-www-form-urlencoded"})["access_token"]
        _post(f"{base}/v2/admin/resourceGroups", json.dumps({"resourceGroupId": "default"}).encode(),
              {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    except urllib.error.HTTPError as err:
        return f"{err.code} from {err.url}: {err.read()[:300].decode('utf-8', 'replace')}"
    except (urllib.error.URLError, OSError, KeyError, ValueError) as err:
        return str(err)
    return None


def _post(url: str, body: bytes, headers: dict) -> dict:
    with urllib.request.urlopen(urllib.request.Request(url, body, headers, method="POST"), timeout=10) as resp:
        return json.loads(resp.read() or b"{}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
