from django import template

from procedures.fees import money

register = template.Library()


@register.filter
def dong(amount) -> str:
    """An amount in đồng the Vietnamese way: 200.000 đ."""
    return money(int(amount or 0))
