"""ObjectStore on S3 (boto3). Keeps S3's status semantics: missing key -> NotFound, existing key and no
overwrite -> AlreadyExists, refused credentials -> a 400 naming the secret, unreachable endpoint -> 503, an endpoint
that accepts and never answers -> 504.

Every call is bounded: a request thread (the API, a run's artifact step, a predictor's model download) must not
wait minutes on a store it cannot reach. Worst case per call: CONNECT or READ seconds, one retry after at most
1 s of backoff, again CONNECT or READ: 3 + 1 + 3 = 7 s; a PUT also waits up to 1 s per attempt for
"100 Continue": 9 s. READ is the longest silence between bytes, not a transfer limit, so large files still stream.
"""
from __future__ import annotations

import logging
from functools import lru_cache

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectTimeoutError, HTTPClientError, ReadTimeoutError, SSLError
from botocore.exceptions import ConnectionError as S3ConnectionError

from chalicelib.domain.errors import AlreadyExists, GatewayTimeout, InvalidInput, NotFound, ServiceUnavailable
from chalicelib.domain.object_store import ObjectLocation, StoreConnection

log = logging.getLogger("aicore.s3")

MISSING_KEY = {"NoSuchKey", "404", "NotFound"}
REFUSED = {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403", "InvalidToken", "ExpiredToken"}
CONNECT_SECONDS = 2
READ_SECONDS = 3
ATTEMPTS = 2
MAX_LISTED = 10_000


@lru_cache(maxsize=32)
def _client(connection: StoreConnection):
    config = Config(signature_version="s3v4", retries={"total_max_attempts": ATTEMPTS, "mode": "standard"},
                    connect_timeout=CONNECT_SECONDS, read_timeout=READ_SECONDS,
                    s3={"addressing_style": "path"} if connection.endpoint_url else {})
    session = boto3.session.Session(aws_access_key_id=connection.access_key_id,
                                    aws_secret_access_key=connection.secret_access_key,
                                    aws_session_token=connection.session_token)
    return session.client("s3", endpoint_url=connection.endpoint_url, region_name=connection.region,
                          verify=connection.verify_ssl, config=config)


def _code(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Code", ""))


class S3ObjectStore:
    def __init__(self, create_missing_buckets: bool = False):
        # Only against the embedded emulator: on AWS a missing bucket is a configuration error to report.
        self._create_missing_buckets = create_missing_buckets

    def put(self, location: ObjectLocation, data: bytes, overwrite: bool) -> None:
        extra = {} if overwrite else {"IfNoneMatch": "*"}
        for attempt in range(2):
            try:
                self._call(location, "put_object", Body=data, **extra)
                return
            except ClientError as err:
                code = _code(err)
                if code in ("PreconditionFailed", "412", "ConditionalRequestConflict"):
                    raise AlreadyExists(f"File {location.url} already exists.") from None
                if code == "NoSuchBucket" and self._create_missing_buckets and attempt == 0:
                    self._create_bucket(location)
                    continue
                if code == "NotImplemented" and extra:  # an S3 clone without conditional writes
                    if self.exists(location):
                        raise AlreadyExists(f"File {location.url} already exists.") from None
                    extra = {}
                    continue
                raise self._translate(err, location) from None

    def get(self, location: ObjectLocation) -> bytes:
        try:
            client = _client(location.connection)
            # The body is read inside the guard: a store can stall halfway through it too.
            return self._guarded(location, lambda: client.get_object(Bucket=location.bucket,
                                                                     Key=location.key)["Body"].read())
        except ClientError as err:
            raise self._translate(err, location) from None

    def exists(self, location: ObjectLocation) -> bool:
        try:
            self._call(location, "head_object")
            return True
        except ClientError as err:
            if _code(err) in MISSING_KEY:
                return False
            raise self._translate(err, location) from None

    def delete(self, location: ObjectLocation) -> None:
        if not self.exists(location):  # S3's delete is silent on a missing key; the API answers 404
            raise NotFound(f"File {location.url} not found.", target="path")
        try:
            self._call(location, "delete_object")
        except ClientError as err:
            raise self._translate(err, location) from None

    # -- helpers -----------------------------------------------------------------------------------
    def list_keys(self, location: ObjectLocation) -> list:
        """Keys of the objects under location.key as a folder ('<key>/...'); ValueError beyond MAX_LISTED."""
        paginator = _client(location.connection).get_paginator("list_objects_v2")

        def listing() -> list:
            keys = []
            for page in paginator.paginate(Bucket=location.bucket, Prefix=location.key.rstrip("/") + "/"):
                keys += [item["Key"] for item in page.get("Contents", []) if not item["Key"].endswith("/")]
                if len(keys) > MAX_LISTED:
                    raise ValueError(f"{location.url} holds more than {MAX_LISTED} objects")
            return keys

        try:
            return self._guarded(location, listing)
        except ClientError as err:
            if _code(err) == "NoSuchBucket" and self._create_missing_buckets:
                return []
            raise self._translate(err, location) from None

    def _call(self, location: ObjectLocation, operation: str, **kwargs):
        client = _client(location.connection)
        return self._guarded(location, lambda: getattr(client, operation)(Bucket=location.bucket,
                                                                          Key=location.key, **kwargs))

    @staticmethod
    def _guarded(location: ObjectLocation, call):
        """Run call(); an unreachable store becomes a 503/504 naming the secret and what to check (short: a run's
        statusMessage keeps 256 characters)."""
        endpoint = (location.connection.endpoint_url or "AWS S3")[:80]
        secret = f"Object store secret '{location.secret}'" if location.secret else "The object store"
        try:
            return call()
        except ReadTimeoutError:
            log.warning("object store %s did not answer for %s", endpoint, location.url)
            raise GatewayTimeout(f"{secret} ({endpoint}) did not answer within {READ_SECONDS} s; check its endpoint "
                                 "and that an S3 service runs there.", target="objectStoreName") from None
        except SSLError:
            raise ServiceUnavailable(f"{secret} ({endpoint}): TLS failed; check its usehttps and verifyssl.",
                                     target="objectStoreName") from None
        except (S3ConnectionError, HTTPClientError) as err:  # refused, unresolvable, connect timeout, closed
            log.warning("object store unreachable for %s: %s", location.url, type(err).__name__)
            how = "in time" if isinstance(err, ConnectTimeoutError) else f"({type(err).__name__})"
            check = ("its endpoint, usehttps and region, and that the store runs" if location.connection.endpoint_url
                     else "its region and this machine's network access to AWS")
            raise ServiceUnavailable(f"{secret} ({endpoint}) cannot be reached {how}; check {check}.",
                                     target="objectStoreName") from None

    def _create_bucket(self, location: ObjectLocation) -> None:
        client = _client(location.connection)
        region = location.connection.region or client.meta.region_name
        params = {"Bucket": location.bucket}
        if region and region != "us-east-1":
            params["CreateBucketConfiguration"] = {"LocationConstraint": region}
        try:
            client.create_bucket(**params)
        except ClientError as err:
            if _code(err) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise self._translate(err, location) from None

    @staticmethod
    def _translate(err: ClientError, location: ObjectLocation) -> Exception:
        code = _code(err)
        if code in MISSING_KEY:
            return NotFound(f"File {location.url} not found.", target="path")
        if code == "NoSuchBucket":
            return NotFound(f"Bucket '{location.bucket}' of {location.url} does not exist; create it or fix the "
                            "object store secret.", target="path")
        if code in REFUSED:
            return InvalidInput(f"The object store refused access to {location.url} ({code}); check the "
                                "credentials and bucket of its object store secret.", target="path")
        return err
