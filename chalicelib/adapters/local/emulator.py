"""The embedded AWS emulator: a moto server on loopback with this stage's tables and bucket."""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Optional

import boto3
from moto.server import DomainDispatcherApplication, create_backend_app
from moto.moto_server.werkzeug_app import MotoRequestHandler
from werkzeug.serving import make_server

from chalicelib.settings import Settings

from . import in_process, moto_fast_reads
from .dynamo_locking import DynamoLocking
from .net import free_port
from .peer import same_user


log = logging.getLogger("aicore.local")


class _QuietHandler(MotoRequestHandler):
    def handle(self) -> None:
        if not same_user(self.connection):  # a step or predictor (uid 65534): the stack's data is not theirs
            self.connection.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        super().handle()

    def log_request(self, *args, **kwargs) -> None:  # one line per AWS call drowns the stack's own log
        pass


class Emulator:
    """moto's WSGI app on a threaded loopback server; with `state_dir`, wrapped by the durable journal
    (every acknowledged write is on disk and replayed at the next start)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, state_dir: Optional[Path] = None,
                 access_key_id: Optional[str] = None):
        self.host = host
        self.access_key_id = access_key_id  # set: only requests naming it are served (emulator_gate)
        self.port = port or free_port(host)
        self.state_dir = state_dir
        self.journal = None
        self._server = None
        self._thread: Optional[threading.Thread] = None

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "Emulator":
        moto_fast_reads.install()
        app = DynamoLocking(DomainDispatcherApplication(create_backend_app))  # moto is not thread-safe
        if self.state_dir is not None:
            from .durable_moto import DurableApp
            from .journal import Journal
            from .replay import restore

            self.journal = Journal(self.state_dir)
            app = DurableApp(app, self.journal)
            restore(app, self.journal)
        if self.access_key_id:
            from .emulator_gate import KeyGate

            app = KeyGate(app, self.access_key_id)
        self._server = make_server(self.host, self.port, app, threaded=True, request_handler=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="aws-emulator", daemon=True)
        self._thread.start()
        in_process.serve(self.endpoint_url, app)  # the stack's own DynamoDB calls skip the socket
        return self

    def stop(self) -> None:
        in_process.stop(self.endpoint_url)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(10)
        if self.journal is not None:
            try:
                self.journal.compact()  # a clean stop leaves one snapshot: the next start reads one file
            finally:
                self.journal.close()


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
