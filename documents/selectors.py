from __future__ import annotations

import hashlib
import hmac

from django.db.models import Q

from agencies.models import Membership

from .models import Document


def documents_downloadable_by(user):
    """The holder, the issuing agency's staff, counter staff and supervisors of the issuer's place."""
    if not user.is_authenticated:
        return Document.objects.none()
    memberships = Membership.objects.filter(user=user)
    return Document.objects.filter(
        Q(owner=user)
        | Q(issuer__in=memberships.values("agency"))
        | Q(issuer__ward__centres__in=memberships.values("centre"))
        | Q(issuer__province__in=memberships.filter(role=Membership.Role.SUPERVISOR).values("province"))
    ).distinct()


def can_revoke(user, document: Document) -> bool:
    if not user.is_authenticated:
        return False
    supervisors = Membership.objects.filter(user=user, role=Membership.Role.SUPERVISOR)
    return supervisors.filter(
        Q(province=document.issuer.province_id)
        | Q(centre__ward=document.issuer.ward_id, centre__isnull=False)
    ).exists()


def receipt_pdf_for(user, *, dossier_code: str) -> Document | None:
    """The signed receipt of a dossier, once generated, if this person may download it."""
    return (
        documents_downloadable_by(user)
        .filter(key=f"{Document.Kind.RECEIPT}:{dossier_code}", status=Document.Status.ISSUED)
        .first()
    )


def file_matches(*, document: Document, upload) -> bool:
    """Is this file, byte for byte, the PDF that was issued? Its SHA-256 against the one stored
    when it was signed: a changed name, date or seal in someone's copy shows as a mismatch."""
    if not document.file_sha256:
        return False
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return hmac.compare_digest(digest.hexdigest(), document.file_sha256)
