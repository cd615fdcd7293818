from django import template

from documents.money import money

register = template.Library()


@register.filter
def dong(amount) -> str:
    """An amount in đồng as screens show it: 200.000 đ (documents.money)."""
    return money(int(amount or 0))
