"""The virus scanner interface: one method, so ClamAV, a ministry's gateway or a cloud service fit.

A scanner reads the whole stream and answers the name of what it found, or None for a clean
file. When it cannot give an answer (the daemon is down, too slow, or refused the stream) it
raises ScannerUnavailable: the upload is then refused with "try again", never let through
unscanned (docs/security.md, Uploads).
"""

from __future__ import annotations

from typing import IO, Protocol


class ScannerUnavailable(Exception):
    """The scanner gave no verdict; the file was not scanned."""


class Scanner(Protocol):
    identifier: str

    def scan(self, stream: IO[bytes]) -> str | None:
        """What was found in the stream (a signature name), or None when it is clean."""
