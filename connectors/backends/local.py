"""Local backends: answered from MotCua's own tables, behind the same interface as national systems."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from divisions.addresses import fold
from documents.money import digits
from registry.citizen_id import validate_citizen_id

from ..base import CheckResult, Connector, InvalidRequest
from ..models import Payment, RegisteredBusiness

# Procedures whose dossiers claim a business-household name while they are being processed.
BUSINESS_NAME_FIELD = "business_name"


class CitizenVerify(Connector):
    """Is this person in the population registry, and do the name and birth date given match?"""

    check = "citizen_verify"
    source = gettext_lazy("Cơ sở dữ liệu quốc gia về dân cư")

    def run(self, params: dict[str, Any], *, timeout: float) -> CheckResult:
        from registry.base import population_registry

        citizen_id = str(params.get("citizen_id", "")).replace(" ", "")
        try:
            validate_citizen_id(citizen_id)
        except ValidationError as error:
            raise InvalidRequest(" ".join(error.messages)) from error
        person = population_registry().lookup(citizen_id)
        if person is None:
            return CheckResult(
                passed=False, detail=_("Không tìm thấy số định danh trong cơ sở dữ liệu dân cư.")
            )
        mismatches = []
        if params.get("full_name") and fold(params["full_name"]) != fold(person.full_name):
            mismatches.append("full_name")
        if params.get("birth_date") and str(params["birth_date"]) != person.birth_date.isoformat():
            mismatches.append("birth_date")
        data = {"full_name": person.full_name, "mismatches": mismatches}
        if mismatches:
            return CheckResult(
                passed=False, detail=_("Thông tin khai không khớp với cơ sở dữ liệu dân cư."), data=data
            )
        return CheckResult(
            passed=True, detail=_("Thông tin công dân khớp với cơ sở dữ liệu dân cư."), data=data
        )


class BusinessNameUnique(Connector):
    """Is a business-household name free?

    Against two sources: the register of households already registered (RegisteredBusiness,
    active ones), and the names claimed by business-household dossiers still being processed
    (not refused), so two applicants cannot be granted the same name in the same week. Names are
    compared folded (case, diacritics and punctuation ignored). The scope is the whole local
    register — the strict reading now that the district level, which bounded the rule under
    Decree 01/2021 art. 88, no longer exists.
    """

    check = "business_name_unique"
    source = gettext_lazy("Hệ thống đăng ký hộ kinh doanh")

    def run(self, params: dict[str, Any], *, timeout: float) -> CheckResult:
        from procedures.models import Dossier, Procedure

        name = str(params.get("name", "")).strip()
        key = fold(name)
        if not key:
            raise InvalidRequest(_("Chưa có tên hộ kinh doanh để kiểm tra."))
        taken = RegisteredBusiness.objects.filter(name_key=key, active=True).first()
        if taken is not None:
            return CheckResult(
                passed=False,
                detail=_("Tên đã được hộ kinh doanh %(number)s sử dụng.")
                % {"number": taken.registration_number},
                data={"registered": taken.registration_number},
            )
        claims = (
            Dossier.objects.filter(procedure__field=Procedure.Field.BUSINESS_HOUSEHOLD)
            .exclude(status=Dossier.Status.REFUSED)
            .exclude(code=params.get("dossier_code", ""))
            .filter(**{f"data__{BUSINESS_NAME_FIELD}__isnull": False})
            .values_list("code", f"data__{BUSINESS_NAME_FIELD}")
        )
        for code, claimed in claims.iterator():
            if fold(str(claimed)) == key:
                return CheckResult(
                    passed=False,
                    detail=_("Tên đang được đề nghị trong hồ sơ %(code)s.") % {"code": code},
                    data={"dossier": code},
                )
        return CheckResult(passed=True, detail=_("Tên hộ kinh doanh chưa được sử dụng."))


class FeePaid(Connector):
    """Has the fee (or tax) for this reference been paid in full? Reads the local payment records."""

    check = "fee_paid"
    source = gettext_lazy("Hệ thống thu phí, lệ phí")

    def run(self, params: dict[str, Any], *, timeout: float) -> CheckResult:
        reference = str(params.get("reference", "")).strip()
        try:
            due = int(params.get("amount", 0))
        except (TypeError, ValueError) as error:
            raise InvalidRequest(_("Số tiền phải nộp không hợp lệ.")) from error
        if not reference:
            raise InvalidRequest(_("Chưa có mã hồ sơ hoặc số thông báo để kiểm tra."))
        paid = Payment.objects.filter(reference=reference).aggregate(total=Sum("amount"))["total"] or 0
        data = {"paid": paid, "due": due}
        if paid >= due:
            return CheckResult(passed=True, detail=_("Đã nộp đủ."), data=data)
        return CheckResult(
            passed=False,
            # The unit is in the sentence, for its translation ("VND"); the digits follow the one rule.
            detail=_("Còn thiếu %(amount)s đồng.") % {"amount": digits(due - paid)},
            data=data,
        )
