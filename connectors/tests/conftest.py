import pytest

from notifications.tests.conftest import centre, citizen, dossier, person, walk_in  # noqa: F401


@pytest.fixture
def dispatched(monkeypatch):
    """Calls queued after commit, recorded instead of sent to the broker."""
    from connectors import tasks

    calls = []
    monkeypatch.setattr(
        tasks.run_call, "apply_async", lambda args, countdown=None, **kw: calls.append((args[0], countdown))
    )
    return calls


@pytest.fixture
def fake_backends(settings):
    """The local backends plus test connectors, in the registry by check name."""
    from connectors.registry import _load

    _load.cache_clear()
    settings.CONNECTORS_BACKENDS = {
        **settings.CONNECTORS_BACKENDS,
        "flaky": "connectors.tests.fakes.Flaky",
        "slow": "connectors.tests.fakes.Slow",
        "broken": "connectors.tests.fakes.Broken",
    }
    yield
    _load.cache_clear()
