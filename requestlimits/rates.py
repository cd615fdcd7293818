"""Rate limits shared by the API (a DRF throttle) and the pages that do the same thing.

One table, `settings.RATE_LIMITS`, names each limit ("ticket", "booking", "lookup", …) as
"<count>/<second|minute|hour|day>". A fixed window counted in the default cache (Redis when
REDIS_URL is set, so every gunicorn process shares the count): simple and cheap, and a burst
of twice the rate across a window edge is acceptable for what it guards.

When the cache cannot be reached, a rate limit must not turn into an outage (issue 17: every API
call answered 500 while Redis was down). Each process then counts in its own memory, at the same
rates, and asks the shared cache again every `SHARED_RETRY_SECONDS`: a caller spread over N
processes gets up to N times the rate until Redis is back, a price worth paying to keep filing.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle

from accounts.models import ApiToken

from .client_address import client_address

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# While the shared cache is unreachable, each process asks it again this often (a partitioned Redis
# costs a request its socket timeout: once per interval, not on every request).
SHARED_RETRY_SECONDS = 5.0
# At most this often per process, a warning that limits are counted locally.
WARN_EVERY_SECONDS = 60.0
# Counters a process keeps while Redis is down: the least recently used go first, so a flood of
# new addresses costs memory up to this bound and no more.
LOCAL_MAX_KEYS = 10_000


def parse_rate(rate: str) -> tuple[int, int]:
    count, _slash, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[0]]


def client_key(request) -> str:
    """The signed-in account, else the client's address as our proxies saw it (never what the
    client wrote in X-Forwarded-For: rotating it would reset every limit)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    return f"a{client_address(request)}"


class LocalCounts:
    """Fixed windows counted in this process's memory: the fallback while the shared cache is down."""

    def __init__(self, max_keys: int = LOCAL_MAX_KEYS) -> None:
        self._lock = threading.Lock()
        self._counts: OrderedDict[str, tuple[float, int]] = OrderedDict()
        self.max_keys = max_keys

    def incr(self, key: str, *, expires_at: float) -> int:
        now = time.monotonic()
        with self._lock:
            expiry, used = self._counts.pop(key, (expires_at, 0))
            self._counts[key] = (expiry, used + 1)
            # The oldest entries are the least recently counted: drop them when spent or too many.
            while self._counts:
                oldest_key, (oldest_expiry, _used) = next(iter(self._counts.items()))
                if oldest_expiry > now and len(self._counts) <= self.max_keys:
                    break
                del self._counts[oldest_key]
            return used + 1

    def __len__(self) -> int:
        return len(self._counts)

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


class SharedCounts:
    """The count in the default cache, shared by every process; `None` when the cache fails."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._warned_at = float("-inf")
        self.down = False

    def incr(self, key: str, *, timeout: int) -> int | None:
        if self.down and time.monotonic() < self._down_until:
            return None
        try:
            used = self._incr(key, timeout=timeout)
        except Exception as error:  # noqa: BLE001 - each cache backend fails in its own way
            self._failed(error)
            return None
        if self.down:
            self.down = False
            logger.warning("rate limits shared again: the cache answers")
        return used

    def _incr(self, key: str, *, timeout: int) -> int:
        if cache.add(key, 1, timeout=timeout):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=timeout)
            return 1

    def _failed(self, error: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            self.down = True
            self._down_until = now + SHARED_RETRY_SECONDS
            warn = now - self._warned_at >= WARN_EVERY_SECONDS
            if warn:
                self._warned_at = now
        if warn:
            logger.warning(
                "rate limits counted in this process only: the cache is unreachable (%s: %s)",
                type(error).__name__,
                error,
            )

    def reset(self) -> None:
        with self._lock:
            self.down = False
            self._down_until = 0.0
            self._warned_at = float("-inf")


shared_counts = SharedCounts()
local_counts = LocalCounts()


def hit(scope: str, key: str) -> tuple[bool, int]:
    """Count one request; (allowed, seconds until the window resets)."""
    count, period = parse_rate(settings.RATE_LIMITS[scope])
    now = time.time()
    window = int(now) // period
    left = period - (int(now) % period)
    cache_key = f"{settings.RATE_LIMIT_NAMESPACE}:{scope}:{key}:{window}"
    used = shared_counts.incr(cache_key, timeout=period + 1)
    if used is None:
        used = local_counts.incr(cache_key, expires_at=time.monotonic() + left)
    return used <= count, left


def is_kiosk(request) -> bool:
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


def limit_spent_page(request, scope: str):
    """Count this request against `scope`: None while within the limit, else the 429 page."""
    allowed, retry_after = hit(scope, client_key(request))
    if allowed:
        return None
    response = render(
        request,
        "rate_limited.html",
        {"retry_after": retry_after, "message": _("Bạn thao tác quá nhanh.")},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def limit_page(scope: str, methods: tuple[str, ...] = ("POST",)):
    """The page side: answer 429 with a readable page when the same limit is spent."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                spent = limit_spent_page(request, scope)
                if spent is not None:
                    return spent
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class PageLimitMiddleware:
    """`limit_page` for a view that names its limit as data, `view.rate_limit_scope = "…"` (POSTs
    only), as an API view names its `throttle_scope`: accounts cannot import this module, which
    imports accounts (a kiosk's token lifts the ticket limit)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        scope = getattr(view_func, "rate_limit_scope", None)
        if scope and request.method == "POST":
            return limit_spent_page(request, scope)
        return None
