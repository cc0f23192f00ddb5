"""ObjectStore on S3 (boto3). Keeps S3's status semantics: missing key -> NotFound, existing key and no
overwrite -> AlreadyExists, refused credentials -> a 400 naming the secret, unreachable endpoint -> 503."""
from __future__ import annotations

import logging
from functools import lru_cache

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as S3ConnectionError

from chalicelib.domain.errors import AlreadyExists, InvalidInput, NotFound, ServiceUnavailable
from chalicelib.domain.object_store import ObjectLocation, StoreConnection

log = logging.getLogger("aicore.s3")

MISSING_KEY = {"NoSuchKey", "404", "NotFound"}
REFUSED = {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403", "InvalidToken", "ExpiredToken"}


@lru_cache(maxsize=32)
def _client(connection: StoreConnection):
    config = Config(signature_version="s3v4", retries={"max_attempts": 3, "mode": "standard"},
                    connect_timeout=5, read_timeout=60,
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
            return self._call(location, "get_object")["Body"].read()
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
    def _call(self, location: ObjectLocation, operation: str, **kwargs):
        client = _client(location.connection)
        try:
            return getattr(client, operation)(Bucket=location.bucket, Key=location.key, **kwargs)
        except (S3ConnectionError, HTTPClientError) as err:  # endpoint down, timeouts, closed connections
            log.warning("object store unreachable for %s: %s", location.url, type(err).__name__)
            raise ServiceUnavailable(f"The object store behind {location.url} cannot be reached; "
                                     "check the secret's endpoint or retry later.") from None

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
