import datetime
import zoneinfo

import pytest
from django.db import IntegrityError, connection
from django.urls import reverse
from django.utils import timezone

from outbox.tasks import sweep as outbox_sweep_task
from procedures.models import DailySequence, Dossier, DossierEvent, Draft, Procedure
from procedures.services import (
    DraftAlreadyFiled,
    dossier_enter,
    dossier_submit,
    dossiers_enter,
    procedures_load,
)

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def parallel_on_postgresql(test):
    """Committed data seen from other connections, and PostgreSQL's row locks (SQLite has none:
    it serialises every write)."""
    test = pytest.mark.django_db(transaction=True)(test)
    return pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite serialises all writes"
    )(test)


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
    # Filing publishes nothing and writes nothing else: the scheduler's next run enters it.
    assert callbacks == []
    assert first.entered_at is None
    assert not first.events.exists()


def test_a_filed_dossier_reads_back_as_it_was_filed(catalogue, centre, filer):
    # The dossier is numbered and inserted in one hand-built statement on PostgreSQL: every field
    # must land in its column.
    procedure = Procedure.objects.get(slug="chung-thuc-ban-sao-tu-ban-chinh")
    data = {"pages": 3, "copies": 1, "ghi_chu": "Bản sao giấy khai sinh"}
    filed = _submit(procedure=procedure, centre=centre, filer=filer, data=data, channel="counter")
    stored = Dossier.objects.get(pk=filed.pk)
    for field in Dossier._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(filed, field.attname), field.name
    assert stored.data == data
    assert stored.channel == "counter"
    assert stored.code == f"{centre.code}-{timezone.localdate():%y%m%d}-0001"


def test_a_failed_filing_leaves_no_number_used_and_no_file_stored(
    catalogue, centre, filer, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from procedures.models import Attachment

    settings.MEDIA_ROOT = tmp_path
    procedure = Procedure.objects.get(slug="chung-thuc-ban-sao-tu-ban-chinh")
    with pytest.raises(IntegrityError):
        dossier_submit(
            form=procedure.current_form(),
            centre=centre,
            channel="online",
            applicant_citizen_id="not-an-id",  # refused by the table's check
            applicant_name="Trần Thị Bình",
            submitted_by=filer,
            data={},
            files={"ban_chinh": SimpleUploadedFile("ban-chinh.pdf", b"%PDF-1.4 x", "application/pdf")},
        )
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    assert not Attachment.objects.exists()
    assert _submit(procedure=procedure, centre=centre, filer=filer).code.endswith("-0001")


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


def test_entering_records_the_timeline_figures_route_and_receipt_once(catalogue, centre, filer):
    from dashboard.models import DailyFigure
    from routing.models import Transition

    procedure = Procedure.objects.get(slug="dang-ky-khai-sinh")
    dossier = _submit(procedure=procedure, centre=centre, filer=filer)
    assert dossier_enter(dossier_id=dossier.pk) is True
    assert dossier_enter(dossier_id=dossier.pk) is False  # a second run changes nothing
    dossier.refresh_from_db()
    assert dossier.entered_at is not None
    assert list(dossier.events.values_list("kind", flat=True)) == ["submitted", "receipt"]
    assert dossier.events.get(kind=DossierEvent.Kind.SUBMITTED).at == dossier.received_at
    assert sum(DailyFigure.objects.values_list("received", flat=True)) == 1
    assert Transition.objects.filter(dossier=dossier).count() == 1


def test_the_scheduled_run_enters_every_waiting_dossier_oldest_first(catalogue, centre, filer, caplog):
    procedure = Procedure.objects.get(slug="dang-ky-tam-tru")
    start = datetime.datetime(2026, 11, 25, 9, tzinfo=HANOI)
    filed = [
        _submit(procedure=procedure, centre=centre, filer=filer, received_at=at)
        for at in (start, start + datetime.timedelta(minutes=1), start + datetime.timedelta(minutes=2))
    ]
    # One dossier that cannot be entered (its data was damaged) is logged and left for the next
    # run; it does not hold up the others.
    broken = filed[1]
    Dossier.objects.filter(pk=broken.pk).update(channel="pigeon")
    assert outbox_sweep_task() == 2  # the scheduler's sweep, as it runs when no relay does
    assert "not entered" in caplog.text
    entered = Dossier.objects.filter(entered_at__isnull=False).order_by("entered_at")
    assert list(entered.values_list("pk", flat=True)) == [filed[0].pk, filed[2].pk]
    Dossier.objects.filter(pk=broken.pk).update(channel="online")
    assert dossiers_enter() == 1
    assert dossiers_enter() == 0


def test_old_dossiers_keep_their_form_version(catalogue, centre, filer):
    procedure = Procedure.objects.get(slug="dang-ky-khai-tu")
    old = _submit(procedure=procedure, centre=centre, filer=filer)
    definition = dict(procedure.current_form().definition, declaration="Khác")
    procedure.forms.create(version=2, definition=definition)
    new = _submit(procedure=procedure, centre=centre, filer=filer)
    old.refresh_from_db()
    assert (old.form.version, new.form.version) == (1, 2)


@parallel_on_postgresql
def test_fifty_parallel_submissions_get_fifty_consecutive_codes(centre, filer, at_once):
    procedures_load()
    procedure = Procedure.objects.get(slug="dang-ky-khai-sinh")
    codes = at_once(50, lambda: _submit(procedure=procedure, centre=centre, filer=filer).code)
    day = timezone.localdate().strftime("%y%m%d")
    assert sorted(codes) == [f"{centre.code}-{day}-{n:04d}" for n in range(1, 51)]
    assert Dossier.objects.count() == 50


def _submit_draft(draft, *, centre, filer):
    try:
        return dossier_submit(
            form=draft.form,
            centre=centre,
            channel="online",
            applicant_citizen_id=filer.citizen_id,
            applicant_name="Trần Thị Bình",
            submitted_by=filer,
            data={},
            draft=draft,
        ).code, "filed"
    except DraftAlreadyFiled as filed:
        return filed.dossier.code, "found"


def test_submit_again_on_a_filed_draft_finds_its_dossier_and_files_nothing(catalogue, centre, filer):
    procedure = Procedure.objects.get(slug="dang-ky-khai-sinh")
    draft = Draft.objects.create(
        owner=filer, form=procedure.current_form(), applicant_citizen_id=filer.citizen_id
    )
    first = _submit_draft(draft, centre=centre, filer=filer)
    again = _submit_draft(draft, centre=centre, filer=filer)
    assert (first[1], again) == ("filed", (first[0], "found"))
    assert Dossier.objects.count() == 1
    assert DailySequence.objects.get().last == 1  # no number used by the second press


@parallel_on_postgresql
def test_submit_pressed_ten_times_at_once_on_one_draft_files_one_dossier(centre, filer, at_once):
    procedures_load()
    procedure = Procedure.objects.get(slug="dang-ky-khai-sinh")
    draft = Draft.objects.create(
        owner=filer, form=procedure.current_form(), applicant_citizen_id=filer.citizen_id
    )
    answers = at_once(10, lambda: _submit_draft(draft, centre=centre, filer=filer))
    assert len({code for code, _how in answers}) == 1
    assert sorted(how for _code, how in answers) == ["filed"] + ["found"] * 9
    assert Dossier.objects.count() == 1


@parallel_on_postgresql
def test_two_workers_entering_at_once_enter_each_dossier_once(centre, filer, at_once):
    from dashboard.models import DailyFigure

    procedures_load()
    procedure = Procedure.objects.get(slug="dang-ky-khai-sinh")
    for _ in range(40):
        _submit(procedure=procedure, centre=centre, filer=filer)
    assert sum(at_once(2, dossiers_enter)) == 40  # side by side: each takes what the other has not
    assert not Dossier.objects.filter(entered_at__isnull=True).exists()
    assert DossierEvent.objects.filter(kind=DossierEvent.Kind.SUBMITTED).count() == 40
    assert sum(DailyFigure.objects.values_list("received", flat=True)) == 40


@parallel_on_postgresql
def test_four_workers_entering_a_backlog_at_once_never_deadlock_and_count_each_dossier_once(
    centre, filer, at_once
):
    from dashboard.models import DailyFigure, StaffDailyFigure

    procedures_load()
    births = Procedure.objects.get(slug="dang-ky-khai-sinh")
    residence = Procedure.objects.get(slug="dang-ky-tam-tru")
    for n in range(160):  # two procedures interleaved: each batch touches the same figure rows
        _submit(
            procedure=(births, residence)[n % 2],
            centre=centre,
            filer=filer,
            channel=("online", "counter")[n % 3 == 0],
        )

    def enter_all():
        total = 0
        while done := dossiers_enter(limit=20):
            total += done
        return total

    assert sum(at_once(4, enter_all)) == 160
    assert sum(DailyFigure.objects.values_list("received", flat=True)) == 160
    assert sum(DailyFigure.objects.values_list("received_online", flat=True)) == 106
    assert sum(StaffDailyFigure.objects.values_list("received", flat=True)) == 160


def test_receipt_and_timeline_only_for_those_concerned(catalogue, centre, filer, client, django_user_model):
    procedure = Procedure.objects.get(slug="chung-thuc-ban-sao-tu-ban-chinh")
    dossier = _submit(procedure=procedure, centre=centre, filer=filer, data={"pages": 1, "copies": 1})
    dossier_enter(dossier_id=dossier.pk)
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


def test_a_dossier_not_yet_entered_already_shows_that_it_was_filed(catalogue, centre, filer, client):
    procedure = Procedure.objects.get(slug="dang-ky-tam-tru")
    dossier = _submit(procedure=procedure, centre=centre, filer=filer, channel="counter")
    client.force_login(filer)
    before = client.get(reverse("procedures:dossier", args=[dossier.code])).content.decode()
    assert "<strong>Nộp hồ sơ</strong>" in before
    assert "Tại quầy" in before  # its channel
    dossier_enter(dossier_id=dossier.pk)
    after = client.get(reverse("procedures:dossier", args=[dossier.code])).content.decode()
    assert after.count("<strong>Nộp hồ sơ</strong>") == 1  # the entered event, not a second line
    assert "<strong>Cấp giấy tiếp nhận và hẹn trả kết quả</strong>" in after
