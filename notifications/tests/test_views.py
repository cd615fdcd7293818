from django.urls import reverse

from notifications.models import Notification
from notifications.services import notify


def test_a_citizen_sees_only_their_own_and_seeing_marks_them_read(client, dossier, citizen, walk_in):
    notify(key="mine", kind="dossier_received", citizen_id=citizen.citizen_id, dossier=dossier)
    notify(
        key="theirs",
        kind="ticket_near_front",
        citizen_id=walk_in,
        context={"ticket_code": "B007", "centre_name": "Trung tâm thử", "ahead": 1},
    )
    client.force_login(citizen)

    home = client.get(reverse("procedures:catalogue")).content.decode()
    assert f'href="{reverse("notifications:inbox")}"' in home
    assert '<span class="count" title="chưa đọc">1</span>' in home

    page = client.get(reverse("notifications:inbox")).content.decode()
    assert f"Đã tiếp nhận hồ sơ {dossier.code}" in page
    assert "Mới" in page
    assert "B007" not in page  # someone else's
    assert reverse("procedures:dossier", args=[dossier.code]) in page

    mine = Notification.objects.get(key="mine:in_app")
    assert mine.read_at is not None
    assert Notification.objects.get(key="theirs:in_app").read_at is None
    again = client.get(reverse("procedures:catalogue")).content.decode()
    assert 'class="count"' not in again


def test_an_account_made_later_sees_what_was_sent_to_its_citizen_id(client, walk_in, django_user_model):
    notify(
        key="before-account",
        kind="ticket_near_front",
        citizen_id=walk_in,
        context={"ticket_code": "C003", "centre_name": "Trung tâm thử", "ahead": 0},
    )
    user = django_user_model.objects.create_user(username=walk_in, password="x", citizen_id=walk_in)
    client.force_login(user)
    assert "Số C003 sắp đến lượt" in client.get(reverse("notifications:inbox")).content.decode()


def test_staff_see_their_own_alerts(client, dossier, django_user_model, citizen):
    officer = django_user_model.objects.create_user(username="chuyenvien", password="x")
    other = django_user_model.objects.create_user(username="khac", password="x")
    context = {"remaining": "Còn 0 ngày 4 giờ", "step": ""}
    notify(key="alert-1", kind="deadline_alert", user=officer, dossier=dossier, context=context)
    notify(key="alert-2", kind="deadline_alert", user=other, dossier=dossier, context=context)
    client.force_login(officer)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert page.count(f"Hồ sơ {dossier.code} sắp đến hạn") == 1
    assert Notification.objects.get(key="alert-2:in_app").read_at is None


def test_the_list_needs_sign_in(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_mark_all_read(client, dossier, citizen):
    notify(key="m1", kind="result_ready", citizen_id=citizen.citizen_id, dossier=dossier)
    client.force_login(citizen)
    response = client.post(reverse("notifications:mark_all_read"))
    assert response.status_code == 302
    assert not Notification.objects.filter(channel="in_app", read_at__isnull=True).exists()


def test_staff_see_what_the_citizen_was_told_about_a_dossier(dossier, citizen, django_user_model):
    from django.template import Context, Template

    from notifications.services import notification_deliver

    rows = {
        r.channel: r
        for r in notify(key="told", kind="dossier_received", citizen_id=citizen.citizen_id, dossier=dossier)
    }
    notification_deliver(notification_id=rows["sms"].pk)
    officer = django_user_model.objects.create_user(username="cv", password="x")
    notify(
        key="alert", kind="deadline_alert", user=officer, dossier=dossier, context={"remaining": "Còn 1 giờ"}
    )
    html = Template("{% load notifications %}{% dossier_notifications dossier %}").render(
        Context({"dossier": dossier})
    )
    assert html.count("<tr>") == 1 + 3  # the header, then in-app, e-mail and SMS
    assert "0912345678" in html
    assert "Đã đến người nhận" in html
    assert "Đang chờ gửi" in html
    assert "sắp đến hạn" not in html  # staff alerts are not what the citizen was told
