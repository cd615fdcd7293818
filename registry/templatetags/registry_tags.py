"""What other apps' pages show from the registry app: a citizen's correction requests, and whether
an officer answers them (the police, who keep the population registry)."""

from django import template

from .. import selectors

register = template.Library()


@register.simple_tag
def correction_requests_of(user) -> list:
    return selectors.correction_requests_of(user.citizen_id) if user.citizen_id else []


@register.simple_tag
def answers_corrections(user) -> bool:
    return selectors.police_agencies_of(user).exists()
