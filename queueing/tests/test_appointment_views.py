import datetime
import re
import unicodedata

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from notifications.channels import sms
from queueing.appointments import check_in_token
from queueing.hours import LOCAL
from queueing.models import Appointment, AppointmentSlot, Ticket

from .conftest import solved_challenge

FRIDAY = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=LOCAL)
SLOT = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=LOCAL)
FORM = {"service": "A", "full_name": "Nguyễn Thị Lan", "phone": "0912345678", "citizen_id": "001188123456"}


def book_at_nine(client, centre, **form):
    url = reverse("queueing:book", args=[centre.code]) + "?dich-vu=A"
    return client.post(url, {**FORM, "starts_at": SLOT.isoformat(), **form})


@pytest.fixture
def client(client, centre):
    """The demo citizen, signed in: her bookings carry her account's citizen ID (issue 18)."""
    client.force_login(User.objects.get(citizen_id="001188123456"))
    return client


@pytest.fixture
def clock(time_machine):
    """This process's time, stopped at FRIDAY (time-machine); `clock.move_to(...)` moves it."""
    time_machine.move_to(FRIDAY, tick=False)
    return time_machine


def test_booking_page_lists_free_slots_and_books(client, centre, clock):
    url = reverse("queueing:book", args=[centre.code])
    page = client.get(url, {"dich-vu": "A"}).content.decode()
    assert SLOT.isoformat() in page
    response = client.post(url + "?dich-vu=A", {**FORM, "starts_at": SLOT.isoformat()})
    appointment = Appointment.objects.get()
    assert response.url == reverse("queueing:appointment", args=[appointment.public_id])
    confirmation = client.get(response.url).content.decode()
    assert appointment.code in confirmation
    assert "<svg" in confirmation
    assert "09:00" in confirmation


def test_booking_errors_keep_what_was_typed(client, centre, clock):
    url = reverse("queueing:book", args=[centre.code]) + "?dich-vu=A"
    response = client.post(url, {**FORM, "phone": "12", "starts_at": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Nguyễn Thị Lan" in page
    assert "Số điện thoại gồm 9 đến 11 chữ số" in page
    assert "Hãy chọn một khung giờ." in page
    assert not Appointment.objects.exists()


def test_a_full_slot_offers_the_next_free_ones(client, centre, civil_status, clock):
    AppointmentSlot.objects.create(
        service=civil_status,
        starts_at=SLOT,
        ends_at=SLOT + datetime.timedelta(minutes=30),
        capacity=2,
        booked=2,
    )
    url = reverse("queueing:book", args=[centre.code]) + "?dich-vu=A"
    page = client.post(url, {**FORM, "starts_at": SLOT.isoformat()}).content.decode()
    assert "đã hết chỗ" in page
    assert "09:30" in page


def test_unknown_service_is_a_404(client, centre, clock):
    assert client.get(reverse("queueing:book", args=[centre.code]), {"dich-vu": "Z"}).status_code == 404


def test_cancel_then_the_slot_is_free_again(client, centre, clock):
    client.post(
        reverse("queueing:book", args=[centre.code]) + "?dich-vu=A", {**FORM, "starts_at": SLOT.isoformat()}
    )
    appointment = Appointment.objects.get()
    client.post(reverse("queueing:appointment", args=[appointment.public_id]), {"action": "cancel"})
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert AppointmentSlot.objects.get().booked == 0


def test_check_in_at_the_kiosk_needs_the_code_and_her_phone(
    kiosk_browser, centre, clock, django_capture_on_commit_callbacks
):
    """Issue 18: the booking code alone checks nobody in; a code sent to her phone does."""
    client = kiosk_browser
    book_at_nine(client, centre)
    appointment = Appointment.objects.get()
    clock.move_to(SLOT - datetime.timedelta(minutes=10))
    url = reverse("queueing:kiosk_check_in", args=[centre.code])
    alone = client.post(url, {"code": appointment.code.lower(), "action": "check_in"})
    assert alone.url == reverse("queueing:kiosk", args=[centre.code])
    assert not Ticket.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url, {"code": appointment.code.lower(), "action": "send_code"})
    assert "*******678" in sent.content.decode()
    assert sms.outbox[-1].to == "0912345678"
    code = sms.outbox[-1].text.split(": ")[1][:6]
    response = client.post(url, {"code": appointment.code, "proof": code, "action": "check_in"})
    ticket = Ticket.objects.get()
    assert response.url == reverse("queueing:ticket_print", args=[ticket.public_id])
    assert ticket.channel == Ticket.Channel.APPOINTMENT


def test_check_in_at_the_kiosk_with_the_qr_from_her_account(kiosk_browser, centre, clock):
    client = kiosk_browser
    book_at_nine(client, centre)
    appointment = Appointment.objects.get()
    page = reverse("queueing:appointment", args=[appointment.public_id])
    assert 'data-testid="check-in-qr"' in client.get(page).content.decode()
    assert 'data-testid="check-in-qr"' not in Client().get(page).content.decode()
    clock.move_to(SLOT - datetime.timedelta(minutes=10))
    url = reverse("queueing:kiosk_check_in", args=[centre.code])
    other = Appointment.objects.create(
        code="ZZZZ2222",
        centre=centre,
        service=appointment.service,
        slot=appointment.slot,
        full_name="Người khác",
        phone="0900000000",
        created_at=appointment.created_at,
    )
    stolen = client.post(url, {"code": appointment.code, "proof": check_in_token(other)})
    assert stolen.status_code == 302
    assert not Ticket.objects.exists()
    client.post(url, {"code": appointment.code, "proof": check_in_token(appointment)})
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CHECKED_IN


def test_an_anonymous_booking_needs_a_phone_code_and_a_registered_id_if_any(
    centre, clock, django_capture_on_commit_callbacks
):
    """Issue 18: no code, no booking; people without a record book with the phone alone."""
    anonymous = Client()
    url = reverse("queueing:book", args=[centre.code]) + "?dich-vu=A"
    form = {**FORM, "starts_at": SLOT.isoformat(), "citizen_id": ""}
    refused = anonymous.post(url, {**form, "altcha": solved_challenge()})
    assert "Gửi mã" in refused.content.decode()
    assert refused.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        unsolved = anonymous.post(url, {**form, "action": "send_code"})
        anonymous.post(url, {**form, "action": "send_code", "altcha": solved_challenge()})
    assert "kiểm tra chống gửi tự động" in unsolved.content.decode()
    code = sms.outbox[-1].text.split(": ")[1][:6]
    unknown = anonymous.post(
        url, {**form, "citizen_id": "001099999999", "phone_code": code, "altcha": solved_challenge()}
    )
    assert "không có trong Cơ sở dữ liệu quốc gia về dân cư" in unknown.content.decode()
    # The phone stays proved in this browser for a while: no second SMS for the retry.
    booked = anonymous.post(url, {**form, "altcha": solved_challenge()})
    appointment = Appointment.objects.get()
    assert booked.url == reverse("queueing:appointment", args=[appointment.public_id])
    assert (appointment.citizen_id, appointment.phone, appointment.user) == ("", "0912345678", None)


def test_a_signed_in_booking_is_in_her_account_s_name_whatever_the_form_says(client, centre, clock):
    book_at_nine(client, centre, citizen_id="001088000001")
    assert Appointment.objects.get().citizen_id == "001188123456"


def test_api_free_slots_book_and_cancel(centre, clock, phone_code):
    client = Client()
    slots = client.get(f"/api/xep-hang/{centre.code}/lich-trong/", {"service": "A"}).json()["slots"]
    assert slots[0]["starts_at"].startswith("2026-11-20T10:30")  # Friday, after "now"
    url = f"/api/xep-hang/{centre.code}/lich-hen/"
    body = {**FORM, "starts_at": SLOT.isoformat()}
    assert client.post(url, body, content_type="application/json").status_code == 409  # no code
    answers = []
    for n, citizen_id in enumerate(("001188123456", "001088000001", "001088000002")):
        phone = f"091234560{n}"
        person = {**body, "citizen_id": citizen_id, "phone": phone, "phone_code": phone_code(phone)}
        answers.append(client.post(url, person, content_type="application/json"))
    booked, other, full = answers
    assert (booked.status_code, other.status_code) == (201, 201)
    assert full.status_code == 409
    assert full.json()["next_free"][0]["starts_at"].startswith("2026-11-23T09:30")
    cancelled = client.post(f"/api/xep-hang/lich-hen/{booked.json()['id']}/huy/")
    assert cancelled.json()["status"] == "cancelled"
    assert client.get(f"/api/xep-hang/{centre.code}/lich-trong/", {"service": "Z"}).status_code == 404


def test_choosing_a_slot_holds_it_for_this_browser_until_the_booking(client, centre, clock):
    hold_url = reverse("queueing:slot_hold", args=[centre.code])
    response = client.post(hold_url, {"service": "A", "starts_at": SLOT.isoformat()}, HTTP_HX_REQUEST="true")
    assert "Đã giữ chỗ lúc 09:00" in response.content.decode()
    assert AppointmentSlot.objects.get(starts_at=SLOT).booked == 1
    book_at_nine(client, centre)
    # The held place became the appointment: one place taken, not two.
    assert AppointmentSlot.objects.get(starts_at=SLOT).booked == 1
    assert Appointment.objects.get().slot.starts_at == SLOT


def test_holding_a_full_slot_says_so_with_the_next_free_ones(client, centre, clock):
    hold_url = reverse("queueing:slot_hold", args=[centre.code])
    for _browser in range(2):
        other_browser = type(client)()
        other_browser.post(hold_url, {"service": "A", "starts_at": SLOT.isoformat()}, HTTP_HX_REQUEST="true")
    page = client.post(
        hold_url, {"service": "A", "starts_at": SLOT.isoformat()}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "đã hết chỗ" in page
    assert "09:30" in page


HIDDEN_MESSAGE = "Có ký tự ẩn hoặc ký tự điều khiển không được phép. Hãy gõ lại, không dán từ nơi khác."
# A name that would read backwards after U+202E, hide a zero-width space or a BOM, ring a bell, or
# smuggle a NUL (which PostgreSQL cannot store).
HIDDEN_NAMES = [
    pytest.param("Nguyễn\u202eThị Lan", id="bidi-override"),
    pytest.param("Nguyễn\u200b Thị Lan", id="zero-width-space"),
    pytest.param("\ufeffNguyễn Thị Lan", id="byte-order-mark"),
    pytest.param("Nguyễn\x07 Thị Lan", id="control"),
    pytest.param("Nguyễn\x00 Thị Lan", id="nul"),
]
NFD_NAME = unicodedata.normalize("NFD", "Phạm Thị Hường")


@pytest.mark.parametrize("name", HIDDEN_NAMES)
def test_the_booking_page_refuses_hidden_characters_in_the_name_and_keeps_the_typing(
    client, centre, clock, name
):
    response = book_at_nine(client, centre, full_name=name, phone="0987 654 321", procedure="1.001193")
    page = response.content.decode()
    assert response.status_code == 400
    assert HIDDEN_MESSAGE in page
    assert 'value="0987 654 321"' in page
    assert re.search(rf'value="{re.escape(SLOT.isoformat())}"[^>]*checked', page)
    assert re.search(r'value="1.001193"\s+selected', page)
    assert not Appointment.objects.exists()


def test_the_booking_page_stores_the_name_nfc(client, centre, clock):
    book_at_nine(client, centre, full_name=NFD_NAME)
    assert Appointment.objects.get().full_name == unicodedata.normalize("NFC", NFD_NAME) != NFD_NAME


@pytest.mark.parametrize("name", HIDDEN_NAMES)
def test_the_booking_api_refuses_hidden_characters_in_the_name(centre, clock, phone_code, name):
    body = {**FORM, "starts_at": SLOT.isoformat(), "full_name": name, "phone_code": phone_code()}
    response = Client().post(
        f"/api/v1/queue/centres/{centre.code}/appointments/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"full_name": [HIDDEN_MESSAGE]}
    assert not Appointment.objects.exists()


def test_the_booking_api_stores_the_name_nfc(centre, clock, phone_code):
    body = {**FORM, "starts_at": SLOT.isoformat(), "full_name": NFD_NAME, "phone_code": phone_code()}
    response = Client().post(
        f"/api/v1/queue/centres/{centre.code}/appointments/", body, content_type="application/json"
    )
    assert response.status_code == 201
    assert Appointment.objects.get().full_name == unicodedata.normalize("NFC", NFD_NAME) != NFD_NAME
