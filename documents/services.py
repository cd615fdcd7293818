from __future__ import annotations

import datetime
import hashlib
import json
import logging
import secrets
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from agencies.models import Agency
from outbox.selectors import retries_waiting
from outbox.services import retry_forget, retry_record, wake
from qrcodes.images import qr_png

from .models import Access, Document
from .pki import agency_credentials
from .rendering import page_image_url, render_pdf
from .seals import SealContents, make_seal
from .signing.pdf import SignatureField

logger = logging.getLogger(__name__)

# One template per kind of document: the single place that says how each looks.
TEMPLATES = {
    kind: f"documents/{kind}.html"
    for kind in Document.Kind
    if kind != Document.Kind.QUEUE_TICKET  # printed from the kiosk page, not as a signed PDF
}

# Verification codes avoid look-alike characters (0/O, 1/I/L) for people typing them in.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _new_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))


def _content_digest(*, code, kind, number, issuer_code, issued_at, context) -> str:
    canonical = json.dumps(
        {
            "code": code,
            "kind": kind,
            "number": number,
            "issuer": issuer_code,
            "issued": issued_at.isoformat(),
            "context": context,
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def holder_hint(full_name: str) -> str:
    """'Nguyễn Thị Lan' → 'N. T. Lan': enough to recognise, not enough to identify."""
    parts = full_name.split()
    return " ".join([f"{p[0]}." for p in parts[:-1]] + parts[-1:]) if parts else ""


def document_request(
    *,
    key: str,
    kind: str,
    issuer: Agency,
    context: dict[str, Any],
    number: str = "",
    subject_ref: str = "",
    owner=None,
    holder_name: str = "",
) -> Document:
    """Record a document to issue; the documents' workers render it after commit (documents/outbox.py).
    Asking again returns the same document."""
    existing = Document.objects.filter(key=key).first()
    if existing:
        return existing
    issued_at = timezone.now()
    code = _new_code()
    try:
        with transaction.atomic():
            document = Document.objects.create(
                code=code,
                key=key,
                kind=kind,
                number=number,
                issuer=issuer,
                subject_ref=subject_ref,
                owner=owner,
                holder_hint=holder_hint(holder_name),
                context=context,
                issued_at=issued_at,
                content_sha256=_content_digest(
                    code=code,
                    kind=kind,
                    number=number,
                    issuer_code=issuer.code,
                    issued_at=issued_at,
                    context=context,
                ),
            )
    except IntegrityError:
        # A parallel request for the same key won the race: theirs is the document.
        return Document.objects.get(key=key)

    wake()  # the relay rings the documents' workers when the caller commits
    return document


# A document still without its PDF a day after its request is for a person to look at (its error
# is on its outbox.Retry row and in the worker's log), not to be rendered for ever.
GIVE_UP_AFTER = datetime.timedelta(days=1)
RETRY_SOURCE = "documents"


def retry_delay(attempts: int) -> datetime.timedelta:
    """2, 4, 8 … seconds after the n-th failure, at most 10 minutes (Celery's retry_backoff, which
    the generation task used before the outbox)."""
    return datetime.timedelta(seconds=min(2**attempts, 600))


def documents_due(*, now: datetime.datetime | None = None):
    """Documents waiting for their PDF, oldest first: pending, requested within GIVE_UP_AFTER, and
    not waiting for a retry (the `document_pending` partial index)."""
    now = now or timezone.now()
    return (
        Document.objects.filter(status=Document.Status.PENDING, created_at__gt=now - GIVE_UP_AFTER)
        .exclude(pk__in=retries_waiting(source=RETRY_SOURCE, now=now))
        .order_by("created_at")
    )


def documents_generate(*, limit: int = 10) -> int:
    """Render up to `limit` due documents, each claimed with SKIP LOCKED and rendered in its own
    transaction: workers side by side render different documents, and a worker killed mid-render
    rolls back only its one, which the next drain takes. A failure is logged and the document
    tried again after `retry_delay`. Returns how many were tried."""
    tried = 0
    for _attempt in range(limit):
        document_id = None
        try:
            with transaction.atomic():
                document_id = (
                    documents_due()
                    .select_for_update(skip_locked=True, of=("self",))
                    .values_list("pk", flat=True)
                    .first()
                )
                if document_id is None:
                    break
                document_generate(document_id=document_id)
        except Exception as error:
            if document_id is None:
                raise
            # A missing signing key (ImproperlyConfigured) too: for the operator to fix, tried again.
            logger.exception("document %s not generated; tried again later", document_id)
            retry_record(source=RETRY_SOURCE, item_id=document_id, error=error, delay=retry_delay)
        tried += 1
    return tried


def verify_url(document: Document, *, seal: str | None = None) -> str:
    url = settings.SITE_URL.rstrip("/") + reverse("documents:verify", args=[document.code])
    return f"{url}#{seal}" if seal else url


def _signer():
    return import_string(settings.DOCUMENTS_SIGNER_BACKEND)()


def document_generate(*, document_id: int) -> Document:
    """Render, sign and store the PDF. Safe to run twice: an issued document is left as it is."""
    with transaction.atomic():
        # The ward too: the A4 header names it, and it would be one more round trip while rendering.
        document = (
            Document.objects.select_for_update(of=("self",))
            .select_related("issuer__province", "issuer__ward")
            .get(pk=document_id)
        )
        if document.status == Document.Status.ISSUED:
            return document
        credentials = agency_credentials(document.issuer)
        seal = make_seal(
            SealContents(
                code=document.code,
                kind=document.kind,
                issued=timezone.localtime(document.issued_at).strftime("%Y%m%d"),
                content_sha256=document.content_sha256,
                issuer_code=document.issuer.code,
            ),
            credentials.key,
        )
        url = verify_url(document, seal=seal)
        # One moment for the box the page shows and the signature's own time (/M).
        signed_at = timezone.localtime()
        html = render_to_string(
            TEMPLATES[document.kind],
            {
                "document": document,
                "data": document.context,
                "qr_image": page_image_url("qr"),
                "verify_page": verify_url(document),
                "signed_at": signed_at,
            },
        )
        field = SignatureField(
            signer_name=document.issuer.name, location=document.issuer.province.name, signed_at=signed_at
        )
        pdf = render_pdf(html, stylesheet="a4", images={"qr": qr_png(url)}, finisher=field)
        signed = field.sign(pdf, _signer(), agency=document.issuer)
        document.file.save(f"{document.code}.pdf", ContentFile(signed), save=False)
        document.file_sha256 = hashlib.sha256(signed).hexdigest()
        document.status = Document.Status.ISSUED
        document.save(update_fields=["file", "file_sha256", "status"])
        retry_forget(source=RETRY_SOURCE, item_id=document.pk)
    return document


def queue_ticket_pdf(
    *,
    centre_name: str,
    number: str,
    service_name: str,
    issued_at,
    people_ahead: int,
    ticket_url: str,
    priority_label: str = "",
) -> bytes:
    """The 80 mm ticket as a PDF, for kiosks that print through a PDF driver. Not signed:
    a queue number proves nothing beyond the queue, and the QR leads to its live page."""
    html = render_to_string(
        "documents/queue_ticket.html",
        {
            "centre_name": centre_name,
            "number": number,
            "service_name": service_name,
            "issued_at": issued_at,
            "people_ahead": people_ahead,
            "priority_label": priority_label,
            "qr_image": page_image_url("qr"),
        },
    )
    return render_pdf(html, stylesheet="queue_ticket", images={"qr": qr_png(ticket_url)})


def document_revoke(*, document: Document, by, reason: str) -> Document:
    reason = reason.strip()
    if not reason:
        raise ValueError("a revocation needs a reason")
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.revoked_at is None:
            document.revoked_at = timezone.now()
            document.revoked_by = by
            document.revoked_reason = reason
            document.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
    return document


def access_record(*, document: Document, action: str, user=None, remote_addr: str = "") -> Access:
    return Access.objects.create(
        document=document,
        action=action,
        user=user if user is not None and user.is_authenticated else None,
        network=_network_prefix(remote_addr),
    )


def _network_prefix(address: str) -> str:
    if ":" in address:
        return ":".join(address.split(":")[:3]) + "::/48"
    parts = address.split(".")
    return ".".join(parts[:3]) + ".0/24" if len(parts) == 4 else ""


def marital_status_confirmation_request(
    *,
    citizen_id: str,
    purpose: str,
    issuer: Agency,
    number: str,
    owner=None,
    key: str = "",
    subject_ref: str = "",
):
    """The result of procedure 3, drawn from the population registry (nothing retyped)."""
    from registry.selectors import citizen_profile

    profile = citizen_profile(citizen_id)
    if profile is None:
        raise ValueError(f"no registry record for {citizen_id}")
    person = profile.person
    context = {
        "full_name": person.full_name,
        "birth_date": person.birth_date.strftime("%d/%m/%Y"),
        "gender": person.gender,
        "ethnicity": person.ethnicity,
        "nationality": person.nationality,
        "citizen_id": person.citizen_id,
        "residence": profile.address.text,
        "marital_status": person.marital_status,
        "purpose": purpose,
    }
    return document_request(
        key=key or f"{Document.Kind.MARITAL_STATUS}:{issuer.code}:{number}",
        kind=Document.Kind.MARITAL_STATUS,
        issuer=issuer,
        context=context,
        number=number,
        # The dossier it answers, when there is one: the dossier's pages and API list its documents by it.
        subject_ref=subject_ref or number,
        owner=owner,
        holder_name=person.full_name,
    )
