from django import template

from calendars.clock import remaining_label

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")


@register.simple_tag
def remaining(dossier) -> str:
    """ "Còn x ngày y giờ" / "Quá x ngày y giờ" on 8-hour working days (the working calendar)."""
    return remaining_until(dossier.due_at)


@register.simple_tag
def remaining_until(due_at) -> str:
    return remaining_label(due_at) if due_at else ""
