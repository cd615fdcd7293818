"""Where an accepted file is stored: a random name in its dossier's (or draft's) folder.

Never the client's file name: it may carry personal data, path tricks or a misleading
extension. The client's name is kept only as the name shown (Attachment.name); the extension
comes from the sniffed type.
"""

from __future__ import annotations

import secrets

from .checks import EXTENSIONS


def stored_name(*, folder: str, upload) -> str:
    extension = EXTENSIONS.get(getattr(upload, "content_type", ""), "")
    return f"{folder}/{secrets.token_urlsafe(18)}{extension}"


def dossier_folder(key) -> str:
    """A dossier's own folder: `key` is the draft it was filed from (Dossier.draft_ref), known
    before the dossier is numbered, so its files are stored before the number lock is taken."""
    return f"dossiers/{key}"
