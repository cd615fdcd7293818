"""Text a person types that ends up stored, shown and printed: names first (issue 18, item 2).

One rule for every such field — an e-form's answers (`procedures.eforms`), an appointment's name
(`queueing`, page and API) — kept here because both apps already depend on the registry, which
depends on neither:

- stored NFC: one code point per Vietnamese letter whatever the keyboard sent (an input method
  may send "ệ" as e + two combining marks), so the same name compares, searches and prints the same;
- no control (Cc) or format (Cf) characters: U+202E makes the text after it read backwards on a
  signed paper, zero-width characters make two different names look alike, and a NUL cannot be
  stored in PostgreSQL text or jsonb. Line breaks and tabs only where the field is multi-line.
"""

from __future__ import annotations

import functools
import sys
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

HIDDEN = ("Cc", "Cf")
LINE_BREAKS = "\n\r\t"


def typed_text_clean(value: str, *, multiline: bool = False) -> str:
    """`value` in NFC, or ValidationError (code `hidden_characters`) with a message that says what to do."""
    value = unicodedata.normalize("NFC", value)
    allowed = LINE_BREAKS if multiline else ""
    if any(unicodedata.category(c) in HIDDEN and c not in allowed for c in value):
        raise ValidationError(
            _("Có ký tự ẩn hoặc ký tự điều khiển không được phép. Hãy gõ lại, không dán từ nơi khác."),
            code="hidden_characters",
        )
    return value


@functools.cache
def typed_text_pattern() -> str:
    """The rule as a regular expression, for the API schema: no Cc or Cf character (NFC is the
    server's to apply, so any form of the letters is accepted). The characters themselves, in
    ranges, not escapes, so ECMA and Python read it alike; built once, when a schema is made."""
    ranges, start = [], None
    for code in range(sys.maxunicode + 2):
        hidden = code <= sys.maxunicode and unicodedata.category(chr(code)) in HIDDEN
        if hidden and start is None:
            start = code
        elif not hidden and start is not None:
            ranges.append((start, code - 1))
            start = None

    def literal(code: int) -> str:
        # A NUL cannot travel in JSON text unescaped, and "]", "\\", "^", "-" mean something here.
        return f"\\x{code:02x}" if code < 0x20 else chr(code)

    body = "".join(literal(a) if a == b else f"{literal(a)}-{literal(b)}" for a, b in ranges)
    # "(?![\\s\\S])", not "$": Python's "$" also matches before a final line break, itself refused.
    return f"^[^{body}]*(?![\\s\\S])"


class TypedTextField(forms.CharField):
    """A form field that applies `typed_text_clean`. `multiline` lets a textarea keep its line breaks."""

    def __init__(self, *args, multiline: bool = False, **kwargs):
        self.multiline = multiline
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return unicodedata.normalize("NFC", value) if value else value

    def validate(self, value):
        super().validate(value)
        # Before CharField's own NUL validator, so every hidden character gets the same message.
        typed_text_clean(value or "", multiline=self.multiline)
