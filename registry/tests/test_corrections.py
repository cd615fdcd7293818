"""Issue 18, "Precisely": when the registry is wrong she asks its owner, the police, to correct it;
she never edits a fact herself. The request is listed on her page and in her ward police's list."""

import pytest
from django.urls import reverse

from accounts.models import User
from divisions.models import Ward
from portal.demo import DEMO_CITIZEN_ID
from registry.models import CorrectionRequest, PersonRecord

LAN = "Nguyễn Thị Lan"


@pytest.fixture
def lan(demo):
    return User.objects.get(username=DEMO_CITIZEN_ID)


def _ask(client, **data):
    return client.post(
        reverse("registry:correction"), {"fact": "full_name", "correct": "Nguyễn Thị Lành", **data}
    )


def test_she_asks_for_a_correction_from_her_page_and_sees_it_listed(lan, client):
    client.force_login(lan)
    home = client.get(reverse("accounts:home_citizen")).content.decode()
    assert reverse("registry:correction") in home
    sent = _ask(client, evidence="Giấy khai sinh số 12")
    assert sent.status_code == 302
    request = CorrectionRequest.objects.get()
    assert (request.citizen_id, request.fact, request.status) == (DEMO_CITIZEN_ID, "full_name", "sent")
    assert request.recorded == LAN  # what the registry held, taken from it, not typed
    assert request.ward == Ward.objects.get(name="Phường Cầu Giấy")  # her address, normalised
    assert PersonRecord.objects.get(citizen_id=DEMO_CITIZEN_ID).full_name == LAN  # nothing edited
    for page in (reverse("accounts:home_citizen"), reverse("registry:correction")):
        html = client.get(page).content.decode()
        assert "Nguyễn Thị Lành" in html
        assert "Đã gửi, chờ cơ quan công an xem xét" in html
    again = _ask(client)
    assert "Bạn đã gửi đề nghị đính chính thông tin này" in again.content.decode()
    hidden = _ask(client, fact="other", correct="Nguyễn \u202eLan")
    assert "ký tự ẩn" in hidden.content.decode()
    assert CorrectionRequest.objects.count() == 1


def test_her_ward_police_list_and_answer_it_and_nobody_else_sees_it(lan, client):
    client.force_login(lan)
    _ask(client)
    request = CorrectionRequest.objects.get()
    police = User.objects.get(username="congan.caugiay")
    client.force_login(police)
    assert reverse("registry:corrections_inbox") in client.get(reverse("accounts:home_agency_officer")).text
    listed = client.get(reverse("registry:corrections_inbox")).content.decode()
    assert "Nguyễn Thị Lành" in listed
    assert DEMO_CITIZEN_ID in listed
    answered = client.post(reverse("registry:correction_answer", args=[request.pk]), {"status": "corrected"})
    assert answered.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.answered_by) == ("corrected", police)
    # Officers of other agencies, counter staff and other citizens have no list, and no answer.
    for username in ("chuyenvien.hotich", "canbo.caugiay"):
        client.force_login(User.objects.get(username=username))
        assert client.get(reverse("registry:corrections_inbox")).status_code == 403
        assert (
            client.post(
                reverse("registry:correction_answer", args=[request.pk]), {"status": "refused"}
            ).status_code
            == 404
        )
    other = User.objects.create_user(username="001088000777", password="x", citizen_id="001088000777")
    client.force_login(other)
    assert "Nguyễn Thị Lành" not in client.get(reverse("registry:correction")).content.decode()
    client.force_login(lan)
    assert "Đã đính chính" in client.get(reverse("registry:correction")).content.decode()


def test_the_e_form_links_her_own_identity_to_the_correction_page(lan, client):
    client.force_login(lan)
    started = client.post(reverse("procedures:start", args=["xac-nhan-tinh-trang-hon-nhan"]))
    assert reverse("registry:correction") in client.get(started["Location"]).content.decode()
    # A clerk filing for her sees the note, not a link to send a request in her name.
    client.force_login(User.objects.get(username="canbo.caugiay"))
    started = client.post(
        reverse("procedures:assisted_start"),
        {
            "citizen_id": DEMO_CITIZEN_ID,
            "procedure": "xac-nhan-tinh-trang-hon-nhan",
            "channel": "counter",
            "consent": "on",
        },
    )
    html = client.get(started["Location"]).content.decode()
    assert "Theo Cơ sở dữ liệu quốc gia về dân cư" in html
    assert reverse("registry:correction") not in html
