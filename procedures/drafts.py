"""formtools wizard storage kept in the Draft row, so a draft follows the citizen to any device."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from formtools.wizard.storage.base import BaseStorage

from uploads.storage import stored_name

from .models import Draft


def draft_file_storage() -> FileSystemStorage:
    return FileSystemStorage(location=settings.MEDIA_ROOT / "drafts")


def draft_files_delete(state: dict) -> None:
    storage = draft_file_storage()
    for step_files in (state or {}).get(BaseStorage.step_files_key, {}).values():
        for entry in step_files.values():
            storage.delete(entry["tmp_name"])


class DraftStorage(BaseStorage):
    """Reads the wizard state from `request.motcua_draft` and writes it back after each request."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.draft: Draft = self.request.motcua_draft
        self.data = self.draft.state or {}
        if not self.data:
            self.init_data()

    def set_step_files(self, step, files):
        """formtools' own, with two differences: each file is stored under a random name in the
        draft's folder (the client's name is kept only to show it), and a file replaced by a new
        upload for the same field is deleted, not left behind."""
        kept = self.data[self.step_files_key].setdefault(step, {})
        for field, upload in (files or {}).items():
            if field in kept:
                self.file_storage.delete(kept[field]["tmp_name"])
            kept[field] = {
                "tmp_name": self.file_storage.save(
                    stored_name(folder=str(self.draft.pk), upload=upload), upload
                ),
                "name": upload.name,
                "content_type": upload.content_type,
                "size": upload.size,
                "charset": upload.charset,
            }

    def update_response(self, response):
        super().update_response(response)
        self.save()

    def save(self) -> None:
        # update(), not save(): after submission the draft is gone and nothing must come back.
        Draft.objects.filter(pk=self.draft.pk).update(
            state=_without_nul(self.data), updated_at=timezone.now()
        )


def _without_nul(value):
    """What was typed, kept for the next try, less any NUL: PostgreSQL's jsonb cannot hold one (the
    form refuses it with a message; the rest of the typing must survive)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value
