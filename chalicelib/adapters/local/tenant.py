"""`make tenant NAME=acme`: mint a service key for another tenant of the local stack."""
from __future__ import annotations

import sys

from chalicelib.settings import Settings

from .service_keys import exports, key_path, mint


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: make tenant NAME=<tenant>", file=sys.stderr)
        return 2
    settings = Settings()
    try:
        key = mint(settings.service_keys_dir, argv[0], settings.base_url)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"service key: {key_path(settings.service_keys_dir, argv[0])}\n\n{exports(key)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
