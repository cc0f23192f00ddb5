"""Records, tokens, encryption and object storage: what every function may need."""
from __future__ import annotations

from functools import cached_property

from .base import Wiring


class InfrastructureWiring(Wiring):
    @cached_property
    def clock(self):
        from ..domain.clock import SystemClock

        return SystemClock()

    @cached_property
    def store(self):
        from ..adapters.dynamodb.models import configure
        from ..adapters.dynamodb.store import DynamoRecordStore

        s = self.settings
        configure(s.resolved_table_prefix, s.aws_region, s.aws_endpoint_url)
        return DynamoRecordStore()

    @cached_property
    def verifier(self):
        from ..adapters.auth.jwt_tokens import JwtVerifier, jwks_keys, static_key

        s = self.settings
        if s.auth_mode == "oidc":
            if not s.oidc_jwks_url:
                raise RuntimeError("AICORE_OIDC_JWKS_URL must be set when AICORE_AUTH_MODE=oidc")
            return JwtVerifier(jwks_keys(s.oidc_jwks_url), s.oidc_issuer, s.oidc_audience, s.tenant_claim)
        from ..adapters.local.keys import load_signing_key

        return JwtVerifier(static_key(load_signing_key(s.keys_dir).public_key()), s.local_issuer, None,
                           s.tenant_claim)

    @cached_property
    def secret_cipher(self):
        s = self.settings
        if s.kms_key_id:  # AWS: envelope encryption under the stack's KMS key
            from ..adapters.aws.kms_cipher import KmsCipher

            return KmsCipher(self.kms_client, s.kms_key_id)
        from ..adapters.crypto import cipher_from_settings

        return cipher_from_settings(s.secrets_key, s.keys_dir, allow_key_file=s.auth_mode == "local")

    @cached_property
    def kms_client(self):
        import boto3

        s = self.settings
        return boto3.client("kms", region_name=s.aws_region, endpoint_url=s.aws_endpoint_url)

    @cached_property
    def object_store(self):
        from ..adapters.aws.s3_store import S3ObjectStore

        # A secret's own bucket is never created here: on the embedded stack it lives inside the platform bucket
        # (domain.object_store), and a bucket on someone's own store is theirs to create.
        return S3ObjectStore()
