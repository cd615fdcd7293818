"""Issue 17, "keep filing when Redis fails": with the cache unreachable, requests still work.

The cache is pointed at a port nobody listens on (refused at once, as when Redis is down) or at
one that accepts and never answers (as when Redis is partitioned away).
"""

import datetime
import logging
import socket
import threading
import time
from contextlib import contextmanager
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import redis
from django.core.cache import cache
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import api_token_issue
from calendars import clock
from dashboard import charts
from portal.demo import DEMO_CITIZEN_ID
from procedures.models import Dossier
from requestlimits import rates

# Monday 23 November 2026, 09:00 in Hanoi: the demo centres are open.
OPEN_NOW = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
MARITAL = "xac-nhan-tinh-trang-hon-nhan"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _redis_at(port: int) -> dict:
    """The production cache settings (portal/settings.py), at another address."""
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@contextmanager
def redis_down():
    with override_settings(CACHES=_redis_at(_free_port())):
        yield


@contextmanager
def redis_silent():
    """A Redis that accepts connections and never answers (a partition, a hung server)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)  # the kernel completes the handshakes; nothing ever reads
        with override_settings(CACHES=_redis_at(listener.getsockname()[1])):
            yield


@pytest.fixture(autouse=True)
def _shared_counts_fresh():
    """A test that found the cache down must not leave the next one counting locally."""
    rates.shared_counts.reset()
    rates.local_counts.clear()
    yield
    rates.shared_counts.reset()
    rates.local_counts.clear()


@pytest.fixture
def open_now():
    with mock.patch("django.utils.timezone.now", return_value=OPEN_NOW):
        yield OPEN_NOW


def _take(client, code="000.00.01.H26"):
    url = f"/api/v1/queue/centres/{code}/tickets/"
    return client.post(url, {"service": "A", "channel": "kiosk"}, format="json")


# --- Rate limits ---------------------------------------------------------------------------------


def test_the_cache_is_really_unreachable_in_these_tests():
    with redis_down(), pytest.raises(redis.exceptions.ConnectionError):
        cache.add("probe", 1)


def test_tickets_are_taken_while_redis_is_down_and_the_local_limit_still_refuses(demo, open_now, settings):
    from agencies.models import Centre
    from queueing.kiosks import kiosk_register

    settings.RATE_LIMITS = settings.RATE_LIMITS | {"ticket": "3/minute"}
    settings.QUEUEING_SETUP_CACHE_SECONDS = 0
    settings.RATE_LIMIT_KIOSK_EXEMPT = False  # a kiosk is counted like anyone, to see the limit hold
    registered = kiosk_register(centre=Centre.objects.get(code="000.00.01.H26"), name="Ki-ốt thử")
    kiosk = APIClient()  # numbers for walk-ins come from a registered kiosk (issue 18)
    kiosk.credentials(HTTP_AUTHORIZATION=f"Bearer {registered.token}")
    with redis_down():
        codes = [_take(kiosk).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]


def test_one_warning_for_many_requests_while_redis_is_down(caplog, settings):
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"api": "1000/minute"}
    with redis_down(), caplog.at_level(logging.WARNING, logger="requestlimits.rates"):
        for _ in range(50):
            assert rates.hit("api", "a10.0.0.1")[0]
        rates.shared_counts._down_until = 0.0  # the retry interval passed: Redis is asked again
        assert rates.hit("api", "a10.0.0.1")[0]
    warnings = [r for r in caplog.records if r.name == "requestlimits.rates"]
    assert len(warnings) == 1
    assert "this process only" in warnings[0].getMessage()


def test_the_shared_count_returns_when_redis_answers_again(settings):
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"lookup": "3/minute"}
    with redis_down():
        assert [rates.hit("lookup", "a10.0.0.2")[0] for _ in range(2)] == [True, True]
    # Redis is back (a working cache) but the retry interval has not passed: still counted here.
    assert rates.hit("lookup", "a10.0.0.2")[0]
    assert rates.shared_counts.down
    rates.shared_counts._down_until = 0.0
    # Asked again: the count is the shared one (a fresh window there), and the cache holds it.
    assert [rates.hit("lookup", "a10.0.0.2")[0] for _ in range(4)] == [True, True, True, False]
    assert not rates.shared_counts.down
    window = int(time.time()) // 60
    assert cache.get(f"{settings.RATE_LIMIT_NAMESPACE}:lookup:a10.0.0.2:{window}") == 4


def test_a_partitioned_redis_costs_one_request_its_timeout_not_every_request(settings):
    with redis_silent():
        started = time.monotonic()
        rates.hit("api", "a10.0.0.3")
        first = time.monotonic() - started
        started = time.monotonic()
        for _ in range(20):
            rates.hit("api", "a10.0.0.3")
        rest = time.monotonic() - started
    assert first < 1.5  # the socket timeout of the settings (0.5 s), not a hang
    assert rest < 0.1  # counted locally until the retry interval passes


def test_local_counts_are_bounded_and_forget_spent_windows():
    counts = rates.LocalCounts(max_keys=100)
    later = time.monotonic() + 60
    for n in range(1000):
        counts.incr(f"k{n}", expires_at=later)
    assert len(counts) == 100
    assert counts.incr("k999", expires_at=later) == 2  # the most recent are kept
    assert counts.incr("k0", expires_at=later) == 1  # the oldest were dropped
    spent = rates.LocalCounts(max_keys=100)
    for n in range(10):
        spent.incr(f"k{n}", expires_at=time.monotonic() - 1)
    spent.incr("new", expires_at=later)
    assert len(spent) == 1


def test_local_counts_lose_no_hit_between_threads():
    counts = rates.LocalCounts()
    later = time.monotonic() + 60
    barrier = threading.Barrier(8)

    def count():
        barrier.wait()
        for _ in range(500):
            counts.incr("same", expires_at=later)

    threads = [threading.Thread(target=count) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counts.incr("same", expires_at=later) == 8 * 500 + 1


# --- Filing, the calendar and the charts ---------------------------------------------------------


def test_a_citizen_files_a_dossier_through_the_api_while_redis_is_down(demo):
    lan = User.objects.get(username=DEMO_CITIZEN_ID)
    _token, key = api_token_issue(kind="user", user=lan)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    with redis_down():
        clock.forget()  # the deadline clock asks the cache for the calendar's version first
        draft = api.post("/api/v1/drafts/", {"procedure": MARITAL}, format="json")
        assert draft.status_code == 201, draft.content
        draft = draft.json()
        step = next(s for s in draft["steps"] if s["name"] == "nguoi-yeu-cau")
        values = {**step["initial"], "purpose": "vay-von"}
        saved = api.post(f"/api/v1/drafts/{draft['id']}/steps/nguoi-yeu-cau/", values, format="json")
        assert saved.status_code == 200, saved.content
        submitted = api.post(
            f"/api/v1/drafts/{draft['id']}/submit/",
            {"centre": draft["initial_centre"], "declaration": True},
            format="json",
        )
        assert submitted.status_code == 201, submitted.content
    dossier = Dossier.objects.get(code=submitted.json()["code"])
    assert dossier.due_at is not None


def test_the_deadline_clock_keeps_its_calendar_while_redis_is_down(db, settings, django_assert_num_queries):
    settings.CALENDAR_RECHECK_SECONDS = 0
    day = datetime.date(2027, 3, 12)
    assert clock.is_working_day(day)  # the year is read once, with the cache up
    with redis_down():
        with django_assert_num_queries(0):
            assert clock.is_working_day(day)  # the version could not be read: the copy serves
        clock.calendar_changed()  # an edit while Redis is down clears this process and raises nothing
        assert clock.is_working_day(day)


def test_a_partitioned_redis_delays_one_calendar_recheck_not_every_request(db, settings):
    settings.CALENDAR_RECHECK_SECONDS = 60
    day = datetime.date(2027, 3, 12)
    clock.is_working_day(day)  # the year in memory
    clock._state["checked"] = float("-inf")  # and its recheck due now
    barrier = threading.Barrier(8)
    waits = []

    def ask():
        barrier.wait()
        started = time.monotonic()
        clock.is_working_day(day)
        waits.append(time.monotonic() - started)

    with redis_silent():
        threads = [threading.Thread(target=ask) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(waits) == 8
    assert max(waits) < 1.5  # the socket timeout of the settings, not a hang
    assert sum(wait > 0.3 for wait in waits) == 1  # one request asked; the others used the copy


def test_charts_are_drawn_without_the_cache(db):
    spec = {"title": "Đúng hạn", "labels": ["T1", "T2"], "series": {"Tỉ lệ": [90, 95]}}
    with redis_down():
        assert charts.line_chart(**spec).startswith("<svg")
        assert charts.bar_chart(**spec).startswith("<svg")
    svg = charts.line_chart(**spec)  # once the cache is back, a chart is kept again
    assert charts.line_chart(**spec) == svg
