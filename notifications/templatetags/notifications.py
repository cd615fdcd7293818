from django import template

from ..selectors import notifications_to_citizen

register = template.Library()


@register.inclusion_tag("notifications/_dossier_notifications.html")
def dossier_notifications(dossier):
    """`{% load notifications %}{% dossier_notifications dossier %}`: what the citizen was told about
    a dossier, on which channel, and whether it arrived — for staff pages (routing's dossier view)."""
    return {"notifications": notifications_to_citizen(dossier)}
