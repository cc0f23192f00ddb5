"""Who is at the other end of a loopback TCP connection: the uid of the peer's socket, from the kernel (sock_diag).

The embedded emulator (moto) accepts any AWS credentials. Steps and predictors run as another uid (65534, see
sandbox.py), so the emulator can tell its own stack's connections from theirs and refuse those: files of the
stack are hidden from a pod, and its data must not be one loopback request away either.
"""
from __future__ import annotations

import os
import socket
import struct
from typing import Optional

SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, NLMSG_ERROR = 20, 1, 2
NO_COOKIE = 0xFFFFFFFF
_HEADER = struct.Struct("=IHHII")  # nlmsghdr: len, type, flags, seq, pid
_UID_AT = _HEADER.size + 4 + 48 + 12  # inet_diag_msg: 4 bytes, the 48-byte sockid, expires/rqueue/wqueue, uid


def _sockid(src: str, sport: int, dst: str, dport: int) -> bytes:
    pad = bytes(12)
    return (struct.pack("!HH", sport, dport) + socket.inet_aton(src) + pad + socket.inet_aton(dst) + pad
            + struct.pack("=III", 0, NO_COOKIE, NO_COOKIE))


def peer_uid(connection: socket.socket) -> Optional[int]:
    """The uid owning the other end of an accepted IPv4 loopback connection, or None if the kernel won't say."""
    try:
        peer_ip, peer_port = connection.getpeername()[:2]
        own_ip, own_port = connection.getsockname()[:2]
        request = struct.pack("=BBBBI", socket.AF_INET, socket.IPPROTO_TCP, 0, 0, 0xFFFFFFFF) + \
            _sockid(peer_ip, peer_port, own_ip, own_port)
        with socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 4) as diag:  # 4: NETLINK_SOCK_DIAG
            diag.settimeout(1)
            diag.sendto(_HEADER.pack(_HEADER.size + len(request), SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, 1, 0)
                        + request, (0, 0))
            answer = diag.recv(8192)
    except (OSError, ValueError, AttributeError):
        return None
    if len(answer) < _UID_AT + 4 or _HEADER.unpack_from(answer)[1] == NLMSG_ERROR:
        return None
    return struct.unpack_from("=I", answer, _UID_AT)[0]


def same_user(connection: socket.socket) -> bool:
    """True when the peer runs as this process's user (or when the kernel cannot tell: nothing to refuse then)."""
    uid = peer_uid(connection)
    return uid is None or uid == os.getuid()
