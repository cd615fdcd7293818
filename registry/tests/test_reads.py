"""A clerk's read of a walk-in citizen's registry record is recorded, and the citizen sees which
unit read it, in what role and why, on her own page (not the officer's name)."""

from django.urls import reverse

from accounts.models import User
from portal.demo import DEMO_CITIZEN_ID
from registry.models import RegistryRead


def test_a_clerks_read_is_recorded_and_shown_to_the_citizen_without_the_clerks_name(demo, client):
    clerk = User.objects.get(username="canbo.caugiay")
    lan = User.objects.get(username=DEMO_CITIZEN_ID)
    client.force_login(clerk)
    response = client.post(
        reverse("procedures:assisted_start"),
        {
            "citizen_id": DEMO_CITIZEN_ID,
            "procedure": "dang-ky-khai-sinh",
            "channel": "counter",
            "consent": "on",
        },
    )
    assert client.get(response["Location"]).status_code == 200  # the prefilled form: a read
    (read,) = RegistryRead.objects.filter(citizen_id=DEMO_CITIZEN_ID)
    assert read.reader == clerk
    assert "Cầu Giấy" in read.unit
    assert "khai sinh" in read.purpose.lower()

    client.force_login(lan)
    page = client.get(reverse("accounts:home_citizen")).content.decode()
    assert read.unit in page
    assert "Cán bộ một cửa" in page
    assert clerk.get_full_name() not in page


def test_a_citizen_filing_for_herself_leaves_no_read_record(demo, client):
    client.force_login(User.objects.get(username=DEMO_CITIZEN_ID))
    response = client.post(reverse("procedures:start", args=["xac-nhan-tinh-trang-hon-nhan"]))
    assert client.get(response["Location"]).status_code == 200
    assert not RegistryRead.objects.exists()
