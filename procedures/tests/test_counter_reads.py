"""Issue 18, item 10: counter staff read the registry only for a person standing at their counter.
A walk-in draft starts when her ticket is being served at the clerk's counter right now, or with
the consent the clerk records; without either it is refused (services.filing_basis)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from agencies.models import Centre
from portal.demo import DEMO_CITIZEN_ID
from procedures.models import Draft, Procedure
from procedures.services import FilingNotAllowed, draft_start
from queueing.hours import local_day
from queueing.models import Counter, CounterShift, Ticket

from .test_api import MARITAL, _client_for

REFUSED = "Chỉ tra cứu được công dân đang có mặt tại quầy của bạn"


@pytest.fixture
def clerk(demo):
    return User.objects.get(username="canbo.caugiay")


def _serving(*, counter: Counter, citizen_id: str, number: int = 901) -> Ticket:
    """A ticket carrying `citizen_id`, being served at `counter` now."""
    now = timezone.now()
    service = counter.services.first() or counter.centre.queue_services.first()
    Ticket.objects.filter(counter=counter, status__in=Ticket.AT_COUNTER_STATUSES).update(status="done")
    return Ticket.objects.create(
        centre=counter.centre,
        service=service,
        issued_service=service,
        day=local_day(now),
        number=number,
        code=f"Z{number}",
        channel=Ticket.Channel.PHONE,
        citizen_id=citizen_id,
        status=Ticket.Status.SERVING,
        rank_at=now,
        issued_at=now,
        started_at=now,
        counter=counter,
    )


def _at_counter(user, number: int) -> Counter:
    counter = Counter.objects.get(centre__code="000.00.01.H26", number=number)
    CounterShift.objects.filter(user=user).delete()
    CounterShift.objects.filter(counter=counter).delete()
    CounterShift.objects.create(
        counter=counter, user=user, day=local_day(timezone.now()), signed_in_at=timezone.now()
    )
    return counter


def test_without_a_ticket_or_consent_the_page_refuses_and_reads_nothing(clerk, client, monkeypatch):
    import registry.backends.local

    def no_read(self, citizen_id):
        raise AssertionError("the registry was read")

    monkeypatch.setattr(registry.backends.local.LocalRegistry, "lookup", no_read)
    client.force_login(clerk)
    page = client.post(
        reverse("procedures:assisted_start"),
        {"citizen_id": DEMO_CITIZEN_ID, "procedure": "dang-ky-khai-sinh", "channel": "counter"},
    )
    assert page.status_code == 200
    assert REFUSED in page.text
    assert "Công dân đã xuất trình giấy tờ và đồng ý cho tra cứu" in page.text  # the box to tick
    assert DEMO_CITIZEN_ID in page.text  # what the clerk typed is kept
    assert not Draft.objects.exists()


def test_without_a_ticket_or_consent_the_api_refuses(clerk):
    refused = _client_for(clerk).post(
        "/api/v1/drafts/",
        {"procedure": MARITAL, "applicant_citizen_id": DEMO_CITIZEN_ID, "channel": "counter"},
        format="json",
    )
    assert refused.status_code == 403
    assert REFUSED in refused.json()["detail"]
    assert not Draft.objects.exists()


def test_the_consent_is_recorded_on_the_draft(clerk):
    draft = _client_for(clerk).post(
        "/api/v1/drafts/",
        {"procedure": MARITAL, "applicant_citizen_id": DEMO_CITIZEN_ID, "channel": "paper", "consent": True},
        format="json",
    )
    assert draft.status_code == 201
    assert Draft.objects.get().consent_at is not None


def test_the_citizen_whose_ticket_is_served_at_the_clerks_counter_needs_no_consent(clerk):
    counter = _at_counter(clerk, 1)
    _serving(counter=counter, citizen_id=DEMO_CITIZEN_ID)
    procedure = Procedure.objects.get(slug=MARITAL)
    draft = draft_start(
        owner=clerk, procedure=procedure, applicant_citizen_id=DEMO_CITIZEN_ID, channel="counter"
    )
    assert draft.basis == "counter"
    assert draft.centre == Centre.objects.get(code="000.00.01.H26")
    assert draft.consent_at is None  # her ticket was the ground


def test_another_persons_ticket_or_a_ticket_at_another_counter_is_no_ground(clerk):
    procedure = Procedure.objects.get(slug=MARITAL)
    counter = _at_counter(clerk, 1)
    _serving(counter=counter, citizen_id="001090000001")  # someone else is at her counter
    with pytest.raises(FilingNotAllowed, match=REFUSED):
        draft_start(owner=clerk, procedure=procedure, applicant_citizen_id=DEMO_CITIZEN_ID, channel="counter")
    colleague = User.objects.create_user("canbo.khac")
    _serving(counter=_at_counter(colleague, 2), citizen_id=DEMO_CITIZEN_ID, number=902)  # served elsewhere
    with pytest.raises(FilingNotAllowed, match=REFUSED):
        draft_start(owner=clerk, procedure=procedure, applicant_citizen_id=DEMO_CITIZEN_ID, channel="counter")
    assert not Draft.objects.exists()
