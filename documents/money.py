"""How an amount in đồng is written, on screens, on papers and in messages: the one rule.

Thousands grouped with dots, no decimals (the đồng has no subunit in use): 200.000. Screens show
the short sign, "200.000 đ", where a fee sits in a list or a one-line summary; papers spell the
unit out, "200.000 đồng", as administrative documents write it. A translated sentence that names
the unit itself ("Còn thiếu %(amount)s đồng.") takes the digits alone, so its translation can say
"VND".

Here, in documents, because every app that shows money (procedures, connectors) already depends on
documents, and the papers' own filters (templatetags/paperwork.py) are in it.
"""

from __future__ import annotations


def digits(amount: int) -> str:
    """200000 → '200.000'."""
    return f"{int(amount):,}".replace(",", ".")


def money(amount: int, *, spelled_out: bool = False) -> str:
    """200000 → '200.000 đ' on a screen; '200.000 đồng' on paper (`spelled_out`)."""
    return f"{digits(amount)} {'đồng' if spelled_out else 'đ'}"
