import uuid

import pytest
from django.test import override_settings
from django.utils import translation

from divisions.services import divisions_load
from portal.demo import HANOI_FILE, demo_data_load

# Per-app times after the run; own_process tests in a pytest process of their own (tests/plugin.py).
pytest_plugins = ["tests.plugin"]


@pytest.fixture
def hanoi(db):
    """Hanoi's wards and the former-ward mapping, as shipped in divisions/data."""
    return divisions_load(path=HANOI_FILE)


@pytest.fixture
def demo(db):
    """The full demo dataset, loaded the way `make run` loads it (once per test process, then copied:
    tests/demo_copy.py)."""
    from tests.demo_copy import demo_load

    return demo_load(demo_data_load)


@pytest.fixture(autouse=True)
def _vietnamese_first():
    """Each test starts in Vietnamese, as the site does; a request that switched language must not leak."""
    translation.activate("vi")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _calendar_forgotten():
    """The working calendar is kept in memory per process; a rolled-back test must not leave its days."""
    from calendars import clock

    clock.forget()
    yield
    clock.forget()


@pytest.fixture(autouse=True)
def _catalogue_forgotten():
    """Form versions, procedures and centres are kept per process; a rolled-back test's rows must
    not outlive it (SQLite hands the same ids out again)."""
    from procedures import selectors

    selectors.forget_kept()
    yield
    selectors.forget_kept()


@pytest.fixture(autouse=True)
def _figure_agencies_forgotten():
    """The daily figures keep each (procedure, centre)'s agency per process: a rolled-back test's
    agency id must not be written by the next test, which has other agencies under the same ids.
    dashboard.services has no public way to forget it yet, hence the lru_cache's own cache_clear."""
    from dashboard.services import _agency_id

    _agency_id.cache_clear()
    yield
    _agency_id.cache_clear()


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing(django_test_environment):
    """Tests only: MD5 instead of Argon2, so creating users costs nothing. Production settings keep
    Argon2 first (portal/tests/test_security.py checks the settings module itself)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _own_rate_limit_counters():
    """Each test counts its requests from zero: rate-limit keys get a namespace of their own."""
    with override_settings(RATE_LIMIT_NAMESPACE=f"rl-{uuid.uuid4().hex[:12]}"):
        yield


@pytest.fixture
def at_once():
    """`at_once(n, fn)`: run `fn` in n threads released together, each on its own database
    connection; returns their results. Any thread's error fails the test."""
    import threading

    from django.db import connection

    def run(n, fn):
        barrier = threading.Barrier(n)
        results, errors = [], []

        def one():
            try:
                barrier.wait()
                results.append(fn())
            except Exception as error:  # noqa: BLE001 — reported below
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=one) for _ in range(n)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        return results

    return run


@pytest.fixture(autouse=True)
def _broker_breaker_closed():
    """A test that made publishing fail must not leave the next test's publishes skipped."""
    from outbox.services import breaker

    breaker.reset()
    yield
    breaker.reset()
