from __future__ import annotations

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
