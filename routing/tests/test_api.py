"""The agency API: the same rules as the inbox pages, through tokens."""

import threading

import pytest
from django.db import connection
from django.db.models import Sum
from rest_framework.test import APIClient

from accounts.models import User
from dashboard.models import DailyFigure
from documents.models import Document
from portal.demo import DEMO_CITIZEN_ID
from procedures.models import Dossier, HandBack
from routing.models import DossierStep, StepState
from uploads.tests.files import pdf_upload

from .conftest import api_client_for, file_dossier, handoffs_process

MARITAL_STATUS = "1.004873"


@pytest.fixture
def hotich(demo):
    return api_client_for("chuyenvien.hotich")


@pytest.fixture
def counter(demo):
    return api_client_for("canbo.caugiay")


@pytest.fixture
def citizen(demo):
    return api_client_for(DEMO_CITIZEN_ID)


def _open_step(dossier, client):
    """The dossier's one open step in this client's inbox, as the API lists it."""
    rows = [row for row in client.get("/api/v1/agency/inbox/").json() if row["dossier"] == dossier.code]
    assert len(rows) == 1, rows
    return rows[0]


def test_officers_take_a_dossier_from_inbox_to_result_through_the_api(hotich, counter, citizen, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    dossier = file_dossier(code=MARITAL_STATUS, channel="counter")
    handoffs_process()

    row = _open_step(dossier, hotich)
    assert row["key"] == "tham-dinh-ho-tich"
    assert row["actions"] == ["accept", "complete", "supplement-request", "return", "refuse"]
    assert row["remaining"].startswith("Còn")
    assert [o["key"] for o in row["outcomes"]] == ["du-dieu-kien", "da-xac-minh"]

    accepted = hotich.post(f"/api/v1/agency/steps/{row['id']}/accept/")
    assert accepted.status_code == 200
    assert accepted.json()["state"] == "accepted"
    assert accepted.json()["officer"]
    # The same rule as the page: an outcome outside the step's list is refused, nothing changes.
    wrong = hotich.post(f"/api/v1/agency/steps/{row['id']}/complete/", {"outcome": "xong"}, format="json")
    assert wrong.status_code == 400
    assert "kết quả xử lý trong danh sách" in wrong.json()["detail"]
    assert DossierStep.objects.get(pk=row["id"]).state == StepState.ACCEPTED
    done = hotich.post(
        f"/api/v1/agency/steps/{row['id']}/complete/",
        {
            "outcome": "du-dieu-kien",
            "note": "Đủ điều kiện",
            "files": [pdf_upload("bien-ban.pdf")],
        },
        format="multipart",
    )
    assert done.status_code == 200, done.json()
    assert done.json()["state"] == "done"
    assert DossierStep.objects.get(pk=row["id"]).attachments.count() == 1
    handoffs_process()

    approval = _open_step(dossier, hotich)
    assert approval["kind"] == "approval"
    signed = hotich.post(
        f"/api/v1/agency/steps/{approval['id']}/complete/", {"outcome": "da-ky"}, format="json"
    )
    assert signed.status_code == 200
    handoffs_process()
    result = Document.objects.get(key=f"result:{dossier.code}")
    assert result.kind == Document.Kind.MARITAL_STATUS

    # The counter hands the result back: the last step, at the reception unit.
    return_step = _open_step(dossier, counter)
    assert return_step["kind"] == "return"
    hand_back_id = return_step["id"]
    returned = counter.post(
        f"/api/v1/agency/steps/{hand_back_id}/complete/", {"outcome": "da-tra"}, format="json"
    )
    assert returned.status_code == 200
    handoffs_process()
    dossier.refresh_from_db()
    assert dossier.settled_at is not None
    assert dossier.status == Dossier.Status.RETURNED
    # Handed back through the API is handed back: recorded, on her timeline, and counted.
    assert HandBack.objects.get(dossier=dossier).by.username == "canbo.caugiay"
    assert dossier.events.filter(kind="hand_back").exists()
    assert DailyFigure.objects.filter(centre=dossier.centre).aggregate(n=Sum("returned"))["n"] == 1
    again = counter.post(
        f"/api/v1/agency/steps/{hand_back_id}/complete/", {"outcome": "da-tra"}, format="json"
    )
    assert again.status_code in (404, 409)  # it left the inbox; never counted twice

    detail = citizen.get(f"/api/v1/dossiers/{dossier.code}/").json()
    assert result.code in [d["code"] for d in detail["documents"]]  # her result, listed on her dossier
    trail = [line["to_state"] for line in detail["trail"]]
    assert trail[0] == "received"
    assert trail.count("done") >= 3
    assert any(line["handover"] and line["step_on_time"] is True for line in detail["trail"])


def test_a_supplement_request_and_the_citizens_answer(hotich, citizen):
    dossier = file_dossier(code=MARITAL_STATUS, channel="counter")
    handoffs_process()
    step_id = _open_step(dossier, hotich)["id"]

    empty = hotich.post(
        f"/api/v1/agency/steps/{step_id}/supplement-request/", {"missing": [" ", ""]}, format="json"
    )
    assert empty.status_code == 400
    assert "mỗi dòng một giấy tờ" in empty.json()["detail"]
    asked = hotich.post(
        f"/api/v1/agency/steps/{step_id}/supplement-request/",
        {"missing": ["Bản sao quyết định ly hôn"], "reason": "Cần xác minh"},
        format="json",
    )
    assert asked.status_code == 200
    assert asked.json()["state"] == "supplement"
    assert asked.json()["actions"] == []
    assert asked.json()["remaining"] == "Tạm dừng, chờ công dân bổ sung"
    # The step waits for the citizen: accepting it now is a conflict, not a bad request.
    late = hotich.post(f"/api/v1/agency/steps/{step_id}/accept/")
    assert late.status_code == 409
    assert "Chờ công dân bổ sung" in late.json()["detail"]

    nothing = citizen.post(f"/api/v1/dossiers/{dossier.code}/supplement/", {"note": " "}, format="json")
    assert nothing.status_code == 400
    answered = citizen.post(
        f"/api/v1/dossiers/{dossier.code}/supplement/",
        {"note": "Đã bổ sung", "files": [pdf_upload("ly-hon.pdf")]},
        format="multipart",
    )
    assert answered.status_code == 200
    assert answered.json()["state"] == "accepted"  # back with the officer who asked
    assert dossier.attachments.filter(component="bo-sung").count() == 1
    again = citizen.post(f"/api/v1/dossiers/{dossier.code}/supplement/", {"note": "Lần nữa"}, format="json")
    assert again.status_code == 409


def test_return_resubmit_and_refuse(hotich, counter, citizen):
    dossier = file_dossier(code=MARITAL_STATUS, channel="counter")
    handoffs_process()
    step_id = _open_step(dossier, hotich)["id"]
    assert (
        hotich.post(f"/api/v1/agency/steps/{step_id}/return/", {"note": ""}, format="json").status_code == 400
    )
    back = hotich.post(f"/api/v1/agency/steps/{step_id}/return/", {"note": "Thiếu chữ ký"}, format="json")
    assert back.json()["state"] == "returned"
    # The reception unit sees it, corrects it and sends it back.
    assert _open_step(dossier, counter)["actions"] == ["resubmit", "refuse"]
    again = counter.post(
        f"/api/v1/agency/steps/{step_id}/resubmit/", {"note": "Đã ký bổ sung"}, format="json"
    )
    assert again.json()["state"] == "waiting"

    assert (
        hotich.post(f"/api/v1/agency/steps/{step_id}/refuse/", {"reasons": []}, format="json").status_code
        == 400
    )
    refused = hotich.post(
        f"/api/v1/agency/steps/{step_id}/refuse/", {"reasons": ["Không đủ điều kiện"]}, format="json"
    )
    assert refused.status_code == 200
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.REFUSED
    assert Document.objects.filter(key=f"refusal:{dossier.code}").exists()


def test_no_one_outside_the_agency_sees_or_moves_its_steps(hotich, citizen, demo):
    dossier = file_dossier(code=MARITAL_STATUS, channel="counter")
    handoffs_process()
    step_id = _open_step(dossier, hotich)["id"]
    police = api_client_for("congan.caugiay")
    for client in (police, citizen):
        assert client.get(f"/api/v1/agency/steps/{step_id}/").status_code == 404
        for action in ("accept", "complete", "supplement-request", "return", "resubmit", "refuse"):
            assert (
                client.post(f"/api/v1/agency/steps/{step_id}/{action}/", {}, format="json").status_code == 404
            )
    assert [row for row in police.get("/api/v1/agency/inbox/").json() if row["dossier"] == dossier.code] == []
    assert citizen.get("/api/v1/agency/inbox/").status_code == 403
    assert APIClient().get("/api/v1/agency/inbox/").status_code in (401, 403)
    # Another citizen cannot answer for this dossier.
    User.objects.create_user(username="079099000001", citizen_id="079099000001", password="x")
    stranger = api_client_for("079099000001")
    assert (
        stranger.post(
            f"/api/v1/dossiers/{dossier.code}/supplement/", {"note": "x"}, format="json"
        ).status_code
        == 404
    )
    assert DossierStep.objects.get(pk=step_id).state == StepState.WAITING


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite has one writer at a time"
)
@pytest.mark.django_db(transaction=True)
def test_two_officers_accepting_the_same_step_at_once_one_wins(demo):
    dossier = file_dossier(code=MARITAL_STATUS, channel="counter")
    handoffs_process()
    step = dossier.steps.get(state=StepState.WAITING)
    colleague = User.objects.create_user(username="chuyenvien.hotich2", password="x")
    officer = User.objects.get(username="chuyenvien.hotich")
    for membership in officer.memberships.all():
        membership.pk = None
        membership.user = colleague
        membership.save()
    clients = [api_client_for("chuyenvien.hotich"), api_client_for("chuyenvien.hotich2")] * 3
    barrier = threading.Barrier(len(clients))
    answers = []

    def accept(client):
        try:
            barrier.wait()
            answers.append(client.post(f"/api/v1/agency/steps/{step.pk}/accept/").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=[client]) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200, 409, 409, 409, 409, 409]
    step.refresh_from_db()
    assert step.state == StepState.ACCEPTED
    assert step.dossier.transitions.filter(to_state=StepState.ACCEPTED).count() == 1
