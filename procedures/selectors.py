"""Reads of the catalogue, drafts and dossiers, with who-may-see-what filtering."""

from __future__ import annotations

import datetime
import hmac
import threading
import time
from dataclasses import dataclass

from cachetools import TLRUCache, cached
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from accounts.selectors import Role, memberships_of
from agencies.models import Centre
from agencies.selectors import scope_of
from divisions.addresses import fold
from registry.base import Person, population_registry

from .models import Attachment, Dossier, DossierEvent, Draft, FormDefinition, Procedure


def procedures_search(query: str = "") -> QuerySet[Procedure]:
    """Procedures whose name or code contains every word, with or without diacritics."""
    procedures = Procedure.objects.all()
    for word in fold(query).split():
        procedures = procedures.filter(search_text__contains=word)
    return procedures


def events_of(dossier: Dossier) -> list[DossierEvent]:
    """The citizen's timeline. A dossier filed a moment ago and not yet entered in the books
    already shows that it was filed."""
    events = list(dossier.events.all())
    if dossier.entered_at is None and not events:
        events.append(DossierEvent.submitted(dossier))
    return events


def drafts_of(user) -> QuerySet[Draft]:
    return Draft.objects.filter(owner=user).select_related("form__procedure")


# --- what filing reads on every step -----------------------------------------------------------
# A form version never changes (a changed form is a new version) and a procedure's fee and time
# limit change only when the catalogue file is loaded, at a release; centres are set up once. So
# every step of every wizard need not read and decode them again: each process keeps them for
# PROCEDURES_CATALOGUE_CACHE_SECONDS, and a change shows within that time.


def _kept_until(_key, value, now: float) -> float:
    # The setting is read at each store, so 0 keeps nothing from then on; "not found" (None) is
    # never kept: a form loaded a moment later is found on the next step.
    return now + settings.PROCEDURES_CATALOGUE_CACHE_SECONDS if value is not None else now


_kept = TLRUCache(maxsize=4096, ttu=_kept_until, timer=time.monotonic)
_kept_lock = threading.Lock()


def forget_kept() -> None:
    """Drop what this process keeps (tests, and after loading the catalogue)."""
    with _kept_lock:
        _kept.clear()


@cached(_kept, key=lambda form_id: ("form", int(form_id)), lock=_kept_lock)
def form_version(form_id: int) -> FormDefinition:
    """One version of a form with its procedure, as a draft or a dossier names it."""
    return FormDefinition.objects.select_related("procedure").get(pk=form_id)


@cached(_kept, key=lambda slug: ("current", slug), lock=_kept_lock)
def current_form(slug: str) -> FormDefinition | None:
    """The form a new draft of the procedure is started on: its latest version."""
    return (
        FormDefinition.objects.select_related("procedure")
        .filter(procedure__slug=slug)
        .order_by("-version")
        .first()
    )


@cached(_kept, key=lambda centre_id: ("centre", int(centre_id)), lock=_kept_lock)
def filing_centre(centre_id: int) -> Centre:
    """The centre a dossier is filed at: its code starts the dossier's code."""
    return Centre.objects.get(pk=centre_id)


def draft_of(user, draft_id) -> Draft | None:
    """One of the person's drafts, with its form version from this process's keep."""
    draft = Draft.objects.filter(owner=user, pk=draft_id).first()
    if draft is not None:
        draft.form = form_version(draft.form_id)
    return draft


def dossier_filed_from(user, draft_id) -> Dossier | None:
    """The dossier this person filed from the draft, once it is filed (the draft is gone then)."""
    return Dossier.objects.filter(submitted_by=user, draft_ref=draft_id).first()


def counter_centres_of(user) -> list[Centre]:
    return [m.centre for m in memberships_of(user, Role.COUNTER_STAFF)]


def dossiers_visible_to(user) -> QuerySet[Dossier]:
    """Every dossier a person may open, whatever their roles (the one rule each page and API uses).

    A citizen: dossiers filed for them or by them. Counter staff: their centres' dossiers.
    A supervisor: the centres they oversee (a centre, or every centre of a province).
    An agency officer: the dossiers with a step at their agency (routing between agencies).
    """
    if not user.is_authenticated:
        return Dossier.objects.none()
    condition = Q(submitted_by=user)
    if user.citizen_id:
        condition |= Q(applicant_citizen_id=user.citizen_id)
    scope = scope_of(user)
    if scope.centres:
        condition |= Q(centre__in=scope.centres)
    if scope.agencies:
        condition |= Q(pk__in=_dossiers_at_agencies(scope.agencies))
    return Dossier.objects.filter(condition).select_related("procedure", "centre")


def attachment_for(user, *, code: str, attachment_id: int) -> Attachment | None:
    """A file of a dossier, for whoever may see that dossier (`dossiers_visible_to`): the citizen,
    the centre's counter staff, its supervisors, and the officers of every agency it passes
    through. The one rule the page link and the API share."""
    return (
        Attachment.objects.filter(dossier__in=dossiers_visible_to(user).filter(code=code), pk=attachment_id)
        .select_related("dossier")
        .first()
    )


def _dossiers_at_agencies(agencies):
    from routing.models import DossierStep

    return DossierStep.objects.filter(agency__in=agencies).values("dossier")


def dossiers_supervised_by(user) -> QuerySet[Dossier]:
    """Dossiers of the centres a supervisor oversees: what the dashboard counts and drills into."""
    return Dossier.objects.filter(centre__in=scope_of(user).supervised_centres).select_related(
        "procedure", "centre"
    )


def dossiers_at_counter_of(user) -> QuerySet[Dossier]:
    """Dossiers of the centres where this person works at the counter (the counter workspace)."""
    return Dossier.objects.filter(centre__in=scope_of(user).counter_centres).select_related(
        "procedure", "centre"
    )


def dossier_search(dossiers: QuerySet[Dossier], query: str) -> QuerySet[Dossier]:
    """Within an already-scoped set: an exact citizen ID (12 digits) or a dossier code (or its tail)."""
    query = query.strip()
    digits = "".join(query.split())
    if not query:
        return dossiers.none()
    if digits.isdigit() and len(digits) == 12:
        return dossiers.filter(applicant_citizen_id=digits)
    if len(query) >= 4:
        return dossiers.filter(Q(code=query) | Q(code__endswith=query))
    return dossiers.none()


def dossiers_ready_to_return(user) -> QuerySet[Dossier]:
    """Results waiting at the counter for the citizen: done, not yet handed back, oldest first."""
    return dossiers_at_counter_of(user).filter(status=Dossier.Status.DONE).order_by("settled_at", "pk")


def dossiers_of_citizen(user) -> QuerySet[Dossier]:
    if not user.citizen_id:
        return Dossier.objects.none()
    return (
        Dossier.objects.filter(Q(applicant_citizen_id=user.citizen_id) | Q(submitted_by=user))
        .select_related("procedure", "centre")
        .prefetch_related("events")
    )


def dossier_public_lookup(*, code: str, pin: str) -> Dossier | None:
    """The dossier with this code if the look-up PIN printed on its receipt matches: both are needed,
    and the PIN is random, so codes cannot be probed with guessable citizen IDs."""
    code, pin = code.strip(), "".join(pin.split())
    if not code or not pin:
        return None
    dossier = Dossier.objects.filter(code=code).select_related("procedure").first()
    if dossier is None or not dossier.lookup_pin or not hmac.compare_digest(dossier.lookup_pin, pin):
        return None
    return dossier


@dataclass(frozen=True)
class WalletEntry:
    """One paper in a person's document wallet: a file they filed before, or a result issued to them.

    `value` is what a form sends back: the attachment's id, or "kq-" and the result's code.
    """

    value: str
    label: str
    file_name: str
    name: str
    content_type: str
    size: int

    def as_attachment(self) -> Attachment:
        """An unsaved attachment pointing at the same stored file: filed again, never copied."""
        return Attachment(file=self.file_name, name=self.name, content_type=self.content_type, size=self.size)


RESULT_PREFIX = "kq-"


def wallet_of(citizen_id: str, *, limit: int = 20) -> list[WalletEntry]:
    """The person's document wallet, newest first: the signed results issued to them (valid ones
    only), then the files they filed with earlier dossiers."""
    from documents.models import Document

    dossier_codes = Dossier.objects.filter(applicant_citizen_id=citizen_id).values("code")
    results = Document.objects.filter(
        key__startswith="result:",
        subject_ref__in=dossier_codes,
        status=Document.Status.ISSUED,
        revoked_at__isnull=True,
    ).order_by("-issued_at")[:limit]
    uploads = (
        Attachment.objects.filter(dossier__applicant_citizen_id=citizen_id)
        .select_related("dossier__procedure")
        .order_by("-dossier__received_at", "pk")[:limit]
    )
    entries = [
        WalletEntry(
            value=f"{RESULT_PREFIX}{d.code}",
            label=_("%(kind)s số %(number)s — kết quả đã cấp, %(day)s")
            % {"kind": d.get_kind_display(), "number": d.number, "day": f"{localtime(d.issued_at):%d/%m/%Y}"},
            file_name=d.file.name,
            name=f"{d.get_kind_display()} {d.number}.pdf".replace("/", "-"),
            content_type="application/pdf",
            size=d.file.size,
        )
        for d in results
    ]
    entries += [
        WalletEntry(
            value=str(a.pk),
            label=f"{a.name} — {a.dossier.procedure.name}, {localtime(a.dossier.received_at):%d/%m/%Y}",
            file_name=a.file.name,
            name=a.name,
            content_type=a.content_type,
            size=a.size,
        )
        for a in uploads
    ]
    return entries


GUARDIAN_RELATIONS = ("head", "spouse")
ADULT_AGE = 18


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def children_in_care_of(user) -> list[Person]:
    """The people a citizen may file for as their parent (FilingBasis.GUARDIAN): the household's
    children under 18 when she is the head of the household or the head's spouse. The registry
    records each member's relation to the head only, so that is how a parent is recognised; anyone
    else files for another person with an authorisation letter."""
    if not user.is_authenticated or not user.citizen_id:
        return []
    household = population_registry().household_of(user.citizen_id)
    me = next((p for p in household if p.citizen_id == user.citizen_id), None)
    if me is None or me.relation_to_head not in GUARDIAN_RELATIONS:
        return []
    today = timezone.localdate()
    return [
        p
        for p in household
        if p.relation_to_head == "child"
        and p.citizen_id != me.citizen_id
        and age_on(p.birth_date, today) < ADULT_AGE
    ]
