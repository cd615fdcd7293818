"""Steps ask other systems (connectors) for their checks when they open; answers inform, never block."""

import pytest
from django.urls import reverse

from accounts.models import User
from agencies.models import Centre
from connectors.models import ConnectorCall
from connectors.registry import _load
from connectors.services import connector_call_run, payment_record
from portal.demo import DEMO_CITIZEN_ID
from procedures.models import Procedure
from procedures.services import dossier_enter, dossier_submit
from routing import actions, handoffs, services
from routing.models import OutboxMessage, StepDefinition

from .conftest import file_dossier, officer_of

MARRIAGE_STATUS = "1.004873"  # civil status, provincial fee of 0 đồng
BUSINESS_HOUSEHOLD = "2.000720"  # fee 100 000 đồng


@pytest.fixture
def dispatched(monkeypatch):
    """Calls queued after commit, recorded instead of sent to the broker."""
    from connectors import tasks

    calls = []
    monkeypatch.setattr(
        tasks.run_call, "apply_async", lambda args, countdown=None, **kw: calls.append(args[0])
    )
    return calls


def _drain():
    for pk in OutboxMessage.objects.filter(state="pending").values_list("pk", flat=True):
        handoffs.message_process(message_id=pk)


def _checks(dossier):
    return {c.check_name: c for c in ConnectorCall.objects.filter(dossier=dossier)}


def test_the_process_data_lists_checks_on_steps(demo):
    processing = StepDefinition.objects.get(process__procedure__code=MARRIAGE_STATUS, key="tham-dinh-ho-tich")
    assert processing.checks == ["citizen_verify"]
    assert StepDefinition.objects.get(
        process__procedure__code=BUSINESS_HOUSEHOLD, key="tham-dinh-kinh-doanh"
    ).checks == ["business_name_unique"]
    assert StepDefinition.objects.get(process__procedure__code="1.004222", key="phe-duyet").checks == [
        "fee_paid"
    ]
    assert StepDefinition.objects.get(process__procedure__code="1.004222", key="tiep-nhan").checks == []


def test_a_step_that_opens_requests_its_checks_once(demo, dispatched, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = file_dossier(code=MARRIAGE_STATUS, channel="counter")
        message = OutboxMessage.objects.get(dossier=dossier)
        handoffs.message_process(message_id=message.pk)
        handoffs.message_process(message_id=message.pk)  # a second delivery
    step = dossier.steps.get(definition__key="tham-dinh-ho-tich")
    # The hand-off applied again (as a redelivery racing the first would): nothing new.
    services._open_stage(type(dossier).objects.get(pk=dossier.pk), step.stage, at=step.started_at)

    calls = ConnectorCall.objects.filter(dossier=dossier)
    assert [(c.key, c.check_name) for c in calls] == [(f"check:{step.pk}:citizen_verify", "citizen_verify")]
    call = calls.get()
    assert call.params == {"citizen_id": DEMO_CITIZEN_ID, "full_name": "Nguyễn Thị Lan"}
    assert dispatched == [call.pk]  # queued once, after commit


def test_business_name_and_fee_are_checked_with_the_dossiers_data(demo, dispatched):
    procedure = Procedure.objects.get(code=BUSINESS_HOUSEHOLD)
    user, _ = User.objects.get_or_create(username=DEMO_CITIZEN_ID, defaults={"citizen_id": DEMO_CITIZEN_ID})
    dossier = dossier_submit(
        form=procedure.current_form(),
        centre=Centre.objects.get(code="000.00.01.H26"),
        channel="counter",
        applicant_citizen_id=DEMO_CITIZEN_ID,
        applicant_name="Nguyễn Thị Lan",
        submitted_by=user,
        data={"business_name": "Phở Bà Lan", "trade": "Ăn uống"},
    )
    dossier_enter(dossier_id=dossier.pk)
    _drain()
    assert dossier.fee == 100000
    name = _checks(dossier)["business_name_unique"]
    assert name.params == {"name": "Phở Bà Lan", "dossier_code": dossier.code}
    assert "fee_paid" not in _checks(dossier)  # the approval step has not opened yet

    step = dossier.steps.get(definition__key="tham-dinh-kinh-doanh")
    officer = officer_of(step.agency.code)
    actions.step_complete(step=step, officer=officer, outcome="du-dieu-kien")
    _drain()
    fee = _checks(dossier)["fee_paid"]
    approval = dossier.steps.get(definition__key="phe-duyet")
    assert fee.key == f"check:{approval.pk}:fee_paid"
    assert fee.params == {"reference": dossier.code, "amount": 100000}
    payment_record(reference=dossier.code, amount=100000, receipt_number="BL-1")
    assert connector_call_run(call_id=fee.pk).passed is True


def test_a_free_dossier_is_not_checked_for_a_fee(demo, dispatched):
    dossier = file_dossier(code=MARRIAGE_STATUS, channel="counter")
    _drain()
    assert dossier.fee == 0
    step = dossier.steps.get(definition__key="tham-dinh-ho-tich")
    actions.step_complete(step=step, officer=officer_of(step.agency.code), outcome="du-dieu-kien")
    _drain()
    assert dossier.steps.filter(definition__key="phe-duyet").exists()
    assert set(_checks(dossier)) == {"citizen_verify"}


@pytest.fixture
def broken_registry(settings):
    _load.cache_clear()
    settings.CONNECTORS_BACKENDS = {
        **settings.CONNECTORS_BACKENDS,
        "citizen_verify": "connectors.tests.fakes.Broken",
    }
    settings.CONNECTORS_MAX_ATTEMPTS = 1
    yield
    _load.cache_clear()


def test_a_failed_connector_shows_on_the_step_and_the_officer_still_acts(
    demo, dispatched, client, broken_registry
):
    dossier = file_dossier(code=MARRIAGE_STATUS, channel="counter")
    _drain()
    step = dossier.steps.get(definition__key="tham-dinh-ho-tich")
    call = connector_call_run(call_id=_checks(dossier)["citizen_verify"].pk)
    assert call.status == ConnectorCall.Status.FAILED

    client.force_login(User.objects.get(username="chuyenvien.hotich"))
    page = client.get(reverse("routing:step", args=[step.pk]))
    assert "Không nhận được kết quả từ Hệ thống lỗi." in page.text  # the broken fake's name
    assert reverse("connectors:retry", args=[call.pk]) in page.text  # staff may ask again
    assert "Hoàn thành và chuyển tiếp" in page.text
    inbox = client.get(reverse("routing:inbox"))
    assert "Có kiểm tra liên thông không đạt" in inbox.text

    client.post(reverse("routing:step_action", args=[step.pk, "tiep-nhan"]))
    response = client.post(
        reverse("routing:step_action", args=[step.pk, "hoan-thanh"]), {"outcome": "du-dieu-kien", "note": ""}
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.state == "done"
    _drain()
    assert dossier.steps.filter(definition__key="phe-duyet", state="waiting").exists()


def test_the_answer_shows_on_the_step_and_the_supervisors_drill_down(demo, dispatched, client):
    dossier = file_dossier(code=MARRIAGE_STATUS, channel="counter")
    _drain()
    step = dossier.steps.get(definition__key="tham-dinh-ho-tich")
    client.force_login(User.objects.get(username="chuyenvien.hotich"))
    waiting = client.get(reverse("routing:step", args=[step.pk]))
    assert "Đang chờ kết quả xác minh từ Cơ sở dữ liệu quốc gia về dân cư" in waiting.text
    assert "Có kiểm tra liên thông không đạt" not in client.get(reverse("routing:inbox")).text

    call = connector_call_run(call_id=_checks(dossier)["citizen_verify"].pk)
    assert (call.status, call.passed) == (ConnectorCall.Status.OK, True)  # the demo citizen, as registered
    answered = client.get(reverse("routing:step", args=[step.pk]))
    mark = "✓ Đạt"
    assert mark in answered.text

    client.force_login(User.objects.get(username="giamsat.hanoi"))
    drill = client.get(reverse("routing:drill_down", args=[dossier.code]))
    assert drill.status_code == 200
    assert mark in drill.text


def test_a_check_that_cannot_be_requested_does_not_stop_the_hand_off(demo, dispatched, settings):
    _load.cache_clear()
    settings.CONNECTORS_BACKENDS = {**settings.CONNECTORS_BACKENDS, "citizen_verify": "no.such.Backend"}
    try:
        dossier = file_dossier(code=MARRIAGE_STATUS, channel="counter")
        _drain()
    finally:
        _load.cache_clear()
    assert dossier.steps.filter(definition__key="tham-dinh-ho-tich", state="waiting").exists()
    assert OutboxMessage.objects.get(dossier=dossier).state == "done"
    assert not ConnectorCall.objects.filter(dossier=dossier).exists()
