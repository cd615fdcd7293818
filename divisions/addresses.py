"""The address normaliser: an address as written before the 2025 reform → today's address.

Records and people still write "Phường Yên Hoà, Quận Cầu Giấy, Hà Nội". The
district level is gone and the ward was merged, so forms that demand today's
ward refuse such an address and citizens are sent for papers. This module reads
a free-text address, recognises its former ward (tolerating missing diacritics,
old tone placement "Hoà"/"Hòa" and abbreviations "P.", "Q.", "TP."), and says
which ward it belongs to now and what changed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext as _

from .models import FormerWard, Province, Ward

_WARD_PREFIXES = ("phuong", "xa", "thi tran", "p", "tt")
_DISTRICT_PREFIXES = ("quan", "huyen", "thi xa", "thanh pho", "q", "h", "tx")
_PROVINCE_PREFIXES = ("thanh pho", "tinh", "tp")
_STREET_PREFIXES = ("pho", "duong", "ngo", "ngach", "hem")


def fold(text: str) -> str:
    """Lower-case Vietnamese text without diacritics, punctuation or extra spaces.

    NFD splits "ò" into "o" + a combining mark, so the old ("Hoà") and new
    ("Hòa") tone placements fold to the same key; "đ" has no decomposition.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    bare = re.sub(r"[^\w\s]", " ", bare)
    return " ".join(bare.split())


def _strip_prefix(key: str, prefixes: tuple[str, ...]) -> tuple[str, bool]:
    for prefix in prefixes:
        if key.startswith(prefix + " "):
            return key[len(prefix) + 1 :], True
    return key, False


def _name_key(name: str, prefixes: tuple[str, ...]) -> str:
    return _strip_prefix(fold(name), prefixes)[0]


class Outcome(StrEnum):
    CURRENT = "current"  # already a ward that exists today
    UPDATED = "updated"  # a former ward, now mapped to its new ward
    AMBIGUOUS = "ambiguous"  # the former ward's name exists in several districts; district missing
    UNKNOWN = "unknown"  # no ward recognised


@dataclass
class NormalisedAddress:
    original: str
    outcome: Outcome
    street: str = ""
    ward: Ward | None = None
    province: Province | None = None
    former: FormerWard | None = None
    candidates: list[Ward] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.outcome == Outcome.UPDATED

    @property
    def text(self) -> str:
        """Today's address in the national order: street, ward, province (no district)."""
        if not self.ward:
            return self.original
        parts = [self.street, self.ward.name, self.ward.province.name]
        return ", ".join(part for part in parts if part)

    @property
    def explanation(self) -> str:
        if self.outcome == Outcome.UPDATED:
            return _(
                "%(former)s (%(district)s cũ) nay thuộc %(ward)s từ ngày 01/07/2025; "
                "cấp quận, huyện không còn."
            ) % {"former": self.former.name, "district": self.former.district, "ward": self.ward.name}
        if self.outcome == Outcome.AMBIGUOUS:
            return _("Có nhiều phường, xã cũ cùng tên; hãy ghi rõ quận, huyện cũ hoặc chọn phường, xã mới.")
        if self.outcome == Outcome.UNKNOWN:
            return _("Không nhận ra phường, xã trong địa chỉ này; hãy chọn phường, xã mới.")
        return ""


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\n]", text) if part.strip()]


def _find_province(parts: list[str]) -> tuple[Province | None, int | None]:
    provinces = {_name_key(p.name, _PROVINCE_PREFIXES): p for p in Province.objects.all()}
    for index in range(len(parts) - 1, -1, -1):
        key = _name_key(parts[index], _PROVINCE_PREFIXES)
        if key in provinces:
            return provinces[key], index
    return None, None


def _choose_succession(former: FormerWard, street: str) -> Ward | None:
    """The part of a split former ward whose streets the address names, else the default part."""
    street_key = f" {fold(street)} "
    default = None
    for succession in former.successions.select_related("ward__province"):
        if succession.is_default:
            default = succession.ward
        for name in succession.streets:
            if f" {_name_key(name, _STREET_PREFIXES)} " in street_key:
                return succession.ward
    return default


def normalise_address(text: str) -> NormalisedAddress:
    parts = _split(text)
    province, province_index = _find_province(parts)
    if province_index is not None:
        parts = parts[:province_index]

    district_key = None
    ward_index = None
    for index, part in enumerate(parts):
        key, is_district = _strip_prefix(fold(part), _DISTRICT_PREFIXES)
        if is_district and index > 0:
            district_key = key
            parts = parts[:index]
            break
    if parts:
        ward_index = len(parts) - 1
    if ward_index is None:
        return NormalisedAddress(original=text, outcome=Outcome.UNKNOWN, province=province)

    ward_key = _name_key(parts[ward_index], _WARD_PREFIXES)
    street = ", ".join(parts[:ward_index])
    result = NormalisedAddress(original=text, outcome=Outcome.UNKNOWN, street=street, province=province)

    wards = Ward.objects.select_related("province")
    formers = FormerWard.objects.all()
    if province:
        wards = wards.filter(province=province)
        formers = formers.filter(province=province)

    if district_key is None:
        # No district: a post-reform address if the ward exists today.
        current = [w for w in wards if _name_key(w.name, _WARD_PREFIXES) == ward_key]
        if len(current) == 1:
            result.outcome, result.ward, result.province = Outcome.CURRENT, current[0], current[0].province
            return result

    matches = [
        f
        for f in formers
        if _name_key(f.name, _WARD_PREFIXES) == ward_key
        and (district_key is None or _name_key(f.district, _DISTRICT_PREFIXES) == district_key)
    ]
    targets = {}
    for former in matches:
        ward = _choose_succession(former, street)
        if ward:
            targets[ward.pk] = (former, ward)
    if len(targets) == 1:
        former, ward = next(iter(targets.values()))
        result.outcome, result.former, result.ward, result.province = (
            Outcome.UPDATED,
            former,
            ward,
            ward.province,
        )
    elif len(targets) > 1:
        result.outcome = Outcome.AMBIGUOUS
        result.candidates = [ward for _former, ward in targets.values()]
    else:
        # Today's ward written with the old district out of habit: still today's ward.
        current = [w for w in wards if _name_key(w.name, _WARD_PREFIXES) == ward_key]
        if len(current) == 1:
            result.outcome, result.ward, result.province = Outcome.CURRENT, current[0], current[0].province
    return result
