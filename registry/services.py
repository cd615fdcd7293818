"""Changes to what the registry app records: who read a person's data, and her requests to correct it."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import CorrectionRequest, PersonRecord, RegistryRead
from .selectors import citizen_profile


def registry_read_record(*, reader, citizen_id: str, unit: str, role: str, purpose: str) -> RegistryRead:
    """Record that a member of staff read this person's registry record (the caller has just read it)."""
    return RegistryRead.objects.create(
        reader=reader, citizen_id=citizen_id, unit=unit[:255], role=role[:100], purpose=purpose[:255]
    )


class CorrectionRefused(Exception):
    """The request cannot be sent (no registry record, or the same fact is already waiting)."""


def _recorded(person, fact: str) -> str:
    if fact == CorrectionRequest.Fact.FULL_NAME:
        return person.full_name
    if fact == CorrectionRequest.Fact.BIRTH_DATE:
        return person.birth_date.strftime("%d/%m/%Y")
    if fact == CorrectionRequest.Fact.GENDER:
        return str(PersonRecord.Gender(person.gender).label)
    if fact == CorrectionRequest.Fact.ADDRESS:
        return person.permanent_address
    return ""


def correction_request_send(*, user, fact: str, correct: str, evidence: str = "") -> CorrectionRequest:
    """Send the registry's owner (the police of her residence's ward) her request to correct one fact
    about her. What the registry holds now is kept with it; the registry itself is not changed."""
    profile = citizen_profile(user.citizen_id) if user.citizen_id else None
    if profile is None:
        raise CorrectionRefused(_("Không tìm thấy thông tin của bạn trong Cơ sở dữ liệu dân cư."))
    try:
        with transaction.atomic():
            return CorrectionRequest.objects.create(
                citizen_id=user.citizen_id,
                requested_by=user,
                fact=fact,
                recorded=_recorded(profile.person, fact)[:255],
                correct=correct[:255],
                evidence=evidence[:255],
                ward=profile.address.ward,
            )
    except IntegrityError as duplicate:  # correction_request_one_open_per_fact
        raise CorrectionRefused(
            _("Bạn đã gửi đề nghị đính chính thông tin này; hãy chờ cơ quan công an trả lời.")
        ) from duplicate


@transaction.atomic
def correction_request_answer(*, request: CorrectionRequest, by, status: str) -> CorrectionRequest:
    """The police officer's answer: corrected (in the population database itself) or refused."""
    locked = CorrectionRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != CorrectionRequest.Status.SENT:
        raise CorrectionRefused(_("Đề nghị này đã được trả lời."))
    locked.status, locked.answered_by, locked.answered_at = status, by, timezone.now()
    locked.save(update_fields=["status", "answered_by", "answered_at"])
    return locked
