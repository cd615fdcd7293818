import pytest
from django.urls import reverse

from portal.demo import DEMO_CITIZEN_ID, DEMO_PASSWORD
from tests.factories import supervision_world

HOMES = {
    DEMO_CITIZEN_ID: ("accounts:home_citizen", "Nguyễn Thị Lan"),
    "canbo.caugiay": ("accounts:home_counter_staff", "Trung tâm Phục vụ hành chính công phường Cầu Giấy"),
    "chuyenvien.hotich": ("accounts:home_agency_officer", "Bộ phận Tư pháp - Hộ tịch UBND Phường Cầu Giấy"),
    "giamsat.hanoi": ("accounts:home_supervisor", "Trung tâm Phục vụ hành chính công phường Hoàn Kiếm"),
}


@pytest.fixture
def staff(db):
    """The demo's accounts, centres and agencies, row by row (tests/factories.py), with the demo's
    password: what signing in needs, without the rest of the demo."""
    return supervision_world()


@pytest.mark.parametrize("username", list(HOMES))
def test_each_role_signs_in_and_lands_on_its_home(client, staff, username):
    url_name, expected_text = HOMES[username]
    response = client.post(
        reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse(url_name)
    assert expected_text in response.content.decode()


def test_wrong_password_keeps_the_username_and_says_why(client, staff):
    response = client.post(reverse("accounts:login"), {"username": DEMO_CITIZEN_ID, "password": "nope"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "không đúng" in body
    assert f'value="{DEMO_CITIZEN_ID}"' in body


def test_citizen_home_shows_the_address_under_its_new_ward(client, demo):
    client.login(username=DEMO_CITIZEN_ID, password=DEMO_PASSWORD)
    body = client.get(reverse("accounts:home_citizen")).content.decode()
    assert "Phường Cầu Giấy, Thành phố Hà Nội" in body
    assert "Phường Yên Hòa (Quận Cầu Giấy cũ) nay thuộc Phường Cầu Giấy" in body


def test_a_citizen_cannot_open_staff_pages(client, staff):
    client.login(username=DEMO_CITIZEN_ID, password=DEMO_PASSWORD)
    for name in ("accounts:home_counter_staff", "accounts:home_agency_officer", "accounts:home_supervisor"):
        assert client.get(reverse(name)).status_code == 403


def test_supervisor_of_a_province_sees_every_centre_with_its_staff(client, staff):
    client.login(username="giamsat.hanoi", password=DEMO_PASSWORD)
    response = client.get(reverse("accounts:home_supervisor"))
    centres = list(response.context["centres"])
    assert len(centres) == 3
    assert all(c.counter_count == 5 and c.staff_count >= 1 for c in centres)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("accounts:home_citizen"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_large_text_persists_on_the_account_and_in_a_cookie(client, staff):
    client.login(username=DEMO_CITIZEN_ID, password=DEMO_PASSWORD)
    response = client.post(reverse("accounts:text_size"), {"large": "1", "next": "/"})
    assert response.cookies["motcua_large_text"].value == "1"
    client.cookies.pop("motcua_large_text")  # another device: only the account remembers
    body = client.get(reverse("landing")).content.decode()
    assert 'class="large-text"' in body


def test_large_text_for_anonymous_visitors_uses_the_cookie(client, db):
    client.post(reverse("accounts:text_size"), {"large": "1", "next": "https://evil.example/"})
    assert 'class="large-text"' in client.get(reverse("landing")).content.decode()


def test_text_size_refuses_to_redirect_off_site(client, db):
    response = client.post(reverse("accounts:text_size"), {"large": "1", "next": "https://evil.example/"})
    assert response.url == "/"


def test_english_is_the_second_language(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("landing")).content.decode()
    assert '<html lang="en"' in body
    assert "Sign in" in body


def test_a_phone_set_to_english_still_gets_vietnamese_until_the_person_chooses(client, db):
    body = client.get(reverse("landing"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi"' in body
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert '<html lang="en"' in client.get(reverse("landing")).content.decode()
