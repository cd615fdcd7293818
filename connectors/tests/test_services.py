import datetime
import time

import pytest
from django.db import transaction
from django.utils import timezone

from connectors.models import ConnectorCall
from connectors.selectors import calls_for
from connectors.services import (
    business_register,
    check_request,
    check_retry,
    connector_call_run,
    connectors_sweep,
    payment_record,
)
from connectors.tests.fakes import Flaky

Status = ConnectorCall.Status


def test_citizen_verify_against_the_population_registry(
    citizen, dispatched, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call = check_request(
            key="verify:1",
            check="citizen_verify",
            params={
                "citizen_id": citizen.citizen_id,
                "full_name": "NGUYEN THI MAI",
                "birth_date": "1990-05-17",
            },
        )
    assert call.status == Status.PENDING
    assert dispatched == [(call.pk, None)]
    call = connector_call_run(call_id=call.pk)
    assert (call.status, call.passed, call.attempts) == (Status.OK, True, 1)
    assert call.result["data"]["full_name"] == "Nguyễn Thị Mai"

    wrong = connector_call_run(
        call_id=check_request(
            key="verify:2",
            check="citizen_verify",
            params={"citizen_id": citizen.citizen_id, "birth_date": "1991-01-01"},
        ).pk
    )
    assert (wrong.status, wrong.passed) == (Status.OK, False)
    assert wrong.result["data"]["mismatches"] == ["birth_date"]


def test_a_malformed_citizen_id_fails_at_once_with_the_reason(db, dispatched):
    call = connector_call_run(
        call_id=check_request(key="verify:bad", check="citizen_verify", params={"citizen_id": "12345"}).pk
    )
    assert (call.status, call.attempts) == (Status.FAILED, 1)
    assert "12 chữ số" in call.reason


def test_business_name_unique_reads_the_register_and_open_dossiers(dossier, dispatched):
    from procedures.models import Dossier, Procedure
    from procedures.services import dossier_submit

    business_register(registration_number="01A8001234", name="Phở Hà Nội")
    taken = connector_call_run(
        call_id=check_request(key="name:1", check="business_name_unique", params={"name": "pho ha noi"}).pk
    )
    assert (taken.status, taken.passed) == (Status.OK, False)
    assert taken.result["data"] == {"registered": "01A8001234"}

    procedure = Procedure.objects.get(field=Procedure.Field.BUSINESS_HOUSEHOLD, slug__contains="thanh-lap")
    claim = dossier_submit(
        form=procedure.current_form(),
        centre=dossier.centre,
        channel="online",
        applicant_citizen_id=dossier.applicant_citizen_id,
        applicant_name="Nguyễn Thị Mai",
        submitted_by=dossier.submitted_by,
        data={"business_name": "Bún Chả Cầu Giấy"},
    )
    claimed = connector_call_run(
        call_id=check_request(
            key="name:2", check="business_name_unique", params={"name": "BÚN CHẢ CẦU GIẤY"}
        ).pk
    )
    assert (claimed.passed, claimed.result["data"]) == (False, {"dossier": claim.code})
    # The dossier that claims the name does not conflict with itself, and a refused one frees it.
    own = check_request(
        key="name:3",
        check="business_name_unique",
        params={"name": "Bún chả Cầu Giấy", "dossier_code": claim.code},
    )
    assert connector_call_run(call_id=own.pk).passed is True
    Dossier.objects.filter(pk=claim.pk).update(status=Dossier.Status.REFUSED)
    free = check_request(key="name:4", check="business_name_unique", params={"name": "Bún Chả Cầu Giấy"})
    assert connector_call_run(call_id=free.pk).passed is True


def test_fee_paid_sums_the_local_payment_records(db, dispatched):
    payment_record(reference="000.00.01.H26-261123-0007", amount=50_000, receipt_number="BL-1")
    short = connector_call_run(
        call_id=check_request(
            key="fee:1",
            check="fee_paid",
            params={"reference": "000.00.01.H26-261123-0007", "amount": 100_000},
        ).pk
    )
    assert (short.passed, short.result["detail"]) == (False, "Còn thiếu 50.000 đồng.")
    payment_record(reference="000.00.01.H26-261123-0007", amount=50_000, receipt_number="BL-2")
    payment_record(
        reference="000.00.01.H26-261123-0007", amount=50_000, receipt_number="BL-2"
    )  # same receipt
    paid = connector_call_run(
        call_id=check_request(
            key="fee:2",
            check="fee_paid",
            params={"reference": "000.00.01.H26-261123-0007", "amount": 100_000},
        ).pk
    )
    assert (paid.passed, paid.result["data"]) == (True, {"paid": 100_000, "due": 100_000})


def test_the_same_key_is_one_call(db, dispatched, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = check_request(key="fee:same", check="fee_paid", params={"reference": "X", "amount": 1})
        second = check_request(key="fee:same", check="fee_paid", params={"reference": "X", "amount": 1})
    assert first.pk == second.pk
    assert ConnectorCall.objects.count() == 1
    assert len(dispatched) == 1
    connector_call_run(call_id=first.pk)
    again = connector_call_run(call_id=first.pk)  # the task delivered twice: one call made
    assert again.attempts == 1


def test_a_failure_is_retried_with_backoff_then_succeeds(
    db, dispatched, fake_backends, settings, django_capture_on_commit_callbacks
):
    settings.CONNECTORS_RETRY_BASE_SECONDS = 15
    Flaky.failures = 1
    call = check_request(key="flaky:1", check="flaky", params={"n": 1})
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        call = connector_call_run(call_id=call.pk, now=now)
    assert (call.status, call.attempts, call.reason) == (Status.PENDING, 1, "503 Service Unavailable")
    assert call.next_try_at == now + datetime.timedelta(seconds=15)
    assert dispatched[-1] == (call.pk, 15.0)
    assert (
        connector_call_run(call_id=call.pk, now=now + datetime.timedelta(seconds=1)).attempts == 1
    )  # not yet due
    call = connector_call_run(call_id=call.pk, now=now + datetime.timedelta(seconds=16))
    assert (call.status, call.passed, call.attempts, call.reason) == (Status.OK, True, 2, "")


def test_a_call_that_keeps_failing_ends_failed_and_staff_can_retry(db, dispatched, fake_backends, settings):
    settings.CONNECTORS_MAX_ATTEMPTS = 2
    Flaky.failures = 2
    call = check_request(key="flaky:2", check="flaky", params={})
    call = connector_call_run(call_id=call.pk)
    call = connector_call_run(call_id=call.pk, now=timezone.now() + datetime.timedelta(hours=1))
    assert (call.status, call.attempts, call.reason) == (Status.FAILED, 2, "503 Service Unavailable")
    assert call.finished_at is not None
    call = check_retry(call=call)
    assert (call.status, call.attempts) == (Status.PENDING, 0)
    assert connector_call_run(call_id=call.pk).status == Status.OK


def test_a_slow_system_times_out_and_is_retried(db, dispatched, fake_backends, settings):
    settings.CONNECTORS_TIMEOUT_SECONDS = 0.3
    call = check_request(key="slow:1", check="slow", params={"seconds": 5})
    started = time.monotonic()
    call = connector_call_run(call_id=call.pk)
    assert time.monotonic() - started < 2  # cut off, not waited for
    assert (call.status, call.attempts) == (Status.PENDING, 1)
    assert call.reason == "Quá thời gian chờ 0.3 giây."
    assert call.next_try_at is not None


def test_a_failing_connector_never_raises_into_the_callers_transaction(dossier, dispatched, fake_backends):
    with transaction.atomic():
        call = check_request(key="broken:1", check="broken", params={}, dossier=dossier)
        unknown = check_request(key="nobody:1", check="no_such_check", params={}, dossier=dossier)
        dossier.applicant_name = "Nguyễn Thị Mai (đã sửa)"
        dossier.save(update_fields=["applicant_name"])
    dossier.refresh_from_db()
    assert dossier.applicant_name == "Nguyễn Thị Mai (đã sửa)"
    assert (unknown.status, unknown.reason) == (
        Status.FAILED,
        "Chưa có kết nối cho kiểm tra “no_such_check”.",
    )
    call = connector_call_run(call_id=call.pk)  # a bug in a connector is a retry, not a crash
    assert call.status == Status.PENDING
    assert "an unexpected answer" in call.reason
    assert list(calls_for(dossier)) == [call, unknown]


def test_the_sweep_requeues_lost_calls_and_takes_back_dead_workers_leases(
    db, dispatched, settings, django_capture_on_commit_callbacks
):
    settings.CONNECTORS_SWEEP_GRACE_SECONDS = 120
    settings.CONNECTORS_TIMEOUT_SECONDS = 10
    lost = check_request(key="fee:lost", check="fee_paid", params={"reference": "X", "amount": 0})
    dead = check_request(key="fee:dead", check="fee_paid", params={"reference": "Y", "amount": 0})
    ConnectorCall.objects.filter(pk=dead.pk).update(
        status=Status.RUNNING, attempts=1, started_at=timezone.now()
    )
    dispatched.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert connectors_sweep(now=timezone.now() + datetime.timedelta(seconds=30)) == 0
    later = timezone.now() + datetime.timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        assert connectors_sweep(now=later) == 2
    assert sorted(pk for pk, _ in dispatched) == sorted([lost.pk, dead.pk])
    assert ConnectorCall.objects.get(pk=dead.pk).status == Status.PENDING
    for pk in (lost.pk, dead.pk):
        assert connector_call_run(call_id=pk, now=later).status == Status.OK
    with django_capture_on_commit_callbacks(execute=True):
        assert connectors_sweep(now=later + datetime.timedelta(hours=1)) == 0


@pytest.mark.django_db(transaction=True)
def test_parallel_runs_of_one_call_make_one_call(walk_in, monkeypatch):
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is tested on PostgreSQL")
    from connectors import tasks

    monkeypatch.setattr(tasks.run_call, "apply_async", lambda *a, **kw: None)
    call = check_request(key="verify:parallel", check="citizen_verify", params={"citizen_id": walk_in})
    barrier = threading.Barrier(4)

    def runner():
        try:
            barrier.wait()
            connector_call_run(call_id=call.pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    call.refresh_from_db()
    assert (call.status, call.attempts, call.passed) == (Status.OK, 1, True)
