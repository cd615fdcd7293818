"""The scanner of a development machine without ClamAV (`make run` on a fresh machine).

It knows one signature, the EICAR anti-virus test file's, anywhere in the file, so the refusal
of an infected upload can be seen and tested without clamd. It protects from nothing else:
production sets CLAMD_SOCKET (docs/operations.md).
"""

from __future__ import annotations

from typing import IO

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class DevelopmentScanner:
    identifier = "development"

    def scan(self, stream: IO[bytes]) -> str | None:
        return "Eicar-Test-Signature" if EICAR in stream.read() else None
