"""409 or 404 on a step action (docs/api.md): a step the officer may see but that has moved on (a
colleague acted first) is 409; a step they may not see at all is 404, whatever its state."""

import threading
import time

import pytest
from django.db import connection

from accounts.models import User
from routing.models import DossierStep, StepState

from .conftest import api_client_for, file_dossier, handoffs_process

MARITAL_STATUS = "1.004873"


def _waiting_step(settings) -> DossierStep:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    dossier = file_dossier(code=MARITAL_STATUS, channel="counter")
    handoffs_process()
    return dossier.steps.get(state=StepState.WAITING)


def _complete(client, step_id):
    url = f"/api/v1/agency/steps/{step_id}/complete/"
    return client.post(url, {"outcome": "du-dieu-kien"}, format="json")


def _colleague_of(username: str, colleague: str) -> None:
    """A second officer with the same units."""
    other = User.objects.create_user(username=colleague, password="x")
    for membership in User.objects.get(username=username).memberships.all():
        membership.pk = None
        membership.user = other
        membership.save()


def test_completing_a_step_a_second_time_is_409_and_says_why(demo, settings):
    step = _waiting_step(settings)
    hotich = api_client_for("chuyenvien.hotich")
    assert _complete(hotich, step.pk).status_code == 200
    again = _complete(hotich, step.pk)
    assert again.status_code == 409
    assert "không thực hiện được thao tác này" in again.json()["detail"]
    # The finished step can still be read by its unit, with no action left on it.
    detail = hotich.get(f"/api/v1/agency/steps/{step.pk}/")
    assert detail.status_code == 200
    assert detail.json()["state"] == "done"
    assert detail.json()["actions"] == []
    # Every other action on it is a 409 too, never a 404.
    for action in ("accept", "supplement-request", "return", "refuse"):
        body = {"missing": ["x"], "reasons": ["x"], "note": "x"}
        answer = hotich.post(f"/api/v1/agency/steps/{step.pk}/{action}/", body, format="json")
        assert answer.status_code == 409, (action, answer.json())


def test_a_finished_step_stays_404_for_whoever_may_not_see_it(demo, settings):
    step = _waiting_step(settings)
    assert _complete(api_client_for("chuyenvien.hotich"), step.pk).status_code == 200
    police = api_client_for("congan.caugiay")  # an officer of another agency
    assert police.get(f"/api/v1/agency/steps/{step.pk}/").status_code == 404
    assert _complete(police, step.pk).status_code == 404
    User.objects.create_user(username="079099000001", citizen_id="079099000001", password="x")
    assert _complete(api_client_for("079099000001"), step.pk).status_code == 404


def test_resubmitting_a_corrected_dossier_twice_is_409(demo, settings):
    step = _waiting_step(settings)
    hotich, counter = api_client_for("chuyenvien.hotich"), api_client_for("canbo.caugiay")
    returned = hotich.post(f"/api/v1/agency/steps/{step.pk}/return/", {"note": "Thiếu ảnh"}, format="json")
    assert returned.status_code == 200
    assert counter.post(f"/api/v1/agency/steps/{step.pk}/resubmit/", {}, format="json").status_code == 200
    again = counter.post(f"/api/v1/agency/steps/{step.pk}/resubmit/", {}, format="json")
    assert again.status_code == 409


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite has one writer at a time"
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_completes_one_wins_the_other_is_409(demo, settings, at_once):
    """Two officers press "complete" together, the second a little later each round: while the
    first is still finishing (it waits on the row lock), or just after it committed (the step has
    left the inbox by then, which used to answer 404)."""
    _colleague_of("chuyenvien.hotich", "chuyenvien.hotich2")

    def complete_at_once(step_id, lag):
        clients = [api_client_for("chuyenvien.hotich"), api_client_for("chuyenvien.hotich2")]
        lags = iter([0.0, lag])
        lock = threading.Lock()

        def complete():
            with lock:
                client, wait = clients.pop(), next(lags)
            time.sleep(wait)
            return _complete(client, step_id).status_code

        return sorted(at_once(2, complete))

    answers = []
    for lag in (0.0, 0.0, 0.01, 0.03, 0.1, 0.3):
        step = _waiting_step(settings)
        answers.append(complete_at_once(step.pk, lag))
        step.refresh_from_db()
        assert step.state == StepState.DONE
        assert step.dossier.transitions.filter(step=step, to_state=StepState.DONE).count() == 1
    assert answers == [[200, 409]] * 6
