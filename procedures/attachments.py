"""A dossier's files on the pages: opened through Django, never from MEDIA (which is not served),
for whoever may see the dossier (`selectors.attachment_for`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from . import selectors


def attachment_response(attachment) -> FileResponse:
    # A download, typed by what the upload check sniffed: never rendered by the browser as a page.
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )


@login_required
def attachment_download(request, code, attachment_id):
    attachment = selectors.attachment_for(request.user, code=code, attachment_id=attachment_id)
    if attachment is None:
        raise Http404
    return attachment_response(attachment)
