"""Every POST of the queue's pages goes through a form (queueing/forms.py): bad input gets a
Vietnamese message, what was typed is shown back, and nothing is issued, booked or changed."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import User
from notifications.channels import sms
from queueing.models import Appointment, Counter, Ticket
from queueing.services import ticket_issue

from .conftest import OPEN_NOW, solved_challenge
from .test_appointment_views import FORM, FRIDAY, SLOT, book_at_nine


@pytest.fixture
def open_clock(time_machine):
    time_machine.move_to(OPEN_NOW, tick=False)
    return time_machine


# --- Taking a number ------------------------------------------------------------------------------


def test_a_forged_priority_is_refused_with_a_message_not_dropped(
    kiosk_browser, centre, civil_status, open_clock
):
    url = reverse("queueing:kiosk", args=[centre.code])
    response = kiosk_browser.post(url, {"service": civil_status.pk, "priority": "vip"})
    assert response.status_code == 400
    assert "Hãy chọn một diện ưu tiên trong danh sách." in response.content.decode()
    assert not Ticket.objects.exists()
    kiosk_browser.post(url, {"service": civil_status.pk, "priority": "elderly"})
    assert Ticket.objects.get().priority == "elderly"


def test_a_service_of_another_centre_or_a_garbled_id_is_no_service(kiosk_browser, centre, open_clock):
    url = reverse("queueing:kiosk", args=[centre.code])
    for forged in ("abc", "1 OR 1=1", ""):
        response = kiosk_browser.post(url, {"service": forged})
        assert response.status_code == 400
        assert "Hãy chọn một dịch vụ." in response.content.decode()
    assert not Ticket.objects.exists()


def test_the_phone_page_keeps_the_phone_and_service_after_a_phone_too_long(
    client, centre, civil_status, open_clock
):
    url = reverse("queueing:take", args=[centre.code])
    typed = "0912345678901234567"
    form = {"service": civil_status.pk, "phone": typed, "action": "send_code", "altcha": solved_challenge()}
    sent_before = len(sms.outbox)
    response = client.post(url, form)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Số điện thoại gồm 9 đến 11 chữ số" in page
    assert f'value="{typed}"' in page
    assert f'value="{civil_status.pk}" checked' in page
    assert len(sms.outbox) == sent_before


# --- The counter console ----------------------------------------------------------------------


@pytest.fixture
def serving(client, centre, civil_status, counter_1, open_clock):
    """Counter 1 signed in, with A001 called; `act(action, **data)` posts a button, following the redirect."""
    ticket_issue(centre=centre, service=civil_status, channel="kiosk", now=OPEN_NOW)
    client.force_login(User.objects.get(username="canbo.caugiay"))

    def act(action, **data):
        url = reverse("queueing:console_action", args=[counter_1.pk, action])
        return client.post(url, data, follow=True).content.decode()

    act("sign_in")
    act("call_next")
    return act


def test_a_dossier_code_too_long_is_refused_and_shown_again(serving):
    typed = "000.00.01.H26-261123-0001-" + "X" * 20
    page = serving("finish", dossier_code=typed)
    assert "Mã hồ sơ dài tối đa 40 ký tự." in page
    assert f'value="{typed}"' in page  # the console again, the code as typed
    assert Ticket.objects.get().status == Ticket.Status.CALLED
    assert 'name="dossier_code" maxlength="40" autocomplete="off" value=""' in serving("recall")  # once only
    serving("finish", dossier_code="000.00.01.H26-261123-0001")
    assert Ticket.objects.get().dossier_code == "000.00.01.H26-261123-0001"


def test_a_transfer_to_a_counter_of_another_centre_is_refused(serving, counter_1):
    elsewhere = Counter.objects.exclude(centre=counter_1.centre).first()
    forged = elsewhere.pk if elsewhere else 999999
    assert "Hãy chọn một quầy của trung tâm." in serving("transfer", counter=forged)
    ticket = Ticket.objects.get()
    assert (ticket.status, ticket.counter_id) == (Ticket.Status.CALLED, counter_1.pk)


def test_a_number_issued_at_the_counter_needs_one_of_the_centres_services(serving):
    assert "Hãy chọn một dịch vụ." in serving("issue", service="B")
    assert Ticket.objects.count() == 1


# --- Appointments -----------------------------------------------------------------------------


@pytest.fixture
def booked(client, centre, time_machine):
    time_machine.move_to(FRIDAY, tick=False)
    client.force_login(User.objects.get(citizen_id=FORM["citizen_id"]))
    book_at_nine(client, centre)
    return Appointment.objects.get()


def test_moving_an_appointment_needs_a_slot_and_a_known_button(client, booked):
    url = reverse("queueing:appointment", args=[booked.public_id])
    assert (
        "Hãy chọn một khung giờ." in client.post(url, {"action": "reschedule"}, follow=True).content.decode()
    )
    garbled = client.post(url, {"action": "reschedule", "starts_at": "thứ hai"}, follow=True)
    assert "Hãy chọn một khung giờ." in garbled.content.decode()
    assert "Thao tác không hợp lệ." in client.post(url, {"action": "explode"}, follow=True).content.decode()
    booked.refresh_from_db()
    assert (booked.status, booked.slot.starts_at) == (Appointment.Status.BOOKED, SLOT)


def test_holding_a_garbled_slot_is_refused_beside_the_slots(client, centre, booked):
    url = reverse("queueing:slot_hold", args=[centre.code])
    response = client.post(url, {"service": "A", "starts_at": "9 giờ"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Khung giờ không hợp lệ." in response.content.decode()
    assert client.post(url, {"service": "Z", "starts_at": SLOT.isoformat()}).status_code == 404


def test_the_kiosk_asks_for_the_booking_code_before_anything(kiosk_browser, centre, booked, time_machine):
    time_machine.move_to(SLOT - datetime.timedelta(minutes=10), tick=False)
    url = reverse("queueing:kiosk_check_in", args=[centre.code])
    sent_before = len(sms.outbox)
    response = kiosk_browser.post(url, {"code": "  ", "action": "send_code"}, follow=True)
    assert "Hãy nhập mã đặt lịch." in response.content.decode()
    assert len(sms.outbox) == sent_before
    assert not Ticket.objects.exists()
