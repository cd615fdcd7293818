import datetime

import pytest
from django.urls import reverse

from accounts.models import User
from notifications.channels import sms
from queueing.models import Ticket
from queueing.services import ticket_call_next, ticket_issue

from .conftest import CLOSED_NOW, OPEN_NOW, solved_challenge


@pytest.fixture
def clock(time_machine):
    """The wall clock the views read, stopped at an opening hour (time-machine); `clock.move_to(...)`
    moves it."""
    time_machine.move_to(OPEN_NOW, tick=False)
    return time_machine


def test_unknown_centre_is_a_404_with_a_message(client, centre):
    for name in ("queueing:kiosk", "queueing:take", "queueing:board"):
        response = client.get(reverse(name, args=["000.99.99.H99"]))
        assert response.status_code == 404
        assert "000.99.99.H99" in response.content.decode()


def test_unknown_ticket_is_a_404(client, centre):
    response = client.get(reverse("queueing:ticket", args=["6c1d2c1e-0000-4000-8000-000000000000"]))
    assert response.status_code == 404


def test_kiosk_issues_and_shows_the_printed_ticket_with_a_qr_code(kiosk_browser, centre, civil_status, clock):
    response = kiosk_browser.post(reverse("queueing:kiosk", args=[centre.code]), {"service": civil_status.pk})
    ticket = Ticket.objects.get()
    assert response.url == reverse("queueing:ticket_print", args=[ticket.public_id])
    page = kiosk_browser.get(response.url).content.decode()
    assert "A001" in page
    assert "<svg" in page
    assert centre.name in page


def test_the_ticket_is_also_an_80mm_pdf(kiosk_browser, centre, civil_status, clock):
    kiosk_browser.post(reverse("queueing:kiosk", args=[centre.code]), {"service": civil_status.pk})
    ticket = Ticket.objects.get()
    response = kiosk_browser.get(reverse("queueing:ticket_pdf", args=[ticket.public_id]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    missing = kiosk_browser.get(reverse("queueing:ticket_pdf", args=["6c1d2c1e-0000-4000-8000-000000000000"]))
    assert missing.status_code == 404


def test_kiosk_outside_opening_hours_says_when_it_opens(kiosk_browser, centre, civil_status, clock):
    clock.move_to(CLOSED_NOW)
    response = kiosk_browser.post(reverse("queueing:kiosk", args=[centre.code]), {"service": civil_status.pk})
    assert response.status_code == 200
    assert "mở cửa lúc 08:00" in response.content.decode()
    assert not Ticket.objects.exists()


def test_kiosk_unknown_service_is_refused_next_to_the_buttons(kiosk_browser, centre, clock):
    response = kiosk_browser.post(reverse("queueing:kiosk", args=[centre.code]), {"service": 999999})
    assert response.status_code == 400
    assert "Hãy chọn một dịch vụ." in response.content.decode()


def test_phone_keeps_what_was_typed_and_explains_a_wrong_code(
    client, centre, civil_status, clock, phone_code
):
    url = reverse("queueing:take", args=[centre.code])
    phone_code("0912345678")
    form = {"service": civil_status.pk, "phone": "0912345678", "phone_code": "000000"}
    response = client.post(url, {**form, "altcha": solved_challenge()})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'value="0912345678"' in page
    assert "Mã xác thực không đúng" in page
    assert not Ticket.objects.exists()


def test_a_remote_number_needs_a_phone_code_not_a_typed_id(
    client, centre, civil_status, clock, django_capture_on_commit_callbacks
):
    """Issue 18: a typed citizen ID proves nothing; "Gửi mã" sends a code, the code takes the number."""
    url = reverse("queueing:take", args=[centre.code])
    typed = client.post(url, {"service": civil_status.pk, "citizen_id": "001188123456"})
    assert typed.status_code == 400
    assert not Ticket.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            url, {"action": "send_code", "phone": "0912 345 678", "altcha": solved_challenge()}
        )
    assert "Đã gửi mã xác thực đến số 0912345678" in sent.content.decode()
    code = sms.outbox[-1].text.split(": ")[1][:6]
    form = {"service": civil_status.pk, "phone": "0912345678", "phone_code": code}
    unsolved = client.post(url, form)
    assert "kiểm tra chống gửi tự động" in unsolved.content.decode()
    assert not Ticket.objects.exists()
    response = client.post(url, {**form, "altcha": solved_challenge()})
    ticket = Ticket.objects.get()
    assert response.url == reverse("queueing:ticket", args=[ticket.public_id])
    assert (ticket.phone, ticket.citizen_id) == ("0912345678", "")


def test_a_signed_in_citizen_takes_a_number_as_her_account(client, centre, civil_status, clock):
    client.force_login(User.objects.get(citizen_id="001188123456"))
    url = reverse("queueing:take", args=[centre.code])
    assert "001188123456" in client.get(url).content.decode()
    client.post(url, {"service": civil_status.pk, "citizen_id": "001088000001"})
    assert Ticket.objects.get().citizen_id == "001188123456"


def test_phone_too_many_tickets_names_none_of_them(client, centre, civil_status, clock):
    client.force_login(User.objects.get(citizen_id="001188123456"))
    url = reverse("queueing:take", args=[centre.code])
    client.post(url, {"service": civil_status.pk})
    page = client.post(url, {"service": civil_status.pk}).content.decode()
    assert "dịch vụ này" in page
    assert "A001" not in page
    assert Ticket.objects.count() == 1


def test_ticket_page_shows_people_ahead_then_the_counter(client, centre, civil_status, counter_1, clock):
    first = ticket_issue(centre=centre, service=civil_status, channel="kiosk", now=OPEN_NOW)
    mine = ticket_issue(centre=centre, service=civil_status, channel="kiosk", now=OPEN_NOW)
    url = reverse("queueing:ticket", args=[mine.public_id])
    page = client.get(url).content.decode()
    assert 'data-testid="ahead">1<' in page
    ticket_call_next(counter=counter_1, now=OPEN_NOW)
    Ticket.objects.filter(pk=first.pk).update(status=Ticket.Status.DONE)
    ticket_call_next(counter=counter_1, now=OPEN_NOW)
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "quầy 1" in fragment
    assert "<html" not in fragment


def test_estimated_wait_uses_recent_service_times(client, centre, civil_status, counter_1, clock):
    from queueing.services import ticket_finish, ticket_start

    for minutes in (10, 20):
        ticket_issue(centre=centre, service=civil_status, channel="kiosk", now=OPEN_NOW)
        ticket_call_next(counter=counter_1, now=OPEN_NOW)
        ticket_start(counter=counter_1, now=OPEN_NOW)
        ticket_finish(counter=counter_1, now=OPEN_NOW + datetime.timedelta(minutes=minutes))
    for _ in range(4):
        mine = ticket_issue(centre=centre, service=civil_status, channel="kiosk", now=OPEN_NOW)
    # 3 ahead × 15 min ÷ 2 counters serving A (1 and 5) = 22.5 → about 22 minutes.
    page = client.get(reverse("queueing:ticket", args=[mine.public_id])).content.decode()
    assert "khoảng 22 phút" in page


def test_board_lists_the_called_numbers_and_counters(board_browser, centre, civil_status, counter_1, clock):
    ticket_issue(centre=centre, service=civil_status, channel="kiosk", now=OPEN_NOW)
    ticket_call_next(counter=counter_1, now=OPEN_NOW)
    fragment = board_browser.get(
        reverse("queueing:board", args=[centre.code]), headers={"HX-Request": "true"}
    )
    assert 'data-code="A001" data-counter="1"' in fragment.content.decode()


def test_console_is_for_the_centres_counter_staff_only(client, centre, counter_1, clock):
    url = reverse("queueing:console", args=[counter_1.pk])
    client.force_login(User.objects.get(username="canbo.badinh"))
    assert client.get(url).status_code == 403
    client.force_login(User.objects.get(username="001188123456"))
    assert client.get(url).status_code == 403
    client.force_login(User.objects.get(username="canbo.caugiay"))
    assert client.get(url).status_code == 200


def test_console_sign_in_call_start_finish(client, centre, civil_status, counter_1, clock):
    ticket_issue(centre=centre, service=civil_status, channel="kiosk", now=OPEN_NOW)
    client.force_login(User.objects.get(username="canbo.caugiay"))

    def act(action, **data):
        return client.post(reverse("queueing:console_action", args=[counter_1.pk, action]), data, follow=True)

    assert "chưa vào quầy" in act("call_next").content.decode()
    act("sign_in")
    assert "Đã gọi số A001" in act("call_next").content.decode()
    act("start")
    act("finish", dossier_code="000.00.01.H26-261123-0001")
    ticket = Ticket.objects.get()
    assert ticket.status == Ticket.Status.DONE
    assert ticket.dossier_code == "000.00.01.H26-261123-0001"
    assert (
        "Đã cấp số B001"
        in act("issue", service=ticket.centre.queue_services.get(letter="B").pk).content.decode()
    )


def test_statistics_for_supervisors(client, centre, civil_status, counter_1, clock):
    ticket_issue(centre=centre, service=civil_status, channel="kiosk", now=OPEN_NOW)
    ticket_call_next(counter=counter_1, now=OPEN_NOW + datetime.timedelta(minutes=12))
    client.force_login(User.objects.get(username="canbo.caugiay"))
    assert client.get(reverse("queueing:statistics")).status_code == 403
    client.force_login(User.objects.get(username="giamsat.hanoi"))
    response = client.get(reverse("queueing:statistics"), {"ngay": "2026-11-23"})
    assert response.context["rows"][0]["mean_wait_min"] == 12.0
    assert response.context["rows"][0]["issued"] == 1
    assert response.context["hours"] == [{"hour": 9, "issued": 1}]
    assert response.context["counters"][0]["counter"] == 1


def test_console_transfer_and_no_show_wiring(client, centre, civil_status, certification, counter_1, clock):
    ticket_issue(centre=centre, service=civil_status, channel="kiosk", now=OPEN_NOW)
    ticket_issue(centre=centre, service=civil_status, channel="kiosk", now=OPEN_NOW)
    client.force_login(User.objects.get(username="canbo.caugiay"))

    def act(action, **data):
        url = reverse("queueing:console_action", args=[counter_1.pk, action])
        return client.post(url, data, follow=True).content.decode()

    act("sign_in")
    act("call_next")
    assert "giữ nguyên thứ tự" in act("transfer", service=certification.pk)
    moved = Ticket.objects.get(number=1)
    assert moved.service == certification
    assert moved.status == Ticket.Status.WAITING
    act("call_next")
    assert "Số A002 vắng mặt." in act("no_show")
    assert "Thao tác không hợp lệ." in act("explode")
