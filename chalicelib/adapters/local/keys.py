"""Key material of the local stack, created on first start under AICORE_HOME/keys (mode 0600)."""
from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def load_signing_key(keys_dir: Path):
    """The RSA key the local token endpoint signs with; the verifier uses its public half."""
    path = keys_dir / "signing.pem"
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        _write_private(path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def load_secrets_key(keys_dir: Path) -> bytes:
    """The Fernet key that encrypts secret data at rest in the local stack."""
    path = keys_dir / "secrets.key"
    if not path.exists():
        _write_private(path, Fernet.generate_key())
    return path.read_bytes().strip()
