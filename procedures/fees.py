"""Fee rules (lệ phí) as data: each procedure's rule is a small dict from procedures/data.

Kinds: "free"; "flat" (amount, optional online_amount); "per_copy" (amount per copy,
count from a form field); "per_page" (tiers by page number, cap per copy, pages and
copies from form fields); "province" (set by the province: an indicative amount).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from documents.money import money


def _int(data: dict, name: str | None, default: int = 1) -> int:
    if not name:
        return default
    try:
        return max(int(data.get(name) or default), 0)
    except (TypeError, ValueError):
        return default


def fee_amount(rule: dict, *, data: dict | None = None, online: bool = False) -> int:
    """The fee in đồng for a dossier with this form data."""
    data = data or {}
    kind = rule.get("kind", "free")
    if kind == "free":
        return 0
    if kind in ("flat", "province"):
        reduced = rule.get("reduced")
        if reduced and data.get(reduced["field"]) in (True, "True", "true", "1"):
            return reduced["amount"]
        if online and "online_amount" in rule:
            return rule["online_amount"]
        return rule.get("amount", 0)
    if kind == "per_copy":
        return rule["amount"] * _int(data, rule.get("copies_field"))
    if kind == "per_page":
        pages = _int(data, rule.get("pages_field"))
        copies = _int(data, rule.get("copies_field"))
        per_copy = 0
        tiers = sorted(rule["tiers"], key=lambda tier: tier["from_page"])
        for page in range(1, pages + 1):
            per_copy += next(t["amount"] for t in reversed(tiers) if page >= t["from_page"])
        if rule.get("cap_per_copy"):
            per_copy = min(per_copy, rule["cap_per_copy"])
        return per_copy * copies
    raise ValueError(f"unknown fee rule {kind!r}")


def fee_summary(rule: dict) -> str:
    """One line a citizen reads on the procedure page."""
    kind = rule.get("kind", "free")
    if kind == "free":
        return _("Miễn lệ phí")
    if kind == "flat":
        text = money(rule["amount"])
        if "online_amount" in rule:
            text += " " + _("(nộp trực tuyến: %(amount)s)") % {"amount": money(rule["online_amount"])}
        if "reduced" in rule:
            text += " " + _("(được giảm: %(amount)s)") % {"amount": money(rule["reduced"]["amount"])}
        return text
    if kind == "per_copy":
        return _("%(amount)s mỗi bản") % {"amount": money(rule["amount"])}
    if kind == "per_page":
        parts = [
            _("từ trang %(page)s: %(amount)s/trang") % {"page": t["from_page"], "amount": money(t["amount"])}
            for t in rule["tiers"]
        ]
        text = "; ".join(parts)
        if rule.get("cap_per_copy"):
            text += "; " + _("tối đa %(amount)s mỗi bản") % {"amount": money(rule["cap_per_copy"])}
        return text
    if kind == "province":
        if not rule.get("amount"):
            return _("Theo quy định của tỉnh")
        return _("Theo quy định của tỉnh (khoảng %(amount)s)") % {"amount": money(rule["amount"])}
    return ""
