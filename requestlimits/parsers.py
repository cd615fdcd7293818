"""The API's JSON parser: DRF's, refusing nesting deeper than any MotCua request needs.

A 5,000-deep array made Python's JSON decoder raise RecursionError, answered as a 500; a few
hundred levels parse, then make every recursive walk over the data (validation, JSONField
storage) pay for them. No e-form, draft or booking nests more than a handful of levels, so
anything deeper than `MAX_DEPTH` is refused with 400 before a view sees it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


def nesting_depth(value, *, limit: int) -> int:
    """How deep `value` nests lists and objects, counting no further than `limit` + 1.

    Iterative, so it cannot itself run out of stack on what it is meant to refuse.
    """
    deepest = 0
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        pending.extend((child, depth + 1) for child in children)
    return deepest


class BoundedJSONParser(JSONParser):
    max_depth = MAX_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(self._too_deep()) from None
        if nesting_depth(data, limit=self.max_depth) > self.max_depth:
            raise ParseError(self._too_deep())
        return data

    def _too_deep(self) -> str:
        return _("Dữ liệu JSON lồng nhau quá sâu: tối đa %(depth)s cấp.") % {"depth": self.max_depth}
