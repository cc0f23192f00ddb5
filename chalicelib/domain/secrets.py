"""What every kind of secret shares: the encryption port, sealing of secret data, names and labels.

Secret `data` never reaches storage in clear: services seal it with the `SecretCipher` before building a record
and unseal it only for the engine (never for an HTTP response). A sealed blob names its owner (kind, tenant,
resource group, secret name) inside the ciphertext, so a blob copied onto another record fails to open instead of
handing one tenant's credentials to another.
"""
from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional, Protocol

from .context import TenantContext
from .errors import InvalidInput
from .labels import KeyValue
from .records import Kind, Scope

# Written without nested quantifiers (the spec's own spelling backtracks exponentially on long bad input);
# the language is the same.
GENERIC_LABEL_KEY = re.compile(r"ext\.ai\.sap\.com/[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?")
# Kubernetes secret data keys.
DATA_KEY = re.compile(r"[-._a-zA-Z0-9]{1,253}")


class SecretCipher(Protocol):
    """Symmetric authenticated encryption; the adapter owns the key."""

    def encrypt(self, plaintext: bytes) -> str: ...

    def decrypt(self, token: str) -> bytes: ...


class SealedDataError(Exception):
    """Stored secret data cannot be opened (wrong key or a blob moved between records): a server fault."""


class SecretSealer:
    def __init__(self, cipher: SecretCipher):
        self._cipher = cipher

    @staticmethod
    def owner(ctx: TenantContext, kind: Kind, name: str) -> str:
        group = ctx.resource_group if kind.scope is Scope.RESOURCE_GROUP else ""
        return f"{kind.prefix}:{ctx.tenant}:{group or ''}:{name}"

    def seal(self, owner: str, data: Dict[str, Any]) -> str:
        return self._cipher.encrypt(json.dumps({"owner": owner, "data": data}).encode("utf-8"))

    def unseal(self, owner: str, token: str) -> Dict[str, Any]:
        try:
            content = json.loads(self._cipher.decrypt(token))
        except Exception as err:  # noqa: BLE001 - never echo the blob or the key
            raise SealedDataError(f"secret data of {owner} cannot be decrypted") from err
        if not isinstance(content, dict) or content.get("owner") != owner:
            raise SealedDataError(f"secret data stored for {owner} belongs to another record")
        return content["data"]


def check_name(value: Optional[str], pattern: "re.Pattern[str]", max_length: int, what: str, rule: str,
               target: str = "name") -> str:
    """fullmatch (a `$` would let a trailing newline through) after a length check (bounded regex work)."""
    if not isinstance(value, str) or not value or len(value) > max_length or not pattern.fullmatch(value):
        shown = value if isinstance(value, str) and len(value) <= 300 else "(too long)"
        raise InvalidInput(f"{what} '{shown}' is invalid: {rule}", target=target)
    return value


def check_string_map(data: Any, what: str) -> Dict[str, str]:
    """A JSON object of string values. Messages name keys only: values are secret."""
    if not isinstance(data, dict):
        raise InvalidInput(f"'{what}' must be a JSON object of key/value strings.", target=what)
    for key, value in data.items():
        if not isinstance(value, str):
            raise InvalidInput(f"'{what}.{key}' must be a string.", target=what)
    return dict(data)


def check_data_keys(data: Dict[str, str], what: str) -> Dict[str, str]:
    for key in data:
        if not DATA_KEY.fullmatch(key):
            raise InvalidInput(f"'{what}' key '{key[:80]}' is invalid: use 1-253 letters, digits, '-', '_' or '.'.",
                               target=what)
    return data


def check_generic_labels(labels: List[KeyValue]) -> List[KeyValue]:
    for label in labels:
        if len(label.key) > 63 or not GENERIC_LABEL_KEY.fullmatch(label.key):
            raise InvalidInput(f"Label key '{label.key[:80]}' must look like ext.ai.sap.com/<name> (at most 63 "
                               "characters; name: letters, digits, '-', '_', '.', starting and ending with a "
                               "letter or digit).", target="labels")
        if len(label.value) > 5000:
            raise InvalidInput(f"Label '{label.key}' value is longer than 5000 characters.", target="labels")
    return labels
