"""Who sees what, role by role and resource by resource: the scope selectors and every page built on them."""

import pytest

from procedures.models import Dossier
from procedures.selectors import dossiers_visible_to
from queueing.models import QueueService, Ticket
from queueing.selectors import tickets_visible_to
from queueing.services import ticket_issue

CAU_GIAY, BA_DINH, HOAN_KIEM = "000.00.01.H26", "000.00.02.H26", "000.00.03.H26"


@pytest.fixture
def world(people, centres, make_dossier):
    dossiers = {code: make_dossier(centre=centre) for code, centre in centres.items()}
    own = make_dossier(centre=centres[HOAN_KIEM], citizen_id="001188123456")
    stranger = make_dossier(centre=centres[HOAN_KIEM], citizen_id="001090000001")
    tickets = {}
    for code, centre in centres.items():
        service = QueueService.objects.filter(centre=centre).first()
        tickets[code] = ticket_issue(
            centre=centre, service=service, channel=Ticket.Channel.COUNTER, now=_open()
        )
    return {"dossiers": dossiers, "own": own, "stranger": stranger, "tickets": tickets}


def _open():
    import datetime

    from queueing.hours import LOCAL

    return datetime.datetime(2026, 11, 23, 9, 0, tzinfo=LOCAL)


def _codes(queryset) -> set[str]:
    return {d.centre.code for d in queryset}


def test_clerk_sees_their_centre_only(world, people):
    visible = dossiers_visible_to(people["clerk"])
    assert world["dossiers"][CAU_GIAY] in visible
    assert world["dossiers"][BA_DINH] not in visible
    assert world["stranger"] not in visible
    assert {t.centre.code for t in tickets_visible_to(people["clerk"])} == {CAU_GIAY}


def test_centre_supervisor_sees_their_centre_only(world, people):
    visible = dossiers_visible_to(people["centre_lead"]).filter(
        pk__in=[d.pk for d in world["dossiers"].values()]
    )
    assert _codes(visible) == {BA_DINH}
    assert {t.centre.code for t in tickets_visible_to(people["centre_lead"])} == {BA_DINH}


def test_provincial_supervisor_sees_every_centre_of_the_province(world, people):
    visible = dossiers_visible_to(people["province_lead"])
    assert _codes(visible) == {CAU_GIAY, BA_DINH, HOAN_KIEM}
    assert world["stranger"] in visible
    assert {t.centre.code for t in tickets_visible_to(people["province_lead"])} == {
        CAU_GIAY,
        BA_DINH,
        HOAN_KIEM,
    }


def test_agency_officer_sees_the_dossiers_at_their_agencys_steps(world, people):
    from routing.models import DossierStep, StepDefinition

    officer_agency = people["officer"].memberships.get().agency
    at_agency = world["dossiers"][BA_DINH]
    definition = StepDefinition.objects.filter(process__procedure=at_agency.procedure).first()
    DossierStep.objects.create(
        dossier=at_agency,
        definition=definition,
        agency=officer_agency,
        stage=1,
        started_at=at_agency.received_at,
        due_at=at_agency.due_at,
    )
    ids = [d.pk for d in world["dossiers"].values()]
    assert list(dossiers_visible_to(people["officer"]).filter(pk__in=ids)) == [at_agency]
    assert not tickets_visible_to(people["officer"]).exists()


def test_citizen_sees_only_their_own(world, people):
    visible = dossiers_visible_to(people["citizen"])
    assert world["own"] in visible
    assert world["stranger"] not in visible
    assert not tickets_visible_to(people["citizen"]).exists()


# --- Pages ------------------------------------------------------------------------------

DASHBOARD_PAGES = ["/giam-sat/tong-quan/", "/giam-sat/ho-so/", "/giam-sat/chi-so/", "/giam-sat/xuat.csv"]


@pytest.mark.parametrize("role", ["clerk", "officer", "citizen"])
@pytest.mark.parametrize("url", DASHBOARD_PAGES)
def test_dashboard_pages_refuse_non_supervisors(client, people, world, role, url):
    client.force_login(people[role])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", ["province_lead", "centre_lead"])
@pytest.mark.parametrize("url", DASHBOARD_PAGES)
def test_dashboard_pages_open_to_supervisors(client, people, world, role, url):
    client.force_login(people[role])
    assert client.get(url).status_code == 200


def test_centre_supervisor_cannot_widen_their_scope(client, people, world, centres):
    client.force_login(people["centre_lead"])
    other = centres[CAU_GIAY].pk
    assert client.get(f"/giam-sat/tong-quan/?trung_tam={other}").status_code == 404
    assert client.get(f"/giam-sat/ho-so/?trung_tam={other}").status_code == 404
    assert client.get(f"/giam-sat/ho-so/{world['dossiers'][CAU_GIAY].code}/").status_code == 404
    assert client.get(f"/giam-sat/ho-so/{world['dossiers'][BA_DINH].code}/").status_code == 200
    listed = client.get("/giam-sat/ho-so/?loai=received").content.decode()
    assert world["dossiers"][BA_DINH].code in listed
    assert world["dossiers"][CAU_GIAY].code not in listed


def test_dashboard_figures_count_only_the_readers_centres(client, people, world, centres):
    from dashboard.services import figures_rebuild

    figures_rebuild()
    client.force_login(people["centre_lead"])
    response = client.get("/giam-sat/xuat.csv")
    text = response.content.decode("utf-8-sig")
    assert centres[BA_DINH].name in text
    assert centres[CAU_GIAY].name not in text


@pytest.mark.parametrize("role", ["province_lead", "centre_lead", "officer", "citizen"])
def test_counter_workspace_refuses_everyone_but_clerks(client, people, world, role):
    client.force_login(people[role])
    assert client.get("/mot-cua/ho-so/").status_code == 403
    code = world["dossiers"][CAU_GIAY].code
    assert client.post(f"/mot-cua/ho-so/{code}/tra-ket-qua/").status_code == 403


def test_clerk_cannot_hand_back_or_rate_another_centres_dossier(client, people, world):
    client.force_login(people["clerk"])
    other = world["dossiers"][BA_DINH]
    assert client.post(f"/mot-cua/ho-so/{other.code}/tra-ket-qua/").status_code == 404
    assert client.get(f"/mot-cua/danh-gia/{other.code}/").status_code == 404
    other.refresh_from_db()
    assert other.status == Dossier.Status.DONE
    search = client.get(f"/mot-cua/ho-so/?q={other.code}").content.decode()
    assert f"found-{other.code}" not in search


def test_citizen_rates_only_their_own_dossier_on_the_web(client, people, world):
    client.force_login(people["citizen"])
    assert client.get(f"/ho-so/{world['stranger'].code}/danh-gia/").status_code == 404
    assert client.get(f"/ho-so/{world['own'].code}/danh-gia/").status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for url in ["/giam-sat/tong-quan/", "/mot-cua/ho-so/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert "/dang-nhap/" in response["Location"]
