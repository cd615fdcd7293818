"""The one door to `notifications.services.notify` (see the shared contract in docs/routing.md).

Until the notifications app is merged, notifying is a no-op; delete this guard when it lands.
"""

from __future__ import annotations


def notify(**kwargs) -> list:
    try:
        from notifications.services import notify as _notify
    except ImportError:
        return []
    return _notify(**kwargs)
