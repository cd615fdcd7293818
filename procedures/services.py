"""Actions that change procedures, form definitions, drafts and dossiers. One transaction each."""

from __future__ import annotations

import datetime
import json
import logging
import secrets
import uuid
from pathlib import Path

import yaml
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Centre
from divisions.addresses import fold
from outbox.services import CHANNEL as OUTBOX_CHANNEL
from queueing.selectors import shift_of
from queueing.services import current_ticket
from registry.base import population_registry
from uploads.storage import dossier_folder, stored_name

from . import deadlines, events, selectors
from .fees import fee_amount
from .models import (
    Attachment,
    Channel,
    DailySequence,
    Dossier,
    DossierEvent,
    Draft,
    FilingBasis,
    FormDefinition,
    HandBack,
    Procedure,
)

logger = logging.getLogger(__name__)

CATALOGUE_FILE = Path(__file__).resolve().parent / "data" / "procedures.yaml"
DEFAULT_DECLARATION = (
    "Tôi cam đoan những nội dung khai trên đây là đúng sự thật "
    "và chịu trách nhiệm trước pháp luật về lời cam đoan của mình."
)


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@transaction.atomic
def procedures_load(*, path: Path = CATALOGUE_FILE) -> list[Procedure]:
    """Load the catalogue file; a procedure whose form changed gets a new form version.

    Idempotent: loading the same file twice changes nothing.
    """
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    loaded = []
    for item in data["procedures"]:
        field = Procedure.Field(item["field"])
        procedure, _created = Procedure.objects.update_or_create(
            code=item["code"],
            defaults={
                "slug": item["slug"],
                "name": item["name"],
                "name_en": item.get("name_en", ""),
                "field": field,
                "rank": item.get("rank", 0),
                "time_limit_days": item["time_limit_days"],
                "time_limit_note": item.get("time_limit_note", ""),
                "fee_rule": item.get("fee", {"kind": "free"}),
                "documents": item.get("documents", []),
                "result_document": item["result_document"],
                "agency_kinds": item.get("agencies", []),
                "non_territorial": item.get("non_territorial", False),
                "online_level": Procedure.OnlineLevel(item["online_level"]),
                "legal_basis": item.get("legal_basis", ""),
                "search_text": fold(" ".join([item["name"], item.get("name_en", ""), item["code"]])),
            },
        )
        form = dict(item["form"])
        form.setdefault("declaration", DEFAULT_DECLARATION)
        current = procedure.current_form()
        if current is None or _canonical(current.definition) != _canonical(form):
            FormDefinition.objects.create(
                procedure=procedure, version=(current.version + 1) if current else 1, definition=form
            )
        loaded.append(procedure)
    selectors.forget_kept()
    return loaded


class FilingNotAllowed(PermissionDenied):
    """This person may not file for that applicant (on this channel)."""


class ApplicantUnknown(Exception):
    """The applicant's citizen ID is not in the population registry (a clerk typed it), or, for a
    representative, not with the name she gave."""


def _served_at_their_counter(owner, applicant_citizen_id: str, centres: list[Centre]) -> Centre | None:
    """The centre whose counter this clerk staffs today when the ticket called or being served
    there carries this citizen's ID (a phone ticket, a booking, a number taken with her ID), else None."""
    shift = shift_of(owner)
    if shift is None or shift.counter.centre not in centres:
        return None
    ticket = current_ticket(shift.counter)
    if ticket is None or not ticket.citizen_id or ticket.citizen_id != applicant_citizen_id:
        return None
    return shift.counter.centre


def _registry_knows(applicant_citizen_id: str) -> None:
    if population_registry().lookup(applicant_citizen_id) is None:
        raise ApplicantUnknown(
            _("Không tìm thấy số định danh này trong Cơ sở dữ liệu dân cư. Hãy kiểm tra lại với công dân.")
        )


def _represented_person_known(applicant_citizen_id: str, applicant_name: str) -> None:
    """The person who authorised her, as the registry has them: the ID number and the name as the
    letter gives them must both match. The number alone is structured and guessable (province,
    birth year, gender); a representative must not be able to read a stranger's record with it."""
    person = population_registry().lookup(applicant_citizen_id)
    if person is None or not applicant_name or fold(person.full_name) != fold(applicant_name):
        raise ApplicantUnknown(
            _(
                "Số định danh và họ tên người ủy quyền không khớp với Cơ sở dữ liệu dân cư. "
                "Hãy ghi đúng như trên giấy ủy quyền."
            )
        )


def filing_basis(
    *,
    owner,
    applicant_citizen_id: str,
    channel: str,
    consent: bool = False,
    letter=None,
    applicant_name: str = "",
    postal: bool = False,
) -> tuple[str, Centre | None]:
    """The one rule of who may file for whom, for pages and API alike. Returns the ground
    (FilingBasis) and, at the counter, the clerk's centre; raises FilingNotAllowed or
    ApplicantUnknown.

    Online, a citizen files for herself; for her child under 18 as the parent (the legal
    representative of a minor, Civil Code 2015 art. 136; `selectors.children_in_care_of`); for
    anyone else only as her authorised representative (art. 138), with the authorisation letter
    (`letter`, already through the one upload check) and the person's name as the letter gives it.

    At the counter, a clerk of a centre files for a walk-in citizen the registry knows. Counter staff
    may read a person's registry record only for someone standing at their counter (Decree 13/2023
    and the Law on Personal Data Protection 2025: personal data processed only for a purpose and
    with consent), not by browsing: either her ticket is being served at the clerk's counter right
    now, or the clerk records that she showed her papers and agreed (`consent`). A paper dossier
    that came by post has nobody at the counter: the clerk records that the envelope holds the
    application signed by the citizen (`postal`), which is her request. Checked before the registry
    is asked, so a refused start reads nothing."""
    if channel == Channel.ONLINE:
        if owner.citizen_id and applicant_citizen_id == owner.citizen_id:
            return FilingBasis.SELF, None
        if letter is not None and owner.citizen_id:
            _represented_person_known(applicant_citizen_id, applicant_name)
            return FilingBasis.AUTHORISED, None
        if _their_child(owner, applicant_citizen_id):
            return FilingBasis.GUARDIAN, None
        raise FilingNotAllowed(
            _(
                "Bạn chỉ nộp trực tuyến được cho bản thân, cho con chưa đủ 18 tuổi của mình, "
                "hoặc cho người khác khi có giấy ủy quyền của họ."
            )
        )
    centres = _counter_centres(owner)
    if postal:
        _registry_knows(applicant_citizen_id)
        return FilingBasis.POSTAL, centres[0]
    centre = _served_at_their_counter(owner, applicant_citizen_id, centres)
    if centre is None and not consent:
        raise FilingNotAllowed(
            _(
                "Chỉ tra cứu được công dân đang có mặt tại quầy của bạn. Hãy gọi số thứ tự của công dân, "
                "hoặc đánh dấu “Công dân đã xuất trình giấy tờ và đồng ý cho tra cứu” sau khi công dân "
                "xuất trình giấy tờ."
            )
        )
    _registry_knows(applicant_citizen_id)
    return FilingBasis.COUNTER, centre or centres[0]


def filing_basis_holds(*, draft: Draft, owner) -> None:
    """Submit asks again what `filing_basis` allowed when the draft was started, as far as it can
    have changed since (a draft lives for weeks): a parent's child who has turned 18 files for
    herself or gives a letter; a representative's letter must still be there; a clerk must still
    be counter staff. What was recorded at the start (the ticket served, the consent, the signed
    envelope) is the proof of that moment, and is not asked for again. Raises FilingNotAllowed."""
    basis = draft.basis
    if basis == FilingBasis.SELF:
        if not owner.citizen_id or owner.citizen_id != draft.applicant_citizen_id:
            raise FilingNotAllowed(_("Hồ sơ này không phải của bạn."))
    elif basis in (FilingBasis.GUARDIAN, FilingBasis.HOUSEHOLD):
        if not _their_child(owner, draft.applicant_citizen_id):
            raise FilingNotAllowed(
                _(
                    "Người này không còn là con chưa đủ 18 tuổi của bạn theo cơ sở dữ liệu dân cư: "
                    "họ tự nộp, hoặc bạn nộp thay khi có giấy ủy quyền của họ."
                )
            )
    elif basis == FilingBasis.AUTHORISED:
        if not draft.letter:
            raise FilingNotAllowed(_("Hồ sơ nộp thay theo ủy quyền phải có giấy ủy quyền."))
    else:  # COUNTER, POSTAL
        _counter_centres(owner)


def _their_child(owner, citizen_id: str) -> bool:
    """Whether the registry shows this person as the owner's child under 18 (FilingBasis.GUARDIAN)."""
    return citizen_id in {p.citizen_id for p in selectors.children_in_care_of(owner)}


def _counter_centres(owner) -> list[Centre]:
    """The centres whose counters the owner staffs; FilingNotAllowed when there are none."""
    centres = selectors.counter_centres_of(owner)
    if not centres:
        raise FilingNotAllowed(_("Chỉ cán bộ một cửa mới nộp hồ sơ tại quầy."))
    return centres


def draft_start(
    *,
    owner,
    procedure: Procedure,
    applicant_citizen_id: str,
    channel: str = Channel.ONLINE,
    consent: bool = False,
    letter=None,
    applicant_name: str = "",
    postal: bool = False,
) -> Draft:
    """The owner's unfinished draft for this procedure and person, or a new one on the current form,
    once `filing_basis` allows it (and records on what ground). A clerk's recorded consent is kept
    on the draft with its time: the proof of why the registry was read. A postal dossier is a paper
    one. An authorised representative's letter is stored in the dossier's own folder and filed
    with the dossier; a new letter on a resumed draft replaces the old one, which is deleted."""
    basis, centre = filing_basis(
        owner=owner,
        applicant_citizen_id=applicant_citizen_id,
        channel=channel,
        consent=consent,
        letter=letter,
        applicant_name=applicant_name,
        postal=postal,
    )
    if basis == FilingBasis.POSTAL:
        channel = Channel.PAPER
    consented_at = timezone.now() if consent and basis == FilingBasis.COUNTER else None
    draft = (
        Draft.objects.filter(
            owner=owner, form__procedure=procedure, applicant_citizen_id=applicant_citizen_id, channel=channel
        )
        .order_by("-updated_at")
        .first()
    )
    resumed = draft is not None
    if draft is None:
        draft = Draft(
            owner=owner,
            form=procedure.current_form(),
            applicant_citizen_id=applicant_citizen_id,
            channel=channel,
            centre=centre,
            basis=basis,
            consent_at=consented_at,
        )
    replaced = draft.letter.name if resumed else ""
    storage = Draft._meta.get_field("letter").storage
    if basis == FilingBasis.AUTHORISED:
        draft.letter = storage.save(stored_name(folder=dossier_folder(draft.pk), upload=letter), letter)
        draft.letter_name = letter.name[:255]
        draft.letter_content_type = getattr(letter, "content_type", "") or ""
    else:
        draft.letter, draft.letter_name, draft.letter_content_type = "", "", ""
    try:
        if not resumed:
            draft.save(force_insert=True)
        else:
            # Resumed on a new visit: the ground given this time is the one that counts.
            draft.basis = basis
            draft.consent_at = consented_at or draft.consent_at
            draft.save(
                update_fields=[
                    "basis",
                    "consent_at",
                    "letter",
                    "letter_name",
                    "letter_content_type",
                    "updated_at",
                ]
            )
    except BaseException:
        if basis == FilingBasis.AUTHORISED:
            storage.delete(draft.letter.name)
        raise
    if replaced:
        transaction.on_commit(lambda: storage.delete(replaced))
    return draft


def draft_letter_delete(draft: Draft) -> None:
    """Delete the authorisation letter of a draft that will not be filed (purged)."""
    if draft.letter:
        Draft._meta.get_field("letter").storage.delete(draft.letter.name)


HANDOVER_SALT = "procedures.draft-handover"


def draft_handover_token(*, draft: Draft) -> str:
    """A link token a clerk gives the citizen to finish a draft the clerk started.

    It names the current owner, so it works once: after the citizen takes the draft over the
    owner has changed and the same token no longer matches.
    """
    return signing.dumps({"draft": str(draft.pk), "owner": draft.owner_id}, salt=HANDOVER_SALT)


@transaction.atomic
def draft_take_over(*, token: str, user) -> Draft | None:
    """Give the draft to the citizen it is for; None when the link is used, expired or not theirs."""
    try:
        payload = signing.loads(
            token,
            salt=HANDOVER_SALT,
            max_age=datetime.timedelta(days=settings.PROCEDURES_DRAFT_RETENTION_DAYS),
        )
    except signing.BadSignature:
        return None
    draft = (
        Draft.objects.select_for_update()
        .filter(pk=payload["draft"], owner_id=payload["owner"], applicant_citizen_id=user.citizen_id or "-")
        .first()
    )
    if draft is None:
        return None
    # Hers now, filed by herself: no "người nộp thay" on her receipt, and her own look at her form
    # is not recorded as a clerk's read of her record.
    draft.owner, draft.channel, draft.basis = user, Channel.ONLINE, FilingBasis.SELF
    draft.save(update_fields=["owner", "channel", "basis", "updated_at"])
    return draft


def drafts_purge(*, older_than: datetime.timedelta | None = None) -> int:
    """Delete drafts nobody touched for a while: personal data is not kept without purpose."""
    from .drafts import draft_files_delete

    age = older_than or datetime.timedelta(days=settings.PROCEDURES_DRAFT_RETENTION_DAYS)
    stale = list(Draft.objects.filter(updated_at__lt=timezone.now() - age))
    for draft in stale:
        draft_files_delete(draft.state)
        draft_letter_delete(draft)
    Draft.objects.filter(pk__in=[d.pk for d in stale]).delete()
    return len(stale)


def _file_numbered(dossier: Dossier, *, centre: Centre, day: datetime.date) -> Dossier:
    """Give the dossier the next number of its centre's day, and insert it.

    An upsert creates the (centre, day) row or locks and increments it, and the row lock is held
    until the transaction commits: two submissions at the same centre never get the same number,
    and a rolled-back one leaves no gap. Every filing at the centre waits for that lock, so on
    PostgreSQL the upsert and the dossier's insert are one statement: outside a transaction the
    lock lasts that statement alone; inside one, `dossier_submit` takes it once the slow work
    (storing uploads) is done.
    """
    table = DailySequence._meta.db_table
    upsert = (
        f"INSERT INTO {table} (centre_id, day, last) VALUES (%s, %s, 1) "
        f"ON CONFLICT (centre_id, day) DO UPDATE SET last = {table}.last + 1 RETURNING last"
    )
    prefix = f"{centre.code}-{day:%y%m%d}-"
    if connection.vendor != "postgresql":  # SQLite (the one-machine default) has no INSERT in WITH
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(upsert, [centre.pk, day])
            (number,) = cursor.fetchone()
            dossier.code = f"{prefix}{number:04d}"
            dossier.save(force_insert=True)
        return dossier
    quote = connection.ops.quote_name
    fields = [f for f in Dossier._meta.concrete_fields if not f.primary_key and f.name != "code"]
    values = [f.get_db_prep_save(f.pre_save(dossier, add=True), connection) for f in fields]
    code, columns = quote(Dossier._meta.get_field("code").column), ", ".join(quote(f.column) for f in fields)
    # The same statement wakes the relay (outbox.services.CHANNEL) once it commits: entering the dossier
    # starts at once, at no extra round trip on the busiest path.
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH n AS ({upsert}) "
            f"INSERT INTO {quote(Dossier._meta.db_table)} ({code}, {columns}) "
            f"SELECT %s || lpad(n.last::text, 4, '0'), {', '.join(['%s'] * len(fields))} "
            f"FROM n CROSS JOIN (SELECT pg_notify(%s, '')) AS wake "
            f"RETURNING {quote(Dossier._meta.pk.column)}, {code}",
            [centre.pk, day, prefix, *values, OUTBOX_CHANNEL],
        )
        dossier.pk, dossier.code = cursor.fetchone()
    dossier._state.adding, dossier._state.db = False, connection.alias
    return dossier


def lookup_pin_new() -> str:
    """Eight random digits (a phone's number pad, no letters to confuse): 10^8 guesses per dossier
    code, behind the look-up's rate limit."""
    return f"{secrets.randbelow(10**8):08d}"


class DraftAlreadyFiled(Exception):
    """Submit was pressed again on a draft that is a dossier now; `dossier` is that dossier."""

    def __init__(self, dossier: Dossier):
        super().__init__(dossier.code)
        self.dossier = dossier


def dossier_submit(
    *,
    form: FormDefinition,
    centre: Centre,
    channel: str,
    applicant_citizen_id: str,
    applicant_name: str,
    submitted_by,
    data: dict,
    files: dict | None = None,
    reused: dict[str, Attachment] | None = None,
    received_at: datetime.datetime | None = None,
    draft: Draft | None = None,
    filing_basis: str = FilingBasis.SELF,
) -> Dossier:
    """File a dossier: number it, compute its fee and due date, freeze its data. One transaction.

    Only what the citizen must see at once is written here: the filing holds the centre's daily
    sequence row locked, so it stays short. The outbox relay, woken by the commit, enters the
    dossier in the books a moment later (`dossiers_enter`; `procedures.outbox.DossiersToEnter`).
    """
    procedure = form.procedure
    received_at = received_at or timezone.now()
    dossier = Dossier(
        procedure=procedure,
        form=form,
        centre=centre,
        channel=channel,
        filing_basis=filing_basis,
        lookup_pin=lookup_pin_new(),
        status=Dossier.Status.RECEIVED,
        applicant_citizen_id=applicant_citizen_id,
        applicant_name=applicant_name,
        submitted_by=submitted_by,
        data=data,
        fee=fee_amount(procedure.fee_rule, data=data, online=channel == Channel.ONLINE),
        received_at=received_at,
        due_date=deadlines.due_date(received_at, working_days=procedure.time_limit_days),
        due_at=deadlines.due_at(received_at, working_days=procedure.time_limit_days),
    )
    day = timezone.localtime(received_at).date()
    if not (files or reused or draft):
        return _file_numbered(dossier, centre=centre, day=day)  # one statement is its own transaction
    # Uploads are written to storage first, so nothing slow runs while the centre's number is held.
    file_field = Attachment._meta.get_field("file")
    # Random names in the dossier's own folder, never the client's (kept only as the name shown).
    folder = dossier_folder(draft.pk if draft is not None else uuid.uuid4())
    stored = {
        component: (file_field.storage.save(stored_name(folder=folder, upload=upload), upload), upload)
        for component, upload in (files or {}).items()
    }
    if draft is not None:
        dossier.draft_ref = draft.pk
    try:
        with transaction.atomic():
            # Deleting the draft takes its row lock: a second Submit of the same draft waits for the
            # first to commit, then finds nothing to delete and answers with the first's dossier.
            if draft is not None and not Draft.objects.filter(pk=draft.pk).delete()[0]:
                raise DraftAlreadyFiled(Dossier.objects.get(draft_ref=draft.pk))
            _file_numbered(dossier, centre=centre, day=day)
            for component, (name, upload) in stored.items():
                Attachment.objects.create(
                    dossier=dossier,
                    component=component,
                    file=name,
                    name=upload.name[:255],
                    content_type=getattr(upload, "content_type", "") or "",
                    size=upload.size,
                )
            for component, earlier in (reused or {}).items():
                # The same stored file, filed again: nothing is copied or uploaded twice.
                Attachment.objects.create(
                    dossier=dossier,
                    component=component,
                    file=earlier.file.name,
                    name=earlier.name,
                    content_type=earlier.content_type,
                    size=earlier.size,
                )
    except BaseException:
        for name, _upload in stored.values():
            file_field.storage.delete(name)
        raise
    return dossier


def dossiers_enter(*, limit: int = 50, dossier_ids: list[int] | None = None) -> int:
    """Enter the oldest filed dossiers not yet entered, at most `limit`, in the books: the timeline,
    the day's figures, the start of the route, the receipt (form 01, PDF and notice). Returns how
    many it entered.

    The outbox relay has a worker run it as soon as a filing commits (and the scheduler's sweep when
    no relay runs), so filing publishes nothing. A run takes one bounded batch and ends; a backlog
    is worked off by the next runs, in parallel: each claims its dossiers with SKIP LOCKED, and the
    batch is told of once, at its end (`events.dossiers_entered`), so the dashboard adds its figures
    once per batch, merged. A dossier that fails is logged, rolled back to its savepoint and left
    for the next run; it never holds up the others.
    """
    entered = []
    with transaction.atomic():
        waiting = Dossier.objects.filter(entered_at__isnull=True)
        if dossier_ids is not None:
            waiting = waiting.filter(pk__in=dossier_ids)
        batch = (
            waiting.select_for_update(skip_locked=True, of=("self",))
            .select_related("procedure", "centre__ward", "submitted_by")
            .order_by("received_at")[:limit]
        )
        for dossier in batch:
            try:
                with transaction.atomic():
                    if _enter(dossier):
                        entered.append(dossier)
            except Exception:
                logger.exception("dossier %s not entered; the next run retries", dossier.code)
        if entered:
            events.dossiers_entered.send(sender=Dossier, dossiers=entered)
    return len(entered)


def dossier_enter(*, dossier_id: int) -> bool:
    """Enter one dossier now; False when it was entered already (a second call changes nothing)."""
    return dossiers_enter(dossier_ids=[dossier_id]) == 1


def _enter(dossier: Dossier) -> bool:
    # The condition guards SQLite, which has no row locks (its writers take turns).
    if not Dossier.objects.filter(pk=dossier.pk, entered_at__isnull=True).update(entered_at=timezone.now()):
        return False
    DossierEvent.submitted(dossier).save()
    events.dossier_entering.send(sender=Dossier, dossier=dossier)
    receipt_record(dossier=dossier)
    return True


def receipt_record(*, dossier: Dossier) -> DossierEvent:
    """Record that the receipt-and-appointment slip (form 01) was issued, ask for its signed PDF and
    tell the applicant. Called once per dossier, by entering it in the books (`_enter`), in that
    transaction; the partial unique constraint on the receipt event still guards a second call."""
    from notifications.services import notify

    applicant = _applicant_account(dossier)
    receipt_document_request(dossier=dossier, owner=applicant)
    notify(
        key=f"dossier_received:{dossier.code}",
        kind="dossier_received",
        citizen_id=dossier.applicant_citizen_id,
        user=applicant if applicant is not None and applicant.is_active else None,
        dossier=dossier,
    )
    return DossierEvent.objects.create(
        dossier=dossier,
        kind=DossierEvent.Kind.RECEIPT,
        status=dossier.status,
        at=timezone.now(),
        note=_("Hẹn trả kết quả ngày %(date)s") % {"date": dossier.due_date.strftime("%d/%m/%Y")},
    )


def _applicant_account(dossier: Dossier):
    """The applicant's own account, if they have one: most file for themselves, and then it is the
    filer, already at hand."""
    from accounts.models import User

    if dossier.submitted_by.citizen_id == dossier.applicant_citizen_id:
        return dossier.submitted_by
    return User.objects.filter(citizen_id=dossier.applicant_citizen_id).first()


def filer_name(user) -> str:
    """The name of whoever files: a citizen's is the registry's for her account's ID (her identity
    is the registry's, as the applicant's is), staff go by their account's name."""
    person = population_registry().lookup(user.citizen_id) if user.citizen_id else None
    return person.full_name if person else user.get_full_name() or user.username


def _filed_on_behalf(dossier: Dossier) -> dict:
    if dossier.filing_basis == FilingBasis.SELF:
        return {}
    basis = str(FilingBasis(dossier.filing_basis).label)
    if dossier.filing_basis == FilingBasis.POSTAL:
        # Nobody filed for her: she sent her signed application; the clerk only entered it.
        return {"filed_by_post": basis}
    return {"filer_name": filer_name(dossier.submitted_by), "filer_basis": basis}


def receipt_document_request(*, dossier: Dossier, owner):
    """The signed PDF of form 01, issued by the centre's reception unit and held by the applicant
    (`owner`: their account, or None)."""
    from agencies.selectors import reception_of
    from documents.models import Document
    from documents.services import document_request

    issuer = reception_of(dossier.centre)
    if issuer is None:  # a centre without a reception unit on record: the HTML slip still stands
        return None
    procedure = dossier.procedure
    return document_request(
        key=f"{Document.Kind.RECEIPT}:{dossier.code}",
        kind=Document.Kind.RECEIPT,
        issuer=issuer,
        number=dossier.code,
        subject_ref=dossier.code,
        owner=owner,
        holder_name=dossier.applicant_name,
        context={
            "dossier_code": dossier.code,
            "applicant_name": dossier.applicant_name,
            "lookup_pin": dossier.lookup_pin,
            # "Người nộp thay": who filed for the applicant, and on what ground (empty: herself).
            **_filed_on_behalf(dossier),
            "applicant_address": "",
            "procedure_name": procedure.name,
            "documents": [
                {
                    "name": item["name"],
                    "form": _("Bản chính") if item.get("original") else _("Bản sao"),
                    "count": item.get("copies", 1),
                }
                for item in procedure.documents
            ],
            "fee": dossier.fee,
            "time_limit": procedure.time_limit_note
            or (
                _("Trong ngày")
                if procedure.time_limit_days == 0
                else _("%(days)d ngày làm việc") % {"days": procedure.time_limit_days}
            ),
            "received_at": dossier.received_at.isoformat(),
            # The deadline's hour, not just its day: form 01 gives the appointment as "… giờ … phút".
            "due_at": (dossier.due_at or dossier.due_date).isoformat(),
            "return_channel": dossier.centre.name,
            "officer_name": dossier.submitted_by.get_full_name() if dossier.channel != Channel.ONLINE else "",
        },
    )


class HandBackError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@transaction.atomic
def dossier_hand_back(
    *,
    dossier: Dossier,
    by=None,
    method: str = HandBack.Method.PAPER,
    receiver_name: str = "",
    counter=None,
    at: datetime.datetime | None = None,
) -> HandBack:
    """Give the result to the citizen: done → returned, recording who, when, where and how.

    On paper the citizen signs the tracking book at the counter; electronically they download the
    signed result. The dossier row is locked, so two clerks (or a clerk and the citizen's download)
    hand it back once; the second gets a clear message.
    """
    from documents.models import Document

    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if locked.status == Dossier.Status.RETURNED:
        raise HandBackError(_("Kết quả của hồ sơ %(code)s đã được trả.") % {"code": locked.code})
    if locked.status != Dossier.Status.DONE:
        raise HandBackError(_("Hồ sơ %(code)s chưa có kết quả để trả.") % {"code": locked.code})
    at = at or timezone.now()
    events.dossier_handing_back.send(sender=Dossier, dossier=locked, by=by)
    locked.refresh_from_db(fields=["status"])
    digital = method == HandBack.Method.DOWNLOAD or (
        Document.objects.filter(
            subject_ref=locked.code, kind__in=_result_kinds(), status=Document.Status.ISSUED
        ).exists()
    )
    hand_back = HandBack.objects.create(
        dossier=locked,
        method=method,
        at=at,
        by=by,
        counter=counter,
        receiver_name=(receiver_name or locked.applicant_name)[:100],
        digital=digital,
    )
    if locked.status != Dossier.Status.RETURNED:
        locked.status = Dossier.Status.RETURNED
        locked.save(update_fields=["status"])
    who = by.get_full_name() or by.username if by is not None else locked.applicant_name
    DossierEvent.objects.create(
        dossier=locked,
        kind=DossierEvent.Kind.HAND_BACK,
        status=Dossier.Status.RETURNED,
        at=at,
        note=f"{HandBack.Method(method).label} · {who}"[:255],
    )
    events.dossier_handed_back.send(sender=HandBack, hand_back=hand_back)
    dossier.status = locked.status
    return hand_back


def _result_kinds() -> list[str]:
    """The document kinds that are results (not one-stop forms or tickets)."""
    from documents.models import Document

    forms = {
        Document.Kind.RECEIPT,
        Document.Kind.SUPPLEMENT_REQUEST,
        Document.Kind.REFUSAL,
        Document.Kind.APOLOGY,
        Document.Kind.STOP_NOTICE,
        Document.Kind.PROCESS_CONTROL,
        Document.Kind.QUEUE_TICKET,
    }
    return [kind for kind in Document.Kind.values if kind not in forms]
