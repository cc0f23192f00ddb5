"""Encryption at rest: the Fernet cipher, owner-bound sealing, key selection, and name patterns."""
import time

import pytest
from cryptography.fernet import Fernet

from chalicelib.adapters.crypto import FernetCipher, cipher_from_settings
from chalicelib.domain.context import TenantContext
from chalicelib.domain.docker_secrets import NAME as DOCKER_NAME
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.labels import KeyValue
from chalicelib.domain.records import Kind
from chalicelib.domain.secrets import SealedDataError, SecretSealer, check_generic_labels


def test_cipher_round_trip_hides_plaintext_and_key():
    key = Fernet.generate_key()
    cipher = FernetCipher([key])
    token = cipher.encrypt(b"hunter2")
    assert "hunter2" not in token and cipher.decrypt(token) == b"hunter2"
    assert cipher.encrypt(b"hunter2") != token  # random IV: equal secrets do not look equal at rest
    assert key.decode() not in repr(cipher)


def test_rotation_new_key_encrypts_old_key_still_decrypts():
    old, new = Fernet.generate_key(), Fernet.generate_key()
    old_token = FernetCipher([old]).encrypt(b"x")
    rotated = cipher_from_settings(f"{new.decode()},{old.decode()}", keys_dir=None)
    assert rotated.decrypt(old_token) == b"x"
    assert FernetCipher([new]).decrypt(rotated.encrypt(b"y")) == b"y"
    with pytest.raises(ValueError):
        FernetCipher([Fernet.generate_key()]).decrypt(old_token)


def test_key_file_is_created_once_and_reused(tmp_path):
    first = cipher_from_settings(None, tmp_path / "keys")
    token = first.encrypt(b"z")
    assert (tmp_path / "keys" / "secrets.key").exists()
    assert cipher_from_settings(None, tmp_path / "keys").decrypt(token) == b"z"


def test_sealed_data_is_bound_to_its_owner():
    sealer = SecretSealer(FernetCipher([Fernet.generate_key()]))
    mine = SecretSealer.owner(TenantContext("t1", "rg1"), Kind.OBJECT_STORE_SECRET, "default")
    theirs = SecretSealer.owner(TenantContext("t2", "rg1"), Kind.OBJECT_STORE_SECRET, "default")
    token = sealer.seal(mine, {"AWS_SECRET_ACCESS_KEY": "k"})
    assert sealer.unseal(mine, token) == {"AWS_SECRET_ACCESS_KEY": "k"}
    with pytest.raises(SealedDataError):  # a blob copied onto another tenant's record does not open
        sealer.unseal(theirs, token)
    with pytest.raises(SealedDataError):
        sealer.unseal(mine, "garbage")


def test_tenant_kinds_ignore_the_resource_group_in_the_owner():
    a = SecretSealer.owner(TenantContext("t1", "rg1"), Kind.DOCKER_SECRET, "reg")
    b = SecretSealer.owner(TenantContext("t1", None), Kind.DOCKER_SECRET, "reg")
    assert a == b


def test_docker_name_pattern_is_linear_on_hostile_input():
    assert DOCKER_NAME.fullmatch("my_registry.io-1")
    assert not DOCKER_NAME.fullmatch("a__b") and not DOCKER_NAME.fullmatch("a_") and not DOCKER_NAME.fullmatch("a")
    started = time.perf_counter()
    assert not DOCKER_NAME.fullmatch("a" * 5000 + "_")
    assert time.perf_counter() - started < 0.5


def test_generic_label_keys():
    check_generic_labels([KeyValue(key="ext.ai.sap.com/my-label", value="v")])
    for bad in ("ext.ai.sap.com/-x", "extXaiXsapXcom/x", "ext.ai.sap.com/" + "a" * 60, "owner"):
        with pytest.raises(InvalidInput):
            check_generic_labels([KeyValue(key=bad, value="v")])


def test_deployed_stage_without_configured_key_fails_loudly(tmp_path):
    with pytest.raises(RuntimeError, match="AICORE_SECRETS_KEY"):
        cipher_from_settings(None, tmp_path / "keys", allow_key_file=False)
    assert not (tmp_path / "keys").exists()
