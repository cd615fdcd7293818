import threading

import pytest
from django.db import connection

from dashboard.models import DailyFigure
from procedures.models import Dossier, DossierEvent, HandBack
from procedures.services import HandBackError, dossier_hand_back
from satisfaction.tests.conftest import centre, make_done  # noqa: F401  (shared fixtures)


@pytest.fixture
def clerk(django_user_model):
    return django_user_model.objects.create_user(username="canbo.thu", first_name="Hà", last_name="Trần")


def test_hand_back_moves_done_to_returned_and_records_who_and_when(make_done, clerk):  # noqa: F811
    dossier = make_done()
    hand_back = dossier_hand_back(
        dossier=dossier, by=clerk, method=HandBack.Method.PAPER, receiver_name="Lê Văn B"
    )
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.RETURNED
    assert (hand_back.by, hand_back.receiver_name, hand_back.digital) == (clerk, "Lê Văn B", False)
    event = dossier.events.get(kind=DossierEvent.Kind.HAND_BACK)
    assert event.at == hand_back.at
    assert "Trần" in event.note
    assert sum(DailyFigure.objects.values_list("returned", flat=True)) == 1


def test_a_download_counts_as_a_digital_result(make_done):  # noqa: F811
    hand_back = dossier_hand_back(dossier=make_done(), method=HandBack.Method.DOWNLOAD)
    assert hand_back.digital
    assert sum(DailyFigure.objects.values_list("returned_digital", flat=True)) == 1


def test_only_a_dossier_with_a_result_is_handed_back_and_only_once(make_done, clerk):  # noqa: F811
    with pytest.raises(HandBackError):
        dossier_hand_back(dossier=make_done(status=Dossier.Status.PROCESSING), by=clerk)
    dossier = make_done()
    dossier_hand_back(dossier=dossier, by=clerk)
    with pytest.raises(HandBackError) as again:
        dossier_hand_back(dossier=dossier, by=clerk)
    assert "đã được trả" in again.value.message


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_clerks_pressing_hand_back_at_once_record_it_once(make_done, clerk):  # noqa: F811
    dossier = make_done()
    barrier = threading.Barrier(3)
    outcomes = []

    def press():
        from django.db import connections

        barrier.wait()
        try:
            dossier_hand_back(dossier=Dossier.objects.get(pk=dossier.pk), by=clerk)
            outcomes.append("ok")
        except HandBackError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused", "refused"]
    assert HandBack.objects.filter(dossier=dossier).count() == 1
    assert dossier.events.filter(kind=DossierEvent.Kind.HAND_BACK).count() == 1


def test_hand_back_completes_routings_open_return_step(make_done, clerk):  # noqa: F811
    from agencies.models import Agency
    from routing.models import DossierStep, StepDefinition, StepState, Transition
    from routing.processes import routing_load

    routing_load()
    dossier = make_done()
    definition = StepDefinition.objects.get(
        process__procedure=dossier.procedure, kind=StepDefinition.Kind.RETURN
    )
    reception = Agency.objects.create(
        code="TT-TEST", name="Bộ phận một cửa thử", kind="one_stop", province=dossier.centre.ward.province
    )
    step = DossierStep.objects.create(
        dossier=dossier,
        definition=definition,
        agency=reception,
        stage=definition.stage,
        started_at=dossier.settled_at,
        due_at=dossier.due_at,
    )
    dossier_hand_back(dossier=dossier, by=clerk)
    step.refresh_from_db()
    dossier.refresh_from_db()
    assert step.state == StepState.DONE
    assert step.outcome == "da-tra"
    assert dossier.status == Dossier.Status.RETURNED
    assert Transition.objects.filter(dossier=dossier, step=step, to_state=StepState.DONE).exists()
