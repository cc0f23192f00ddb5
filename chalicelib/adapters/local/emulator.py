"""The embedded AWS emulator: a moto server on loopback with this stage's tables and bucket."""
from __future__ import annotations

import socket

import boto3
from moto.server import ThreadedMotoServer

from chalicelib.settings import Settings


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class Emulator:
    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.host = host
        self.port = port or free_port(host)
        self._server = ThreadedMotoServer(ip_address=self.host, port=self.port, verbose=False)

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "Emulator":
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()


def provision(settings: Settings) -> None:
    """Create tables and the artifacts bucket from the production definitions, if missing."""
    from chalicelib.adapters.dynamodb.models import configure, create_tables

    configure(settings.resolved_table_prefix, settings.aws_region, settings.aws_endpoint_url)
    create_tables()
    s3 = boto3.client("s3", region_name=settings.aws_region, endpoint_url=settings.aws_endpoint_url)
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if settings.resolved_bucket not in existing:
        s3.create_bucket(Bucket=settings.resolved_bucket,
                         CreateBucketConfiguration={"LocationConstraint": settings.aws_region})
