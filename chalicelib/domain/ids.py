"""Identifiers that sort by creation time, so a key-ordered Query lists oldest first."""
from __future__ import annotations

import os
import re
import time
import uuid

ID_PATTERN = re.compile(r"^[\w.-]{4,64}$")


def hex16() -> str:
    """AI Core style execution/deployment id: 16 hex digits, 11 of milliseconds + 5 random."""
    millis = int(time.time() * 1000) & ((1 << 44) - 1)
    return f"{millis:011x}{int.from_bytes(os.urandom(3), 'big') & 0xFFFFF:05x}"


def uuid7() -> str:
    """Configuration/artifact style id: a UUID whose first 48 bits are milliseconds (RFC 9562 v7)."""
    millis = int(time.time() * 1000) & ((1 << 48) - 1)
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis << 80) | (0x7 << 76) | ((rand >> 68) & 0xFFF) << 64 | (0b10 << 62) | (rand & ((1 << 62) - 1))
    return str(uuid.UUID(int=value))


def is_valid_id(value: str) -> bool:
    return bool(ID_PATTERN.match(value or ""))
