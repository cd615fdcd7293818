"""The deadline watch: due soon before the deadline (officers and supervisors), overdue with an
apology (form 04) to the citizen, each once; paused and settled dossiers left alone."""

import datetime

import pytest

from calendars import clock
from calendars.clock import DeadlineState
from documents.models import Document
from notifications.models import Notification
from procedures.models import Dossier
from routing import actions, deadlines
from routing.models import Transition

from .conftest import HANOI, file_dossier, handoffs_process, officer_of

MARITAL_STATUS = "1.004873"  # 3 working days
H = datetime.timedelta(hours=1)


def at(*args):
    return datetime.datetime(*args, tzinfo=HANOI)


@pytest.fixture
def dossier(demo):
    """A marital-status dossier filed at the counter on Monday 30/11/2026 09:00, at the justice desk."""
    filed = file_dossier(code=MARITAL_STATUS, channel="counter", received_at=at(2026, 11, 30, 9))
    handoffs_process()
    filed.refresh_from_db()
    assert filed.due_at == at(2026, 12, 3, 17)  # Thursday: the close of the third working day
    return filed


def _alerts(dossier):
    return Notification.objects.filter(kind="deadline_alert", dossier=dossier, channel="in_app")


def test_on_track_then_due_soon_alerts_officers_and_supervisor_once(dossier):
    before = clock.add_working_time(dossier.due_at, -9 * H)
    assert deadlines.deadlines_refresh(now=before).due_soon == []
    dossier.refresh_from_db()
    assert dossier.deadline_state == DeadlineState.ON_TRACK

    now = clock.add_working_time(dossier.due_at, -7 * H)  # Wednesday 2/12 11:00: 7 working hours left
    done = deadlines.deadlines_refresh(now=now)
    assert done.due_soon == [dossier.code]
    dossier.refresh_from_db()
    assert dossier.deadline_state == DeadlineState.DUE_SOON
    alerted = {n.user.username for n in _alerts(dossier)}
    assert "giamsat.hanoi" in alerted  # the province's supervisor oversees the centre
    assert "chuyenvien.hotich" in alerted  # the justice desk's officer, before anyone took the step
    assert "canbo.badinh" not in alerted  # another centre's clerk
    assert all(n.body.endswith("Còn 7 giờ") for n in _alerts(dossier) if n.user.username == "giamsat.hanoi")

    count = Notification.objects.count()
    deadlines.deadlines_refresh(now=now + H)
    deadlines.deadlines_refresh(now=now + 2 * H)
    assert Notification.objects.count() == count  # once per dossier and state


def test_the_officer_who_took_the_step_is_the_one_alerted(dossier):
    step = dossier.steps.get(state="waiting")
    officer = officer_of(step.agency.code, username="nguoi.nhan")
    actions.step_accept(step=step, officer=officer)
    deadlines.deadlines_refresh(now=clock.add_working_time(dossier.due_at, -2 * H))
    officers = {n.user.username for n in _alerts(dossier)} - {"giamsat.hanoi"}
    assert officers == {"nguoi.nhan"}


def test_overdue_gets_one_apology_with_a_new_return_date(dossier, settings):
    settings.DEADLINE_APOLOGY_EXTRA_WORKING_DAYS = 2
    now = at(2026, 12, 4, 10)  # Friday, the morning after the deadline
    done = deadlines.deadlines_refresh(now=now)
    assert done.overdue == [dossier.code]
    dossier.refresh_from_db()
    assert dossier.deadline_state == DeadlineState.OVERDUE
    assert dossier.due_at == at(2026, 12, 3, 17)  # the legal deadline never moves for an apology

    letter = Document.objects.get(kind=Document.Kind.APOLOGY, subject_ref=dossier.code)
    # Two working days from Friday 10:00 end on Tuesday 10:00: the new date is Tuesday 8/12.
    assert letter.context["new_due_at"] == at(2026, 12, 8, 17).isoformat()
    assert "Tư pháp" in letter.context["reason"]
    late = Notification.objects.get(kind="dossier_late", dossier=dossier, channel="in_app")
    assert late.citizen_id == dossier.applicant_citizen_id
    assert "08/12/2026" in late.body
    assert Transition.objects.filter(dossier=dossier, key=f"apology:{dossier.pk}").exists()
    # Found overdue without having been seen due soon: no "due soon" alert after the fact.
    assert not _alerts(dossier).exists()

    deadlines.deadlines_refresh(now=now + H)
    assert Document.objects.filter(kind=Document.Kind.APOLOGY).count() == 1
    assert Notification.objects.filter(kind="dossier_late", dossier=dossier, channel="in_app").count() == 1


def test_a_dossier_waiting_on_the_citizen_is_left_alone_and_back_on_track_after_the_answer(dossier, now):
    step = dossier.steps.get(state="waiting")
    officer = officer_of(step.agency.code)
    now.set(at(2026, 12, 1, 9))
    actions.supplement_request(step=step, officer=officer, missing=["Bản sao giấy khai sinh"])
    assert deadlines.deadlines_refresh(now=at(2026, 12, 4, 10)).overdue == []  # paused: not late
    dossier.refresh_from_db()
    assert dossier.deadline_state == DeadlineState.ON_TRACK
    assert not Document.objects.filter(kind=Document.Kind.APOLOGY).exists()

    now.set(at(2026, 12, 7, 9))  # Monday: the clock resumes, the deadline moves by the pause
    actions.supplement_answer(dossier=dossier, user=dossier.submitted_by, note="Đã bổ sung")
    dossier.refresh_from_db()
    assert dossier.due_at > at(2026, 12, 7, 17)
    deadlines.deadlines_refresh(now=at(2026, 12, 7, 9))
    dossier.refresh_from_db()
    assert dossier.deadline_state == DeadlineState.ON_TRACK


def test_states_move_back_when_a_deadline_moves_later(dossier):
    deadlines.deadlines_refresh(now=clock.add_working_time(dossier.due_at, -2 * H))
    Dossier.objects.filter(pk=dossier.pk).update(due_at=at(2026, 12, 11, 17))
    deadlines.deadlines_refresh(now=clock.add_working_time(at(2026, 12, 3, 17), -H))
    dossier.refresh_from_db()
    assert dossier.deadline_state == DeadlineState.ON_TRACK


def test_settled_dossiers_keep_their_state(dossier):
    Dossier.objects.filter(pk=dossier.pk).update(settled_at=at(2026, 12, 2, 9), status="done", on_time=True)
    assert deadlines.deadlines_refresh(now=at(2026, 12, 10, 9)).overdue == []
    dossier.refresh_from_db()
    assert dossier.deadline_state == DeadlineState.ON_TRACK


def test_a_step_entering_its_due_soon_window_alerts_its_officers_once(dossier, settings):
    step = dossier.steps.get(state="waiting")
    officer = officer_of(step.agency.code, username="nguoi.nhan")
    actions.step_accept(step=step, officer=officer)
    step.refresh_from_db()
    assert step.due_at < dossier.due_at  # its share of the time limit
    now = clock.add_working_time(step.due_at, -3 * H)
    assert clock.working_time_between(now, dossier.due_at) >= 8 * H  # the dossier itself is on track
    assert deadlines.deadlines_refresh(now=now).step_alerts == [step.pk]
    prefix = f"deadline_alert:step:{step.pk}:"
    (alert,) = Notification.objects.filter(key__startswith=prefix, channel="in_app")
    assert alert.user == officer
    assert "Còn 3 giờ" in alert.body
    assert deadlines.deadlines_refresh(now=now + H).step_alerts == []


def test_the_beat_runs_the_watch(settings):
    from portal.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["routing-deadlines-refresh"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    assert settings.CELERY_BEAT_SCHEDULE["routing-supplements-expire"]["task"] in app.tasks


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_apologise_once():
    import threading

    from django.db import connection

    from portal.demo import demo_data_load

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    demo_data_load()
    filed = file_dossier(code=MARITAL_STATUS, channel="counter", received_at=at(2026, 11, 30, 9))
    handoffs_process()
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            deadlines.deadlines_refresh(now=at(2026, 12, 4, 10))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Document.objects.filter(kind=Document.Kind.APOLOGY, subject_ref=filed.code).count() == 1
    assert Notification.objects.filter(kind="dossier_late", channel="in_app").count() == 1
    assert Transition.objects.filter(key=f"apology:{filed.pk}").count() == 1


def test_a_run_with_nothing_to_move_costs_a_few_queries_however_many_dossiers(
    dossier, django_assert_max_num_queries
):
    for _ in range(5):
        file_dossier(code=MARITAL_STATUS, channel="counter", received_at=at(2026, 11, 30, 9))
    handoffs_process()
    now = at(2026, 11, 30, 9, 30)
    deadlines.deadlines_refresh(now=now)
    with django_assert_max_num_queries(4):  # three state ranges and the steps' window, nothing per dossier
        done = deadlines.deadlines_refresh(now=now)
    assert (done.due_soon, done.overdue, done.on_track, done.step_alerts) == ([], [], [], [])
