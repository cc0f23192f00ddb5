"""Parameter values as Argo holds them: text. YAML numbers and booleans are written as JSON prints them."""
from __future__ import annotations

import json
from typing import Any


def text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)  # as Go's json.Marshal: keys sorted
    return str(value)
