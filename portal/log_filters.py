"""Log filters for the web process. Like every filter here, it never raises: a filter that raises
takes down the process that logs (issue 17: beat died of one)."""

from __future__ import annotations

import logging


class ForbiddenWithoutTrace(logging.Filter):
    """Keep a 403's log line, drop its traceback: a refused request is routine (a citizen following
    an old link, a probe), and the traceback's frames would put the request's data in the logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            if getattr(record, "status_code", None) == 403 and record.exc_info:
                record.exc_info = None
                record.exc_text = None
        except Exception:  # noqa: BLE001, S110 - a log filter must never stop a record
            pass
        return True
