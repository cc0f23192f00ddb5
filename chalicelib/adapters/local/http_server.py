"""The local front's server: what clients do to it (bursts of parallel connections, keep-alive, stopping while
they call) it holds. A deep listen backlog, a bound on connections answered past it with 503 + Retry-After,
closes that never reset (http_io.linger_close), and a stop that lets requests under way finish.
"""
from __future__ import annotations

import logging
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

from chalicelib.api.errors import error_body

from .http_io import linger_close, send_json

log = logging.getLogger("aicore.local")

# Connections wait here while all handler threads are busy starting up; Python's default of 5 made the kernel
# reset about 1 connection in 60 under 16 parallel clients. Linux caps it at net.core.somaxconn.
LISTEN_BACKLOG = 1024
MAX_CONNECTIONS = 512  # threads serving connections at once; more get 503 + Retry-After
MAX_REFUSING = 32  # threads answering those 503s; past both, accepting waits (the backlog holds the rest)
IDLE_SECONDS = 120  # a keep-alive connection silent this long is closed (it holds a thread)
DRAIN_SECONDS = 10  # at stop, how long requests under way may take to finish


def refuse(handler, message: str) -> None:
    """503 + Retry-After, then close: the request body, if any, is left unread."""
    handler.close_connection = True
    request_id = str(uuid.uuid4())
    send_json(handler, 503, error_body("ServiceUnavailable", message, request_id, urlparse(handler.path).path),
              {"Retry-After": "1", "X-Request-Id": request_id})


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "aicore-local"
    timeout = IDLE_SECONDS
    # Headers and body go out in separate writes: with Nagle's algorithm on, the body waits for the client's
    # delayed ACK (~40 ms on Linux) on every keep-alive request.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):  # route access logs through logging, not stderr
        log.debug("%s " + fmt, self.address_string(), *args)


class _Busy(RequestHandler):
    """Past MAX_CONNECTIONS: a clean answer that says when to come back, instead of a reset or a long wait."""

    timeout = 5

    def _refuse(self) -> None:
        refuse(self, "The server is at its connection limit; retry after the time in Retry-After.")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _refuse

    def __getattr__(self, name: str):
        if name.startswith("do_"):  # every other method too (TRACE, ...): the same 503, not http.server's 501
            return self._refuse
        raise AttributeError(name)


class LocalHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False  # stopping must not wait for idle keep-alive connections
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, address, handler, max_connections: int = MAX_CONNECTIONS):
        self._slots = threading.BoundedSemaphore(max_connections)
        self._refusing = threading.BoundedSemaphore(MAX_REFUSING)
        self._in_flight = 0
        self._quiet = threading.Condition()
        self.stopping = False
        super().__init__(address, handler)

    # -- stopping: requests under way finish, new ones on kept-alive connections get 503 + close -------------
    def begin_request(self, handler) -> bool:
        with self._quiet:
            if not self.stopping:
                self._in_flight += 1
                return True
        refuse(handler, "The server is stopping; retry after the time in Retry-After.")
        return False

    def end_request(self) -> None:
        with self._quiet:
            self._in_flight -= 1
            self._quiet.notify_all()

    def shutdown(self) -> None:
        with self._quiet:
            self.stopping = True
        super().shutdown()

    def server_close(self) -> None:
        with self._quiet:
            self.stopping = True
            self._quiet.wait_for(lambda: self._in_flight == 0, timeout=DRAIN_SECONDS)
        super().server_close()

    # -- connections -----------------------------------------------------------------------------------------

    def process_request(self, request, client_address):
        if self._slots.acquire(blocking=False):
            super().process_request(request, client_address)
            return
        self._refusing.acquire()  # both full: stop accepting until a refusal ends (clients wait in the backlog)
        threading.Thread(target=self._refuse, args=(request, client_address), daemon=True).start()

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def _refuse(self, request, client_address):
        try:
            _Busy(request, client_address, self)
        except Exception:  # noqa: BLE001 - the client went away meanwhile
            log.debug("refusing %s failed", client_address, exc_info=True)
        finally:
            linger_close(request)
            self._refusing.release()

    def shutdown_request(self, request):
        linger_close(request)

    def handle_error(self, request, client_address):
        # A client that hangs up mid-answer is routine (timeouts, Ctrl-C): not a traceback on stderr.
        if isinstance(sys.exc_info()[1], ConnectionError):
            log.debug("client %s went away", client_address)
        else:
            log.exception("error serving %s", client_address)
