"""SecretCipher on Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`).

Several comma-separated keys enable rotation: the first encrypts, any of them decrypts.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class FernetCipher:
    def __init__(self, keys: Sequence[bytes]):
        if not keys:
            raise ValueError("FernetCipher needs at least one key")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def encrypt(self, plaintext: bytes) -> str:
        return self._fernet.encrypt(plaintext).decode("ascii")

    def decrypt(self, token: str) -> bytes:
        try:
            return self._fernet.decrypt(token.encode("ascii"))
        except (InvalidToken, UnicodeEncodeError):
            raise ValueError("secret data does not decrypt with the configured key(s)") from None

    def __repr__(self) -> str:  # never show key material
        return "FernetCipher(<keys hidden>)"


def cipher_from_settings(secrets_key: Optional[str], keys_dir: Path, allow_key_file: bool = True) -> FernetCipher:
    """AICORE_SECRETS_KEY (one key or 'new,old,...'), else the local stack's key file under AICORE_HOME/keys.

    A deployed stage must configure the key: a key file made on a Lambda's scratch disk would vanish with the
    instance and take every stored secret with it.
    """
    if secrets_key:
        keys = [part.strip().encode("ascii") for part in secrets_key.split(",") if part.strip()]
        return FernetCipher(keys)
    if not allow_key_file:
        raise RuntimeError("AICORE_SECRETS_KEY must be set (a Fernet key) outside the local stack")
    from .local.keys import load_secrets_key

    return FernetCipher([load_secrets_key(keys_dir)])
