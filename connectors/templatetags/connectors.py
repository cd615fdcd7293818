from django import template

from accounts.selectors import roles_of

from ..selectors import calls_for, source_of

register = template.Library()


@register.inclusion_tag("connectors/_calls.html", takes_context=True)
def connector_calls(context, dossier):
    """`{% load connectors %}{% connector_calls dossier %}`: the dossier's checks; staff may retry."""
    request = context.get("request")
    user = getattr(request, "user", None)
    calls = [(call, source_of(call)) for call in calls_for(dossier)]
    return {
        "calls": calls,
        "can_retry": bool(user and user.is_authenticated and any(r != "citizen" for r in roles_of(user))),
        "next": request.get_full_path() if request else "",
        "csrf_token": context.get("csrf_token"),
    }
