"""ClamAV through its daemon, clamd (Debian's clamav-daemon), with the INSTREAM command.

The protocol is small enough to speak directly: "zINSTREAM\\0", then the file in chunks each
preceded by its length (4 bytes, network order), then a zero length; clamd answers
"stream: OK", "stream: <signature> FOUND" or "... ERROR". settings.CLAMD_SOCKET is a Unix socket
path (Debian: /run/clamav/clamd.ctl) or tcp://host:port; clamd's own StreamMaxLength (25 MB by
default) must stay above the upload limit.
"""

from __future__ import annotations

import socket
import struct
from typing import IO

from django.conf import settings

from ...base import ScannerUnavailable

CHUNK = 64 * 1024


def _connect(address: str, timeout: float) -> socket.socket:
    if address.startswith("tcp://"):
        host, _, port = address[len("tcp://") :].rpartition(":")
        return socket.create_connection((host, int(port)), timeout=timeout)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(address)
    except OSError:
        sock.close()
        raise
    return sock


class ClamdScanner:
    identifier = "clamd"

    def scan(self, stream: IO[bytes]) -> str | None:
        address = settings.CLAMD_SOCKET
        if not address:
            raise ScannerUnavailable("CLAMD_SOCKET is not set")
        try:
            with _connect(address, settings.CLAMD_TIMEOUT_SECONDS) as sock:
                sock.sendall(b"zINSTREAM\0")
                while chunk := stream.read(CHUNK):
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                sock.sendall(struct.pack("!L", 0))
                reply = b""
                while not reply.endswith(b"\0"):
                    received = sock.recv(4096)
                    if not received:
                        break
                    reply += received
        except OSError as error:  # refused, missing socket, timeout
            raise ScannerUnavailable(f"clamd at {address}: {error}") from error
        answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
        if answer.endswith(" FOUND"):
            return answer.removeprefix("stream:").removesuffix(" FOUND").strip()
        if answer.endswith(" OK"):
            return None
        raise ScannerUnavailable(f"clamd at {address} answered {answer!r}")
