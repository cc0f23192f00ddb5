"""HTTP/1.1 framing shared by the local front and its inference proxy.

One rule for connections: an answer keeps the connection usable whenever the request was read to its end;
when it was not (a malformed or endless body), the answer says `Connection: close` and the connection closes.
A client on keep-alive then never sends its next request into a connection we are about to drop.
"""
from __future__ import annotations

import json
import socket
import time
from typing import Optional

from chalicelib.api.errors import domain_error_response
from chalicelib.domain.errors import DomainError, InvalidInput, PayloadTooLarge

# An over-limit body of known length up to this size is read and dropped, so that the client, still sending,
# gets to read the 413 and keeps its connection; on loopback that is about a second at most.
MAX_DISCARD_BYTES = 1 << 30
PIECE = 64 * 1024
# Closing a socket that still holds unread input makes the kernel send a reset, which can destroy the answer
# the client has not read yet; so after our last byte we read what the client still sends, this long at most.
LINGER_SECONDS = 2.0
LINGER_BYTES = 16 * PIECE


def read_body(handler, max_bytes: int) -> Optional[bytes]:
    """The request body of a BaseHTTPRequestHandler (None when there is none), by Content-Length or chunked.

    Raises InvalidInput or PayloadTooLarge; when the rest of the stream can no longer be found (where does the
    next request begin?), it sets handler.close_connection first."""
    if "chunked" in (handler.headers.get("Transfer-Encoding") or "").lower():
        return _read_chunked(handler, max_bytes)
    raw = handler.headers.get("Content-Length")
    if raw is None:
        return None
    try:
        length = int(raw)
        if length < 0:
            raise ValueError(raw)
    except ValueError:
        handler.close_connection = True
        raise InvalidInput("Content-Length must be a non-negative integer.") from None
    if length > max_bytes:
        if length > MAX_DISCARD_BYTES or not _discard(handler.rfile, length):
            handler.close_connection = True
        raise PayloadTooLarge(f"Request body is larger than {max_bytes} bytes.")
    body = handler.rfile.read(length) if length else b""
    if len(body) < length:
        handler.close_connection = True
        raise InvalidInput(f"Request body ended after {len(body)} of {length} bytes (Content-Length).")
    return body or None


def _read_chunked(handler, max_bytes: int) -> bytes:
    data = bytearray()
    while True:
        size_line = handler.rfile.readline(1024)
        try:
            size = int(size_line.split(b";")[0].strip(), 16)
            if size < 0:
                raise ValueError(size)
        except ValueError:
            handler.close_connection = True
            raise InvalidInput("Malformed chunked request body.") from None
        if size == 0:
            while handler.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return bytes(data)
        if len(data) + size > max_bytes:
            handler.close_connection = True  # how much more is coming is unknown: do not wait for it
            raise PayloadTooLarge(f"Request body is larger than {max_bytes} bytes.")
        piece = handler.rfile.read(size)
        if len(piece) < size or handler.rfile.readline(8) not in (b"\r\n", b"\n"):
            handler.close_connection = True
            raise InvalidInput("Malformed chunked request body.")
        data += piece


def _discard(rfile, length: int) -> bool:
    while length > 0:
        piece = rfile.read(min(PIECE, length))
        if not piece:
            return False
        length -= len(piece)
    return True


def send_bytes(handler, status: int, headers: dict, body: bytes) -> None:
    """One complete answer; a header given as a list is sent once per value (API Gateway's multiValueHeaders)."""
    handler.send_response(status)
    for name, value in headers.items():
        for item in value if isinstance(value, list) else [value]:
            handler.send_header(name, str(item))
    handler.send_header("Content-Length", str(len(body)))
    if handler.close_connection:
        handler.send_header("Connection", "close")
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


def send_json(handler, status: int, payload: dict, headers: Optional[dict] = None) -> None:
    send_bytes(handler, status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(payload).encode())


def send_domain_error(handler, err: DomainError, request_id: str, path: str) -> None:
    """The AI API error body and status of the one error mapping (api/errors.py), on a raw handler."""
    response = domain_error_response(err, request_id, path)
    headers = {"X-Request-Id": request_id}
    if response.status_code == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="aicore"'
    send_json(handler, response.status_code, response.body, headers)


def linger_close(sock: socket.socket) -> None:
    """Half-close after the answer, read until the client closes (bounded), then close: no reset."""
    try:
        sock.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + LINGER_SECONDS
        drained = 0
        while drained < LINGER_BYTES:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            sock.settimeout(remaining)
            piece = sock.recv(PIECE)
            if not piece:
                break
            drained += len(piece)
    except OSError:
        pass
    finally:
        sock.close()
