"""The result document a dossier earns when it is approved: one place mapping procedure → kind → context.

The context is drawn from what the citizen declared (the frozen ``dossier.data``) and from what the
population registry already knows, so nothing is retyped by the officer who signs it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone, translation

from registry.models import PersonRecord

from .models import Document

Relation = PersonRecord.Relation


def _profile(citizen_id: str):
    from registry.selectors import citizen_profile

    return citizen_profile(citizen_id) if citizen_id else None


def _relation(code: str) -> str:
    """The relation's name as the paper prints it, in Vietnamese whatever language the officer's
    screen is in (the context is frozen when the document is asked for)."""
    try:
        label = Relation(code).label
    except ValueError:
        return code
    with translation.override("vi"):
        return str(label)


def _date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _address(value: Any) -> str:
    """An address field is stored either as text or as a dict carrying its text."""
    if isinstance(value, dict):
        return value.get("text") or ", ".join(str(v) for v in value.values() if v)
    return str(value or "")


def _birth_extract(dossier, data: dict) -> dict:
    applicant = _profile(dossier.applicant_citizen_id)
    person = applicant.person if applicant else None
    relation = data.get("relation", "")
    mother = father = ("", "")
    if person is not None:
        declarant = (person.full_name, person.birth_date.year)
        if relation == "me" or (relation not in ("cha",) and person.gender == "female"):
            mother = declarant
        elif relation == "cha" or person.gender == "male":
            father = declarant
    other = (data.get("other_parent_name", ""), "")
    if data.get("has_other_parent") and other[0]:
        other_profile = _profile(data.get("other_parent_id", ""))
        if other_profile is not None:
            other = (other_profile.person.full_name, other_profile.person.birth_date.year)
        if mother[0]:
            father = other
        else:
            mother = other
    residence = applicant.address.text if applicant else ""
    return {
        "child_name": data.get("child_name", ""),
        "birth_date": data.get("child_birth_date", ""),
        "birth_date_words": "",
        "gender": data.get("child_gender", ""),
        "ethnicity": person.ethnicity if person else "Kinh",
        "nationality": person.nationality if person else "Việt Nam",
        "birth_place": data.get("birth_place", ""),
        "home_town": residence,
        "citizen_id": "",
        "mother_name": mother[0],
        "mother_birth_year": mother[1],
        "father_name": father[0],
        "father_birth_year": father[1],
        "parents_residence": residence,
        "registered_on": timezone.localdate().isoformat(),
    }


def _residence_confirmation(dossier, data: dict) -> dict:
    profile = _profile(dossier.applicant_citizen_id)
    if profile is None:
        return {
            "full_name": dossier.applicant_name,
            "citizen_id": dossier.applicant_citizen_id,
            "permanent_address": _address(data.get("residence") or data.get("address")),
            "members": [],
        }
    person = profile.person
    household = profile.household or []
    members = [
        {"name": m.full_name, "birth_date": _date(m.birth_date), "relation": _relation(m.relation_to_head)}
        for m in household
    ]
    # The registry gives the relation as a code ("head", "spouse" …): the paper prints its name, and
    # the head is the member coded "head" (comparing with the printed name made every applicant
    # the head of her household on the signed confirmation).
    head = next((m.full_name for m in household if m.relation_to_head == Relation.HEAD), person.full_name)
    return {
        "full_name": person.full_name,
        "gender": person.gender,
        "birth_date": _date(person.birth_date),
        "citizen_id": person.citizen_id,
        "permanent_address": profile.address.text,
        "head_name": head,
        "relation": _relation(person.relation_to_head),
        "members": members,
    }


def _certified_copy(dossier, data: dict) -> dict:
    return {
        "original_title": data.get("document_name", ""),
        "pages": data.get("pages") or 1,
        "original_issuer": data.get("original_issuer", ""),
        "applicant_name": dossier.applicant_name,
        "book": f"{timezone.localdate().year}",
        "copies": data.get("copies") or 1,
        "fee": dossier.fee,
        "signer_title": "",
    }


def _business_household(dossier, data: dict) -> dict:
    profile = _profile(dossier.applicant_citizen_id)
    person = profile.person if profile else None
    today = timezone.localdate().isoformat()
    return {
        "household_code": dossier.code,
        "first_registered_on": today,
        "change_number": 0,
        "changed_on": "",
        "business_name": data.get("business_name", ""),
        "business_address": _address(data.get("business_address")),
        "trades": [data["trade"]] if data.get("trade") else [],
        "capital": data.get("capital") or 0,
        "owner_name": person.full_name if person else dossier.applicant_name,
        "owner_gender": person.gender if person else "",
        "owner_birth_date": _date(person.birth_date) if person else "",
        "owner_ethnicity": person.ethnicity if person else "",
        "owner_nationality": person.nationality if person else "",
        "owner_citizen_id": dossier.applicant_citizen_id,
        "owner_address": profile.address.text if profile else "",
    }


Builder = Callable[[Any, dict], dict]

# Procedure code → (result kind, context builder). Marital status is special-cased: it has its own
# builder in services that reads the registry.
RESULTS: dict[str, tuple[str, Builder | None]] = {
    "1.004873": (Document.Kind.MARITAL_STATUS, None),
    "1.001193": (Document.Kind.BIRTH_EXTRACT, _birth_extract),
    "1.004227": (Document.Kind.RESIDENCE_CONFIRMATION, _residence_confirmation),
    "2.000815": (Document.Kind.CERTIFIED_COPY, _certified_copy),
    "2.000720": (Document.Kind.BUSINESS_HOUSEHOLD, _business_household),
}


def result_kind(procedure_code: str) -> str | None:
    entry = RESULTS.get(procedure_code)
    return entry[0] if entry else None


def _issuer(dossier):
    """The agency whose leader approved the dossier; failing that, the centre's reception unit."""
    step = (
        dossier.steps.filter(definition__kind="approval")
        .select_related("agency")
        .order_by("-stage", "-pk")
        .first()
    )
    if step is not None:
        return step.agency
    from agencies.selectors import reception_of

    return reception_of(dossier.centre)


def result_document_request(*, dossier) -> Document | None:
    """Issue the dossier's result document once (keyed by dossier); None when the procedure has none."""
    from accounts.models import User

    from .services import document_request, marital_status_confirmation_request

    entry = RESULTS.get(dossier.procedure.code)
    if entry is None:
        return None
    key = f"result:{dossier.code}"
    existing = Document.objects.filter(key=key).first()
    if existing is not None:
        return existing
    issuer = _issuer(dossier)
    if issuer is None:
        return None
    kind, builder = entry
    data = dossier.data or {}
    owner = User.objects.filter(citizen_id=dossier.applicant_citizen_id).first()
    number = f"{dossier.code}/KQ"
    if builder is None:
        purpose = data.get("purpose_other") or dict(_PURPOSES).get(data.get("purpose", ""), "")
        try:
            return marital_status_confirmation_request(
                citizen_id=dossier.applicant_citizen_id,
                purpose=purpose,
                issuer=issuer,
                number=number,
                owner=owner,
                key=key,
                subject_ref=dossier.code,
            )
        except ValueError:
            return None  # no registry record: the officer issues this one by hand
    return document_request(
        key=key,
        kind=kind,
        issuer=issuer,
        context=builder(dossier, data),
        number=number,
        subject_ref=dossier.code,
        owner=owner,
        holder_name=dossier.applicant_name,
    )


_PURPOSES = [
    ("ket-hon", "Để đăng ký kết hôn"),
    ("vay-von", "Vay vốn ngân hàng"),
    ("giao-dich", "Mua bán, giao dịch tài sản"),
]
