"""The client's address: the one place that decides it, for the rate limits, the sign-in lockout
(django-axes' AXES_CLIENT_IP_CALLABLE) and the documents' access log.

Behind our proxy, REMOTE_ADDR is the proxy's own address, shared by everybody. Each trusted proxy
appends the address it saw to X-Forwarded-For, so the client is the `TRUSTED_PROXY_HOPS`-th entry
from the right. Whatever lies further left the client wrote itself and is never believed: taking
the leftmost entry let one client rotate it to escape every rate limit, and keying the lockout on
the proxy's address let anyone lock anyone out (issue 18, item 7).

A hand-written function rather than django-ipware: it is these few lines, and the rule (count
hops from the right, nothing else) is the whole of what we need from it.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    """The address of whoever sent `request`, as the last trusted proxy saw it ('' if unknown)."""
    direct = request.META.get("REMOTE_ADDR", "") or ""
    hops = settings.TRUSTED_PROXY_HOPS
    if hops <= 0:
        return direct  # no proxy in front: X-Forwarded-For is only what the client says
    forwarded = [
        entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()
    ]
    if not forwarded:
        return direct
    # Fewer entries than hops: the request passed fewer proxies than configured, and every entry
    # there was still written by one of them; the leftmost is the farthest they saw.
    candidate = forwarded[max(len(forwarded) - hops, 0)]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return direct  # not an address our proxies write: trust only the connection
