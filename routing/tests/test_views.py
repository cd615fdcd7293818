import pytest
from django.urls import reverse

from accounts.models import User
from portal.demo import DEMO_CITIZEN_ID
from procedures.models import Dossier
from routing import handoffs, services
from routing.models import DossierStep, OutboxMessage, RoutingRule
from uploads.tests.files import pdf_upload

from .conftest import file_dossier


def _drain():
    for pk in OutboxMessage.objects.filter(state="pending").values_list("pk", flat=True):
        handoffs.message_process(message_id=pk)


@pytest.fixture
def officer(demo, client):
    client.force_login(User.objects.get(username="chuyenvien.hotich"))
    return client


def test_the_officer_acts_from_the_inbox_and_the_citizen_answers_a_supplement(officer, client):
    dossier = file_dossier(code="1.004873", channel="counter")
    _drain()
    step = dossier.steps.get(state="waiting")
    page = officer.get(reverse("routing:inbox"))
    assert page.status_code == 200
    assert dossier.code in page.text
    assert "Còn" in page.text
    officer.post(reverse("routing:step_action", args=[step.pk, "tiep-nhan"]))
    # An empty request is refused with a message and changes nothing.
    response = officer.post(
        reverse("routing:step_action", args=[step.pk, "yeu-cau-bo-sung"]), {"missing": ""}, follow=True
    )
    assert "mỗi dòng một giấy tờ" in response.text
    officer.post(
        reverse("routing:step_action", args=[step.pk, "yeu-cau-bo-sung"]),
        {"missing": "Bản sao quyết định ly hôn\nGiấy xác nhận nơi cư trú cũ", "reason": "Cần xác minh"},
    )
    step.refresh_from_db()
    assert step.state == "supplement"

    client.force_login(User.objects.get(username=DEMO_CITIZEN_ID))
    page = client.get(reverse("procedures:dossier", args=[dossier.code]))
    assert "Bản sao quyết định ly hôn" in page.text
    assert reverse("routing:supplement_answer", args=[dossier.code]) in page.text
    upload = pdf_upload("quyet-dinh.pdf")
    response = client.post(
        reverse("routing:supplement_answer", args=[dossier.code]), {"note": "Đã bổ sung", "files": upload}
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.state == "accepted"
    assert dossier.attachments.filter(component="bo-sung").count() == 1

    client.force_login(User.objects.get(username="chuyenvien.hotich"))
    response = client.post(
        reverse("routing:step_action", args=[step.pk, "hoan-thanh"]),
        {"outcome": "du-dieu-kien", "note": "OK"},
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.state == "done"


def test_the_inbox_refreshes_itself_with_new_dossiers(officer):
    page = officer.get(reverse("routing:inbox"))
    assert 'hx-trigger="every 60s"' in page.text
    dossier = file_dossier(code="1.004873", channel="counter")
    _drain()
    # What htmx fetches every minute: the list alone, now with the dossier just handed over.
    part = officer.get(reverse("routing:inbox"), HTTP_HX_REQUEST="true")
    assert dossier.code in part.text
    assert "<html" not in part.text


def test_an_officer_cannot_see_or_act_on_another_agencys_step(officer):
    dossier = file_dossier(code="1.004194", channel="counter")  # police
    _drain()
    step = dossier.steps.get(state="waiting")
    assert officer.get(reverse("routing:step", args=[step.pk])).status_code == 404
    assert officer.post(reverse("routing:step_action", args=[step.pk, "tiep-nhan"])).status_code == 404
    step.refresh_from_db()
    assert step.state == "waiting"


def test_a_citizen_has_no_inbox(demo, client):
    client.force_login(User.objects.get(username=DEMO_CITIZEN_ID))
    assert client.get(reverse("routing:inbox")).status_code == 403
    assert client.get(reverse("routing:dead_letters")).status_code == 403


def test_supervisor_sees_dead_letters_and_retries_them(demo, client, settings):
    settings.ROUTING_MAX_ATTEMPTS = 1
    rules = list(RoutingRule.objects.values())
    RoutingRule.objects.all().delete()
    dossier = file_dossier(code="1.004873", channel="counter")
    message = OutboxMessage.objects.get(dossier=dossier)
    handoffs.message_failed(message_id=message.pk, error=services.NoRoute("no agency"))
    client.force_login(User.objects.get(username="giamsat.hanoi"))
    page = client.get(reverse("routing:dead_letters"))
    assert dossier.code in page.text
    assert "NoRoute" in page.text
    for rule in rules:
        RoutingRule.objects.create(**rule)
    client.post(reverse("routing:dead_letter_retry", args=[message.pk]))
    message.refresh_from_db()
    assert message.state == "pending"
    handoffs.message_process(message_id=message.pk)
    assert DossierStep.objects.filter(dossier=dossier, state="waiting").count() == 1
    drill = client.get(reverse("routing:drill_down", args=[dossier.code]))
    assert drill.status_code == 200
    assert "Bộ phận Tư pháp - Hộ tịch" in drill.text
    assert Dossier.objects.get(pk=dossier.pk).status == "processing"
