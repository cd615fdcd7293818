import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from agencies.models import Membership
from connectors.models import ConnectorCall
from connectors.services import check_request

PARTIAL = Template("{% load connectors %}{% connector_calls dossier %}")


@pytest.fixture
def clerk(centre, django_user_model):
    user = django_user_model.objects.create_user(username="canbo", password="x")
    Membership.objects.create(user=user, role="counter_staff", centre=centre)
    return user


def render(dossier, user):
    request = RequestFactory().get("/mot-cua/ho-so/")
    request.user = user
    return PARTIAL.render(Context({"dossier": dossier, "request": request, "csrf_token": "t"}))


def test_the_partial_shows_waiting_results_and_failures(dossier, citizen, clerk, dispatched):
    waiting = check_request(
        key="v:1", check="citizen_verify", params={"citizen_id": citizen.citizen_id}, dossier=dossier
    )
    failed = check_request(key="x:1", check="no_such_check", params={}, dossier=dossier)
    html = render(dossier, clerk)
    assert "Đang chờ kết quả xác minh từ Cơ sở dữ liệu quốc gia về dân cư…" in html
    assert "Không nhận được kết quả từ no_such_check." in html
    assert reverse("connectors:retry", args=[failed.pk]) in html
    assert reverse("connectors:retry", args=[waiting.pk]) not in html
    # The citizen sees the same states, without the staff's retry button.
    assert reverse("connectors:retry", args=[failed.pk]) not in render(dossier, citizen)


def test_only_staff_may_retry(client, dossier, citizen, clerk, dispatched):
    failed = check_request(key="x:2", check="no_such_check", params={}, dossier=dossier)
    url = reverse("connectors:retry", args=[failed.pk])
    client.force_login(citizen)
    assert client.post(url).status_code == 403
    client.force_login(clerk)
    response = client.post(url, {"next": "/mot-cua/"})
    assert (response.status_code, response["Location"]) == (302, "/mot-cua/")
    assert ConnectorCall.objects.get(pk=failed.pk).status == ConnectorCall.Status.PENDING
