"""SecretCipher on AWS KMS: envelope encryption, so no key material sits in an environment variable.

Each secret gets its own 256-bit data key from `GenerateDataKey`; the data is sealed with AES-GCM under it and
stored with the data key as KMS encrypted it. Reading a secret asks KMS to decrypt that data key (the caller's role
needs kms:Decrypt on the stack's key, which CloudTrail records). The encryption context binds a blob to this
purpose, so a blob cannot be replayed through another KMS-backed feature with the same key.

Decrypted data keys are kept per Lambda instance for a few minutes (bounded), which saves a KMS request per secret
read when a run syncs several secrets; they never leave the process.
"""
from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections import OrderedDict
from typing import Any, Tuple

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "kms1:"
CONTEXT = {"purpose": "aicore-secret-data"}
CACHE_SECONDS = 300.0
CACHE_SIZE = 256


class KmsCipher:
    def __init__(self, kms_client: Any, key_id: str):
        self._kms = kms_client
        self._key_id = key_id
        self._lock = threading.Lock()
        self._keys: "OrderedDict[bytes, Tuple[bytes, float]]" = OrderedDict()

    def encrypt(self, plaintext: bytes) -> str:
        made = self._kms.generate_data_key(KeyId=self._key_id, KeySpec="AES_256", EncryptionContext=CONTEXT)
        nonce = os.urandom(12)
        sealed = AESGCM(made["Plaintext"]).encrypt(nonce, plaintext, None)
        envelope = {"k": _b64(made["CiphertextBlob"]), "n": _b64(nonce), "c": _b64(sealed)}
        return PREFIX + _b64(json.dumps(envelope, separators=(",", ":")).encode("ascii"))

    def decrypt(self, token: str) -> bytes:
        try:
            if not token.startswith(PREFIX):
                raise ValueError
            envelope = json.loads(base64.b64decode(token[len(PREFIX):], validate=True))
            wrapped, nonce, sealed = (base64.b64decode(envelope[k], validate=True) for k in ("k", "n", "c"))
        except (ValueError, KeyError, TypeError):
            raise ValueError("secret data is not a KMS envelope of this service") from None
        try:
            return AESGCM(self._data_key(wrapped)).decrypt(nonce, sealed, None)
        except Exception:  # InvalidTag, or KMS refusing: never echo what was stored
            raise ValueError("secret data does not decrypt with the stack's KMS key") from None

    def _data_key(self, wrapped: bytes) -> bytes:
        now = time.monotonic()
        with self._lock:
            hit = self._keys.get(wrapped)
            if hit is not None and hit[1] > now:
                return hit[0]
        key = self._kms.decrypt(CiphertextBlob=wrapped, KeyId=self._key_id, EncryptionContext=CONTEXT)["Plaintext"]
        with self._lock:
            self._keys[wrapped] = (key, now + CACHE_SECONDS)
            while len(self._keys) > CACHE_SIZE:
                self._keys.popitem(last=False)
        return key

    def __repr__(self) -> str:  # never show key material
        return f"KmsCipher(key={self._key_id})"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def derived_key(kms_client: Any, hmac_key_id: str, purpose: bytes) -> bytes:
    """32 bytes every Lambda instance derives alike: the MAC of `purpose` under a KMS HMAC key (the key itself never
    leaves KMS, and nothing derived is stored)."""
    return kms_client.generate_mac(KeyId=hmac_key_id, Message=purpose, MacAlgorithm="HMAC_SHA_256")["Mac"]
