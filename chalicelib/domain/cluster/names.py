"""Kubernetes names for the project's ids and the tenant's names: DNS-1123 labels, readable where the input allows,
with a short stable hash whenever the readable part had to change (so two inputs never share a name by being
cleaned up the same way)."""
from __future__ import annotations

import hashlib
import re

LABEL_MAX = 63
_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def short_hash(*parts: str, length: int = 12) -> str:
    """Hex of SHA-256 over the parts, separated by NUL (no part holds one), so ('a-b', 'c') and ('a', 'b-c')
    differ. 12 hex digits = 48 bits: two distinct inputs share it with probability about 2^-48."""
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:length]


def slug(text: str) -> str:
    """Lower-case alphanumerics and single '-', no '-' at either end ('' when nothing readable is left)."""
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]", "-", text.lower())).strip("-")


def is_label(name: str) -> bool:
    return isinstance(name, str) and len(name) <= LABEL_MAX and bool(_DNS1123_LABEL.match(name))


def is_label_value(value: str) -> bool:
    """What Kubernetes takes as a label's value: at most 63 alphanumerics, '-', '_', '.', alphanumeric at the ends."""
    return isinstance(value, str) and len(value) <= LABEL_MAX and bool(_LABEL_VALUE.match(value))


def is_subdomain(name: str) -> bool:
    return isinstance(name, str) and len(name) <= 253 and bool(_DNS1123_SUBDOMAIN.match(name))


def label_name(prefix: str, *parts: str, max_length: int = LABEL_MAX) -> str:
    """`<prefix>-<readable parts>-<hash of the parts>`, cut to `max_length`; the hash always included."""
    digest = short_hash(*parts)
    room = max_length - len(prefix) - len(digest) - 2
    readable = slug("-".join(parts))[:max(room, 0)].strip("-")
    return "-".join(p for p in (prefix, readable, digest) if p)


def keep_or_label(name: str, prefix: str, *, start_with_letter: bool = False, max_length: int = LABEL_MAX) -> str:
    """`name` itself when it already is a valid label (starting with a letter when asked, at most `max_length`),
    else a derived `label_name` that cannot equal any valid name kept as is (it carries `prefix` and a hash)."""
    ok = is_label(name) and len(name) <= max_length and (not start_with_letter or name[0].isalpha())
    return name if ok else label_name(prefix, name, max_length=max_length)
