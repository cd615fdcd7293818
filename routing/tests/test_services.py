import datetime
import threading

import pytest
from django.db import DatabaseError, connection, transaction

from agencies.models import Agency
from calendars import clock
from portal.demo import DEMO_CITIZEN_ID
from procedures.models import Dossier, Procedure
from routing import actions, handoffs, processes, selectors, services
from routing.models import DossierStep, OutboxMessage, Process, RoutingRule, StepState, Transition

from .conftest import HANOI, JUDICIAL_RECORD, file_dossier, handoffs_process, officer_of


def _open(dossier):
    return list(
        dossier.steps.filter(state__in=["waiting", "accepted"]).select_related("definition", "agency")
    )


def test_every_procedure_of_the_catalogue_has_a_process(demo):
    codes = set(Procedure.objects.values_list("code", flat=True))
    assert len(codes) == 20
    assert set(Process.objects.values_list("procedure__code", flat=True)) == codes
    for process in Process.objects.all():
        kinds = [s.kind for s in process.steps.order_by("stage")]
        assert kinds[0] == "reception"
        assert kinds[-1] == "return"
        assert "approval" in kinds
        assert sum(s.share for s in process.steps.all()) == 100
        agency_kinds = {s.agency_kind for s in process.steps.all()} - {"one_stop"}
        assert set(process.procedure.agency_kinds) <= agency_kinds


def test_loading_twice_changes_nothing(demo):
    before = (
        list(RoutingRule.objects.order_by("pk").values()),
        list(
            Process.objects.order_by("pk", "steps__pk").values(
                "pk", "steps__pk", "steps__share", "steps__checks"
            )
        ),
    )
    processes.routing_load()
    after = (
        list(RoutingRule.objects.order_by("pk").values()),
        list(
            Process.objects.order_by("pk", "steps__pk").values(
                "pk", "steps__pk", "steps__share", "steps__checks"
            )
        ),
    )
    assert before == after


def test_residence_goes_to_the_police_of_the_ward_the_applicant_lives_in_today(demo):
    # The demo citizen's registry address is in former Yên Hòa ward, merged into Cầu Giấy;
    # she files at the Ba Đình centre.
    dossier = file_dossier(code="1.004194", centre_code="000.00.02.H26")
    definition = Process.objects.get(procedure__code="1.004194").steps.get(key="tham-dinh-cu-tru")
    assert services.agency_for(dossier=dossier, definition=definition).code == "CA-000.00.01.H26"
    # Civil status is handled where the dossier was received; provincial bodies for the province.
    marriage = file_dossier(code="1.004873", centre_code="000.00.02.H26")
    civil = Process.objects.get(procedure__code="1.004873").steps.get(key="tham-dinh-ho-tich")
    assert services.agency_for(dossier=marriage, definition=civil).code == "TP-000.00.02.H26"


def test_the_first_matching_rule_wins(demo):
    dossier = file_dossier(code="1.004194", centre_code="000.00.02.H26")
    definition = Process.objects.get(procedure__code="1.004194").steps.get(key="tham-dinh-cu-tru")
    RoutingRule.objects.update(position=models_shift())
    RoutingRule.objects.create(
        position=1,
        procedure_codes=["1.004194"],
        target=RoutingRule.Target.AGENCY,
        agency=Agency.objects.get(code="CA-000.00.03.H26"),
    )
    assert services.agency_for(dossier=dossier, definition=definition).code == "CA-000.00.03.H26"


def models_shift():
    from django.db.models import F

    return F("position") + 100


def test_judicial_record_runs_justice_and_police_in_parallel_and_joins(demo):
    dossier = file_dossier(code=JUDICIAL_RECORD)
    assert dossier.due_at is not None
    handoffs_process()
    (reception,) = _open(dossier)
    assert reception.agency.kind == "one_stop"
    # An online dossier is confirmed within 8 working hours.
    assert clock.working_time_between(reception.started_at, reception.due_at) == datetime.timedelta(hours=8)
    clerk = officer_of(reception.agency.code)
    actions.step_complete(step=reception, officer=clerk, outcome="tiep-nhan")
    handoffs_process()
    branches = _open(dossier)
    assert {s.agency.code for s in branches} == {"HN-STP", "CA-000.00.01.H26"}
    assert len({s.parallel_group for s in branches}) == 1
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.PROCESSING

    justice, police = sorted(branches, key=lambda s: s.agency.code != "HN-STP")
    actions.step_accept(step=justice, officer=officer_of("HN-STP"))
    actions.step_complete(step=justice, officer=officer_of("HN-STP"), outcome="du-dieu-kien")
    handoffs_process()
    assert [s.agency.code for s in _open(dossier)] == ["CA-000.00.01.H26"]  # the join waits
    actions.step_complete(step=police, officer=officer_of("CA-000.00.01.H26"), outcome="da-xac-minh")
    handoffs_process()
    (approval,) = _open(dossier)
    assert approval.definition.kind == "approval"
    assert approval.agency.code == "HN-STP"
    actions.step_complete(step=approval, officer=officer_of("HN-STP"), outcome="da-ky")
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.DONE
    assert dossier.settled_at is not None
    assert dossier.on_time is True
    handoffs_process()
    (back,) = _open(dossier)
    assert back.definition.kind == "return"
    actions.step_complete(step=back, officer=clerk, outcome="da-tra")
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.RETURNED
    # The supervisor's daily figures count the settlement once, on time, as it happened.
    from django.db.models import Sum

    from dashboard.models import DailyFigure

    counted = DailyFigure.objects.filter(procedure=dossier.procedure).aggregate(
        settled=Sum("settled"), on_time=Sum("settled_on_time")
    )
    assert counted == {"settled": 1, "on_time": 1}
    handovers = Transition.objects.filter(dossier=dossier, handover=True)
    assert handovers.count() == 5
    assert all(t.step_on_time for t in handovers)
    assert selectors.current_steps(dossier) == []
    from documents.models import Document

    assert Document.objects.filter(key=f"process_control:{dossier.code}").exists()


def test_a_counter_dossier_starts_at_the_processing_agency(demo):
    dossier = file_dossier(code="1.004873", channel="counter")
    handoffs_process()
    (step,) = _open(dossier)
    assert step.agency.code == "TP-000.00.01.H26"
    assert dossier.steps.get(definition__kind="reception").state == StepState.DONE


def test_a_hand_off_processed_twice_has_the_effect_of_once(demo):
    file_dossier(code=JUDICIAL_RECORD, channel="counter")
    (message,) = OutboxMessage.objects.all()
    handoffs.message_process(message_id=message.pk)
    counts = DossierStep.objects.count(), Transition.objects.count(), OutboxMessage.objects.count()
    handoffs.message_process(message_id=message.pk)
    # Even a delivery that finds the message not yet marked done creates nothing twice.
    OutboxMessage.objects.filter(pk=message.pk).update(state="pending")
    handoffs.message_process(message_id=message.pk)
    assert (DossierStep.objects.count(), Transition.objects.count(), OutboxMessage.objects.count()) == counts


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite has one writer at a time"
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_taking_the_same_hand_off_at_once_create_the_steps_once():
    from portal.demo import demo_data_load

    demo_data_load()
    file_dossier(code=JUDICIAL_RECORD, channel="counter")
    (message,) = OutboxMessage.objects.all()
    barrier = threading.Barrier(4)
    errors = []

    def consume():
        try:
            barrier.wait()
            handoffs.message_process(message_id=message.pk)
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=consume) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert DossierStep.objects.filter(state="waiting").count() == 2
    assert Transition.objects.filter(key__startswith="open:").count() == 3


def test_one_worker_task_carries_a_filing_from_entering_to_the_inbox(demo):
    """The relay sends one task for the workers' share (outbox.drain with no source): it enters the
    dossiers waiting and then delivers the hand-offs that wrote, so a filing needs one trip through
    the broker, not one per stage."""
    from outbox.tasks import drain

    dossier = file_dossier(code=JUDICIAL_RECORD, channel="counter", enter=False)
    assert not dossier.steps.exists()
    assert drain() == 2  # entered, then its first hand-off delivered
    assert dossier.steps.filter(state="waiting").count() == 2


def test_hand_offs_are_delivered_from_their_rows_oldest_first_and_a_failure_waits_its_retry(demo, now):
    # No broker message carries a hand-off: the workers take due rows from the database.
    first = file_dossier(code=JUDICIAL_RECORD, channel="counter")
    second = file_dossier(code=JUDICIAL_RECORD, channel="counter")
    assert handoffs.handoffs_deliver(limit=1) == 1
    assert first.steps.filter(state="waiting").count() == 2
    assert not second.steps.exists()
    # The second fails (nowhere to route it): counted, and not tried again before its retry is due.
    RoutingRule.objects.all().delete()
    assert handoffs.handoffs_deliver(limit=10) == 1
    message = OutboxMessage.objects.get(dossier=second)
    assert (message.state, message.attempts) == (OutboxMessage.State.PENDING, 1)
    assert "NoRoute" in message.last_error
    assert handoffs.handoffs_deliver(limit=10) == 0
    processes.routing_load()
    now.set(message.retry_at)
    assert handoffs.handoffs_deliver(limit=10) == 1
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DONE
    assert second.steps.filter(state="waiting").count() == 2


def test_a_hand_off_that_keeps_failing_becomes_a_dead_letter_a_supervisor_can_retry(demo, settings):
    from accounts.models import User

    settings.ROUTING_MAX_ATTEMPTS = 3
    RoutingRule.objects.all().delete()  # nowhere to route: every attempt fails
    dossier = file_dossier(code=JUDICIAL_RECORD, channel="counter")
    message = OutboxMessage.objects.get(dossier=dossier)
    for _attempt in range(3):
        message = handoffs.message_process(message_id=message.pk)
    assert "NoRoute" in message.last_error
    assert message.state == OutboxMessage.State.DEAD
    assert message.attempts == 3
    assert DossierStep.objects.filter(dossier=dossier).count() == 0  # the failed attempts left nothing
    supervisor = User.objects.get(username="giamsat.hanoi")
    assert list(selectors.dead_letters(supervisor)) == [message]
    assert list(selectors.dead_letters(User.objects.get(username="canbo.caugiay"))) == []
    processes.routing_load()
    handoffs.dead_letter_retry(message=message, actor=supervisor)
    handoffs.message_process(message_id=message.pk)
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DONE
    assert list(selectors.dead_letters(supervisor)) == []
    assert dossier.steps.filter(state="waiting").count() == 2


def test_supplement_pauses_the_clock_and_moves_due_at_by_exactly_the_paused_working_time(demo, now):
    now.set(datetime.datetime(2026, 11, 25, 9, 0, tzinfo=HANOI))  # Wednesday
    dossier = file_dossier(code="1.004873", channel="counter")
    handoffs_process()
    (step,) = _open(dossier)
    officer = officer_of(step.agency.code)
    actions.step_accept(step=step, officer=officer)
    dossier.refresh_from_db()
    step_due, dossier_due = step.due_at, dossier.due_at

    now.set(datetime.datetime(2026, 11, 25, 10, 0, tzinfo=HANOI))
    with pytest.raises(services.RoutingError):
        actions.supplement_request(step=step, officer=officer, missing=["  "])
    actions.supplement_request(
        step=step, officer=officer, missing=["Bản sao quyết định ly hôn", "Giấy xác nhận nơi cư trú cũ"]
    )
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.SUPPLEMENT
    with pytest.raises(services.RoutingError):  # one request at a time, listing everything
        actions.supplement_request(step=step, officer=officer, missing=["Thêm một giấy nữa"])

    # The citizen answers across lunch breaks, nights and the weekend: Wednesday 10:00 → Monday 08:30.
    now.set(datetime.datetime(2026, 11, 30, 8, 30, tzinfo=HANOI))
    paused = clock.working_time_between(
        datetime.datetime(2026, 11, 25, 10, 0, tzinfo=HANOI),
        datetime.datetime(2026, 11, 30, 8, 30, tzinfo=HANOI),
    )
    assert paused == datetime.timedelta(hours=1.5 + 4 + 8 + 8 + 1)
    actions.supplement_answer(dossier=dossier, user=dossier.submitted_by, note="Đã nộp đủ")
    step.refresh_from_db()
    dossier.refresh_from_db()
    assert step.state == StepState.ACCEPTED
    assert step.paused_at is None
    assert clock.working_time_between(step_due, step.due_at) == paused
    assert clock.working_time_between(dossier_due, dossier.due_at) == paused
    assert dossier.status == Dossier.Status.PROCESSING
    assert dossier.due_date == dossier.due_at.astimezone(HANOI).date()


def test_refusal_settles_the_dossier_and_closes_parallel_branches(demo):
    dossier = file_dossier(code=JUDICIAL_RECORD, channel="counter")
    handoffs_process()
    justice = dossier.steps.get(agency__code="HN-STP")
    with pytest.raises(services.RoutingError):
        actions.step_refuse(step=justice, officer=officer_of("HN-STP"), reasons=[])
    actions.step_refuse(step=justice, officer=officer_of("HN-STP"), reasons=["Không thuộc thẩm quyền"])
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.REFUSED
    assert dossier.settled_at is not None
    assert not dossier.steps.filter(state__in=["waiting", "accepted"]).exists()
    with pytest.raises(services.RoutingError):
        actions.step_complete(step=justice, officer=officer_of("HN-STP"), outcome="du-dieu-kien")


def test_unanswered_supplement_stops_the_dossier(demo, now, settings):
    settings.ROUTING_SUPPLEMENT_ANSWER_DAYS = 2
    now.set(datetime.datetime(2026, 11, 25, 9, 0, tzinfo=HANOI))
    dossier = file_dossier(code="1.004873", channel="counter")
    handoffs_process()
    (step,) = _open(dossier)
    actions.supplement_request(step=step, officer=officer_of(step.agency.code), missing=["Giấy tờ A"])
    now.set(datetime.datetime(2026, 11, 26, 16, 0, tzinfo=HANOI))
    assert actions.supplements_expire() == []
    now.set(datetime.datetime(2026, 11, 27, 10, 0, tzinfo=HANOI))
    (stopped,) = actions.supplements_expire()
    assert stopped.status == Dossier.Status.STOPPED
    assert stopped.settled_at is not None


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the trail's append-only trigger is PostgreSQL's (routing/migrations/0002_transition_append_only)",
)
def test_the_trail_is_append_only(demo):
    dossier = file_dossier(code=JUDICIAL_RECORD)
    transition = Transition.objects.filter(dossier=dossier).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        Transition.objects.filter(pk=transition.pk).update(note="sửa")
    with pytest.raises(DatabaseError), transaction.atomic():
        Transition.objects.filter(pk=transition.pk).delete()


def test_inbox_sorted_by_deadline_and_scoped_to_the_officers_agency(demo):
    from accounts.models import User

    first = file_dossier(code="1.004873", channel="counter")
    second = file_dossier(code="2.000635", channel="counter")  # same-day: due sooner
    file_dossier(code="1.004194", channel="counter")  # police, not the civil-status inbox
    handoffs_process()
    officer = User.objects.get(username="chuyenvien.hotich")
    inbox = list(selectors.inbox_for(selectors.agencies_of(officer)))
    assert [s.dossier for s in inbox] == [second, first]
    assert all(s.agency.code == "TP-000.00.01.H26" for s in inbox)
    assert DEMO_CITIZEN_ID  # the filer is the demo citizen


def test_the_workers_drain_task_retries_a_failing_hand_off_then_dead_letters_it(demo, settings, now):
    from outbox.tasks import drain

    settings.ROUTING_MAX_ATTEMPTS = 3
    RoutingRule.objects.all().delete()
    dossier = file_dossier(code="1.004873", channel="counter")
    message = OutboxMessage.objects.get(dossier=dossier)
    for _attempt in range(3):
        drain.apply(args=["handoffs"])  # the task the relay sends a routing worker
        message.refresh_from_db()
        if message.retry_at:
            now.set(message.retry_at)  # 2 s, then 4 s later
    assert message.state == OutboxMessage.State.DEAD
    assert message.attempts == 3
    assert "NoRoute" in message.last_error


def test_the_one_stop_forms_render_from_what_routing_records(demo, now):
    """Forms 02, 03 and 06 as the documents app will render them, from routing's own context."""
    from django.template.loader import render_to_string

    from documents.models import Document
    from documents.services import TEMPLATES

    dossier = file_dossier(code=JUDICIAL_RECORD, channel="counter")
    handoffs_process()
    justice = dossier.steps.get(agency__code="HN-STP")
    police = dossier.steps.get(agency__code="CA-000.00.01.H26")
    actions.supplement_request(
        step=police, officer=officer_of("CA-000.00.01.H26"), missing=["Bản sao hộ chiếu"]
    )
    actions.supplement_answer(dossier=dossier, user=dossier.submitted_by, note="Đã nộp")
    for step, outcome in ((justice, "du-dieu-kien"), (police, "da-xac-minh")):
        actions.step_complete(step=step, officer=officer_of(step.agency.code), outcome=outcome)
    handoffs_process()
    approval = dossier.steps.get(definition__kind="approval")
    actions.step_complete(step=approval, officer=officer_of("HN-STP"), outcome="da-ky")

    slip = Document.objects.get(key=f"process_control:{dossier.code}")
    # Received at the counter on Monday 09:00, its reception step is due that same day: on time, not
    # a day ahead. (The clock is fixed: at another hour that step's share could end the next day.)
    assert [h["timeliness"] for h in slip.context["handovers"]] == ["on_time", "early", "early", "early"]
    html = render_to_string(TEMPLATES[slip.kind], {"document": slip, "data": slip.context})
    assert "Sở Tư pháp Thành phố Hà Nội" in html
    assert "Trước hạn" in html
    request = Document.objects.get(kind=Document.Kind.SUPPLEMENT_REQUEST, subject_ref=dossier.code)
    html = render_to_string(TEMPLATES[request.kind], {"document": request, "data": request.context})
    assert "Bản sao hộ chiếu" in html
