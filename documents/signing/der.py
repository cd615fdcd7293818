"""Keeps asn1crypto's DER encoding linear in the depth of a structure.

asn1crypto (used by pyHanko for every CMS signature) never clears a Sequence's "mutated" flag
once its encoding has been rebuilt, so each later read of its contents rebuilds it again, and
one dump of a freshly built structure re-encodes each level two or three times per level above
it: exponential in the depth (wbond/asn1crypto#256, open upstream). Building one PAdES
signature spent about 15 ms there, more than the rest of signing.

Clearing the flag once the contents are rebuilt from the children is what the flag means: the
cached encoding matches the children again. A later change to a child marks that child (and
`_is_mutated` still walks the children), so nothing stale is ever written; the signature
tests validate every signature with pyHanko.
"""

from __future__ import annotations

from asn1crypto import core


def _rebuild_then_clear(rebuild):
    def _set_contents(self, force=False):
        rebuild(self, force)
        self._mutated = False

    _set_contents.linear_der = True
    return _set_contents


def linear_der_install() -> None:
    for cls in (core.Sequence, core.SequenceOf):
        rebuild = cls.__dict__["_set_contents"]
        if not getattr(rebuild, "linear_der", False):
            cls._set_contents = _rebuild_then_clear(rebuild)
