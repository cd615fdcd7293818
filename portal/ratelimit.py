"""Rate limits shared by the API (a DRF throttle) and the pages that do the same thing.

One table, `settings.RATE_LIMITS`, names each limit ("ticket", "booking", "lookup", …) as
"<count>/<second|minute|hour|day>". A fixed window counted in the default cache (Redis when
REDIS_URL is set, so every gunicorn process shares the count): simple and cheap, and a burst
of twice the rate across a window edge is acceptable for what it guards.
"""

from __future__ import annotations

import functools
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    count, _slash, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[0]]


def client_key(request) -> str:
    """The signed-in account, else the client address (the proxy's one when behind TLS termination)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    address = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            address = forwarded.split(",")[0].strip()
    return f"a{address}"


def hit(scope: str, key: str) -> tuple[bool, int]:
    """Count one request; (allowed, seconds until the window resets)."""
    count, period = parse_rate(settings.RATE_LIMITS[scope])
    now = int(time.time())
    window = now // period
    cache_key = f"{settings.RATE_LIMIT_NAMESPACE}:{scope}:{key}:{window}"
    if cache.add(cache_key, 1, timeout=period + 1):
        used = 1
    else:
        try:
            used = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout=period + 1)
            used = 1
    return used <= count, period - (now % period)


def is_kiosk(request) -> bool:
    from accounts.models import ApiToken

    auth = getattr(request, "auth", None)
    return isinstance(auth, ApiToken) and auth.kind == ApiToken.Kind.KIOSK


class ScopedLimit(BaseThrottle):
    """The API side: a view's `throttle_scope` (default "api") counted per caller."""

    def allow_request(self, request, view):
        scope = getattr(view, "throttle_scope", "api")
        if scope == "ticket" and settings.RATE_LIMIT_KIOSK_EXEMPT and is_kiosk(request):
            scope = "api"
        if scope in ("ticket", "booking") and request.method == "GET":
            scope = "api"  # reading queues and slots is not taking or booking
        allowed, self.retry_after = hit(scope, client_key(request))
        return allowed

    def wait(self):
        return self.retry_after


def limit_page(scope: str, methods: tuple[str, ...] = ("POST",)):
    """The page side: answer 429 with a readable page when the same limit is spent."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                allowed, retry_after = hit(scope, client_key(request))
                if not allowed:
                    response = render(
                        request,
                        "rate_limited.html",
                        {"retry_after": retry_after, "message": _("Bạn thao tác quá nhanh.")},
                        status=429,
                    )
                    response["Retry-After"] = str(retry_after)
                    return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
