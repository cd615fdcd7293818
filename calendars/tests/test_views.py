"""The supervisor's calendar page: permissions, listing a year, adding and removing with clear messages."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import User
from agencies.models import Membership
from calendars.models import CalendarDay

URL = reverse("calendars:calendar")


@pytest.fixture
def supervisor(hanoi):
    user = User.objects.create_user(username="giamsat", password="x", first_name="Huy")
    Membership.objects.create(user=user, role=Membership.Role.SUPERVISOR, province=hanoi)
    return user


def test_only_supervisors_open_the_calendar(client, hanoi, supervisor):
    assert client.get(URL).status_code == 302  # to sign in
    citizen = User.objects.create_user(username="001188123456", citizen_id="001188123456")
    client.force_login(citizen)
    assert client.get(URL).status_code == 403
    assert (
        client.post(
            URL, {"action": "add", "date": "2027-03-06", "kind": "working_day", "name": "x"}
        ).status_code
        == 403
    )
    assert not CalendarDay.objects.filter(date=datetime.date(2027, 3, 6)).exists()
    client.force_login(supervisor)
    assert client.get(URL).status_code == 200


def test_a_year_lists_its_exceptions(client, supervisor):
    client.force_login(supervisor)
    html = client.get(URL, {"nam": 2026}).content.decode()
    assert "Lịch làm việc năm 2026" in html
    assert "Ngày Văn hóa Việt Nam" in html
    assert "24/11/2026" in html
    assert "22/08/2026" in html
    assert "Làm bù cho ngày nghỉ 31/08/2026" in html
    assert "07:30–11:30" in html


def test_add_a_working_saturday_then_remove_it(client, supervisor):
    client.force_login(supervisor)
    response = client.post(
        URL,
        {"action": "add", "date": "2027-03-06", "kind": "working_day", "name": "Làm bù cho ngày 05/04"},
        follow=True,
    )
    html = response.content.decode()
    assert "Đã thêm ngày làm việc bù 06/03/2027: Làm bù cho ngày 05/04." in html
    row = CalendarDay.objects.get(date=datetime.date(2027, 3, 6))
    assert (row.kind, row.updated_by) == ("working_day", supervisor)
    response = client.post(URL, {"action": "remove", "date": "2027-03-06"}, follow=True)
    assert "Đã bỏ ngày 06/03/2027" in response.content.decode()
    assert not CalendarDay.objects.get(date=datetime.date(2027, 3, 6)).active


def test_a_refused_day_keeps_what_was_typed(client, supervisor):
    client.force_login(supervisor)
    response = client.post(
        URL, {"action": "add", "date": "2027-03-06", "kind": "day_off", "name": "Nghỉ giữa kỳ"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Chưa thêm được ngày" in html
    assert "vốn đã được nghỉ" in html
    assert 'value="Nghỉ giữa kỳ"' in html
    assert 'value="2027-03-06"' in html
    response = client.post(URL, {"action": "add", "date": "", "kind": "day_off", "name": "Nghỉ"})
    assert response.status_code == 400
    assert "Hãy chọn một ngày" in response.content.decode()
