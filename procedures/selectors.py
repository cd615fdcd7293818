"""Reads of the catalogue, drafts and dossiers, with who-may-see-what filtering."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.selectors import Role, memberships_of
from agencies.models import Centre
from divisions.addresses import fold

from .models import Attachment, Dossier, Draft, Procedure


def procedures_search(query: str = "") -> QuerySet[Procedure]:
    """Procedures whose name or code contains every word, with or without diacritics."""
    procedures = Procedure.objects.all()
    for word in fold(query).split():
        procedures = procedures.filter(search_text__contains=word)
    return procedures


def drafts_of(user) -> QuerySet[Draft]:
    return Draft.objects.filter(owner=user).select_related("form__procedure")


def counter_centres_of(user) -> list[Centre]:
    return [m.centre for m in memberships_of(user, Role.COUNTER_STAFF)]


def dossiers_visible_to(user) -> QuerySet[Dossier]:
    """A citizen sees dossiers filed for them or by them; counter staff those of their centres."""
    if not user.is_authenticated:
        return Dossier.objects.none()
    condition = Q(submitted_by=user)
    if user.citizen_id:
        condition |= Q(applicant_citizen_id=user.citizen_id)
    centres = [c.pk for c in counter_centres_of(user)]
    if centres:
        condition |= Q(centre__in=centres)
    return Dossier.objects.filter(condition).select_related("procedure", "centre")


def dossiers_of_citizen(user) -> QuerySet[Dossier]:
    if not user.citizen_id:
        return Dossier.objects.none()
    return (
        Dossier.objects.filter(Q(applicant_citizen_id=user.citizen_id) | Q(submitted_by=user))
        .select_related("procedure", "centre")
        .prefetch_related("events")
    )


def dossier_public_lookup(*, code: str, citizen_id: str) -> Dossier | None:
    """The dossier with this code if the ID number matches: both are needed, so codes cannot be probed."""
    code, citizen_id = code.strip(), "".join(citizen_id.split())
    if not code or not citizen_id:
        return None
    return (
        Dossier.objects.filter(code=code, applicant_citizen_id=citizen_id).select_related("procedure").first()
    )


def wallet_of(citizen_id: str) -> QuerySet[Attachment]:
    """Documents the person filed before (their personal document wallet), newest first."""
    return (
        Attachment.objects.filter(dossier__applicant_citizen_id=citizen_id)
        .select_related("dossier__procedure")
        .order_by("-dossier__received_at", "pk")
    )


def applicants_for(user) -> set[str]:
    """The citizen IDs a citizen may file for: themself and the people of their own household (the law
    lets nobody else file online on another's behalf)."""
    if not user.is_authenticated or not user.citizen_id:
        return set()
    from registry.base import population_registry

    household = population_registry().household_of(user.citizen_id)
    return {p.citizen_id for p in household} | {user.citizen_id}
