"""The interface of a connector: one check another agency's system answers.

A connector is called in a worker with a time limit (settings.CONNECTORS_TIMEOUT_SECONDS), never
inside a caller's transaction; it returns a CheckResult, or raises ConnectorError for a failure
worth retrying (the other system is down, slow, answered garbage) or InvalidRequest when asking
again cannot help (the parameters are wrong).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class ConnectorError(Exception):
    """No answer this time; the call is retried with backoff."""


class ConnectorTimeout(ConnectorError):
    pass


class InvalidRequest(ConnectorError):
    """The request itself is wrong: failed at once, with this message as the reason."""


@dataclass(frozen=True)
class CheckResult:
    passed: bool
    detail: str = ""  # one sentence for the officer, in Vietnamese
    data: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"passed": self.passed, "detail": str(self.detail), "data": self.data}


class Connector:
    check: str = ""
    # Who answers, as the waiting message names it: "Đang chờ kết quả xác minh từ <source>".
    source: str = ""

    def run(self, params: dict[str, Any], *, timeout: float) -> CheckResult:
        """Ask the other system; pass `timeout` to any network client so it never waits longer."""
        raise NotImplementedError
