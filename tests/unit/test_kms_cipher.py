"""Secret data on AWS: KMS envelope encryption (moto's KMS), no key in the environment."""
import boto3
import pytest
from moto import mock_aws

from chalicelib.adapters.aws.kms_cipher import KmsCipher


@pytest.fixture
def kms():
    with mock_aws():
        client = boto3.client("kms", region_name="eu-central-1")
        key = client.create_key(Description="secret data")["KeyMetadata"]["KeyId"]
        yield client, key


def test_round_trip_and_no_plaintext_in_the_stored_form(kms):
    client, key = kms
    cipher = KmsCipher(client, key)
    token = cipher.encrypt(b'{"accessKey": "AKIA-very-secret"}')
    assert token.startswith("kms1:") and b"very-secret" not in token.encode()
    assert cipher.decrypt(token) == b'{"accessKey": "AKIA-very-secret"}'
    assert KmsCipher(client, key).decrypt(token) == b'{"accessKey": "AKIA-very-secret"}'  # another Lambda instance
    assert cipher.encrypt(b"same") != cipher.encrypt(b"same")  # a data key and nonce per secret


def test_tampering_and_foreign_blobs_are_refused_without_echoing_them(kms):
    client, key = kms
    cipher = KmsCipher(client, key)
    token = cipher.encrypt(b"data")
    import base64
    import json
    envelope = json.loads(base64.b64decode(token[5:]))
    sealed = bytearray(base64.b64decode(envelope["c"]))
    sealed[0] ^= 1
    envelope["c"] = base64.b64encode(bytes(sealed)).decode()
    forged = "kms1:" + base64.b64encode(json.dumps(envelope).encode()).decode()
    for bad in (forged, "gAAAAAB-a-fernet-token", "kms1:not-base64!"):
        with pytest.raises(ValueError) as err:
            cipher.decrypt(bad)
        assert bad not in str(err.value)


def test_a_blob_of_another_key_does_not_decrypt(kms):
    client, key = kms
    other = client.create_key(Description="other")["KeyMetadata"]["KeyId"]
    token = KmsCipher(client, other).encrypt(b"data")
    with pytest.raises(ValueError):
        KmsCipher(client, key).decrypt(token)


def test_the_repr_shows_no_key_material(kms):
    client, key = kms
    assert repr(KmsCipher(client, key)) == f"KmsCipher(key={key})"
