from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")


@register.simple_tag
def remaining(dossier) -> str:
    """ "Còn x ngày y giờ" / "Quá x ngày y giờ" on 8-hour working days (calendars.clock, when present)."""
    if dossier.due_at is None:
        return ""
    try:
        from calendars.clock import remaining_label
    except ImportError:
        return _fallback_label(dossier.due_at)
    return remaining_label(dossier.due_at)


def _fallback_label(due_at) -> str:
    # Until the working calendar lands: wall-clock hours, counted as 8-hour days.
    hours = int((due_at - timezone.now()).total_seconds() // 3600)
    days, rest = divmod(abs(hours), 8)
    if hours < 0:
        return _("Quá %(d)s ngày %(h)s giờ") % {"d": days, "h": rest}
    return _("Còn %(d)s ngày %(h)s giờ") % {"d": days, "h": rest}
