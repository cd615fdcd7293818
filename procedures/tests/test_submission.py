import datetime
import threading
import zoneinfo

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from procedures.models import DailySequence, Dossier, DossierEvent, Procedure
from procedures.services import dossier_submit, receipt_record
from procedures.tasks import dossier_receipt_record

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def _submit(*, procedure, centre, filer, received_at=None, data=None, channel="online"):
    return dossier_submit(
        form=procedure.current_form(),
        centre=centre,
        channel=channel,
        applicant_citizen_id=filer.citizen_id,
        applicant_name="Trần Thị Bình",
        submitted_by=filer,
        data=data or {},
        received_at=received_at,
    )


def test_code_status_fee_and_due_date(catalogue, centre, filer, django_capture_on_commit_callbacks):
    procedure = Procedure.objects.get(slug="chung-thuc-ban-sao-tu-ban-chinh")
    received = datetime.datetime(2026, 11, 25, 15, 30, tzinfo=HANOI)
    with django_capture_on_commit_callbacks() as callbacks:
        first = _submit(
            procedure=procedure,
            centre=centre,
            filer=filer,
            received_at=received,
            data={"pages": 4, "copies": 2},
        )
        second = _submit(procedure=procedure, centre=centre, filer=filer, received_at=received)
    assert first.code == "000.00.09.H26-261125-0001"
    assert second.code == "000.00.09.H26-261125-0002"
    assert first.status == Dossier.Status.RECEIVED
    assert first.fee == (2000 * 2 + 1000 * 2) * 2
    # A same-day procedure received after 15:00 is due the next working day.
    assert first.due_date == datetime.date(2026, 11, 26)
    assert first.due_at == datetime.datetime(2026, 11, 26, 17, tzinfo=HANOI)  # the close of that day
    assert first.form.version == 1
    assert len(callbacks) == 2  # the receipt is queued after commit, not during the transaction


def test_sequence_restarts_each_day_and_per_centre(catalogue, centre, filer):
    procedure = Procedure.objects.get(slug="dang-ky-tam-tru")
    day1 = datetime.datetime(2026, 11, 25, 9, tzinfo=HANOI)
    _submit(procedure=procedure, centre=centre, filer=filer, received_at=day1)
    late = _submit(
        procedure=procedure, centre=centre, filer=filer, received_at=day1 + datetime.timedelta(days=1)
    )
    assert late.code.endswith("-261126-0001")
    assert late.fee == 7000  # online discount
    assert DailySequence.objects.count() == 2


def test_receipt_is_recorded_once(catalogue, centre, filer):
    dossier = _submit(procedure=Procedure.objects.first(), centre=centre, filer=filer)
    dossier_receipt_record(dossier.pk)
    dossier_receipt_record(dossier.pk)  # a retried task changes nothing
    receipt_record(dossier_id=dossier.pk)
    assert dossier.events.filter(kind=DossierEvent.Kind.RECEIPT).count() == 1
    assert list(dossier.events.values_list("kind", flat=True)) == ["submitted", "receipt"]


def test_old_dossiers_keep_their_form_version(catalogue, centre, filer):
    procedure = Procedure.objects.get(slug="dang-ky-khai-tu")
    old = _submit(procedure=procedure, centre=centre, filer=filer)
    definition = dict(procedure.current_form().definition, declaration="Khác")
    procedure.forms.create(version=2, definition=definition)
    new = _submit(procedure=procedure, centre=centre, filer=filer)
    old.refresh_from_db()
    assert (old.form.version, new.form.version) == (1, 2)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite serialises all writes"
)
def test_fifty_parallel_submissions_get_fifty_consecutive_codes(centre, filer):
    from procedures.services import procedures_load

    procedures_load()
    procedure = Procedure.objects.get(slug="dang-ky-khai-sinh")
    barrier = threading.Barrier(50)
    codes, errors = [], []

    def file_one():
        try:
            barrier.wait()
            codes.append(_submit(procedure=procedure, centre=centre, filer=filer).code)
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=file_one) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    day = timezone.localdate().strftime("%y%m%d")
    assert sorted(codes) == [f"{centre.code}-{day}-{n:04d}" for n in range(1, 51)]
    assert Dossier.objects.count() == 50


def test_receipt_and_timeline_only_for_those_concerned(catalogue, centre, filer, client, django_user_model):
    procedure = Procedure.objects.get(slug="chung-thuc-ban-sao-tu-ban-chinh")
    dossier = _submit(procedure=procedure, centre=centre, filer=filer, data={"pages": 1, "copies": 1})
    receipt_record(dossier_id=dossier.pk)
    client.force_login(filer)
    slip = client.get(reverse("procedures:receipt", args=[dossier.code])).content.decode()
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in slip
    assert dossier.due_date.strftime("%d/%m/%Y") in slip
    assert "Bản chính giấy tờ cần chứng thực" in slip
    assert "2.000 đ" in slip
    timeline = client.get(reverse("procedures:dossier", args=[dossier.code])).content.decode()
    assert "Cấp giấy tiếp nhận và hẹn trả kết quả" in timeline
    client.force_login(
        django_user_model.objects.create_user(username="001088000555", citizen_id="001088000555")
    )
    assert client.get(reverse("procedures:receipt", args=[dossier.code])).status_code == 404
    assert client.get(reverse("procedures:dossier", args=[dossier.code])).status_code == 404
