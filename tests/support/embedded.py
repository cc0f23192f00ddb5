"""The API on the embedded stack's real AWS emulator (a moto server on loopback, as `make run` starts it) rather
than in-process moto, for tests about endpoints: what is the platform's store and what is not depends on a real
host:port. And two kinds of store that never answer, on loopback only."""
from __future__ import annotations

import socket
import threading
from contextlib import contextmanager
from urllib.request import Request, urlopen

from tests.support.api_client import Api


@contextmanager
def embedded_api(settings):
    from app import app
    from chalicelib import bootstrap
    from chalicelib.adapters.local.emulator import Emulator, provision

    emulator = Emulator().start()
    reset = lambda: urlopen(Request(f"{emulator.endpoint_url}/moto-api/reset", method="POST"), timeout=10)  # noqa: E731
    reset()  # moto's backends are per process: start from nothing, leave nothing
    try:
        settings = settings.model_copy(update={"aws_endpoint_url": emulator.endpoint_url})
        provision(settings)
        bootstrap.configure(settings)
        api = Api(app, settings)
        api.emulator = emulator
        yield api
    finally:
        bootstrap.reset()
        reset()
        emulator.stop()


@contextmanager
def silent_store():
    """A loopback server that accepts connections and never answers: an S3 endpoint that hangs."""
    server = socket.create_server(("127.0.0.1", 0))
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        for conn in held:
            conn.close()
        server.close()


def closed_port() -> str:
    """A loopback endpoint nobody listens on (connection refused)."""
    from chalicelib.adapters.local.net import free_port

    return f"http://127.0.0.1:{free_port('127.0.0.1')}"
