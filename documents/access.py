"""A person reaching a document: downloading its file or checking it, found the one way and logged.

The page (views.py) and the API (api.py) both answer through here, so who may download, the
access record and the file's headers cannot drift apart between the two.
"""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from requestlimits.client_address import client_address

from .models import Access, Document
from .selectors import documents_downloadable_by
from .services import access_record


def download_response(request, code: str) -> FileResponse:
    """The signed PDF as an attachment, to its holder and the staff who may see it (see
    `documents_downloadable_by`); anyone else, and a document not issued yet or revoked, gets 404 —
    the same answer as for a code that does not exist, so a code cannot be probed."""
    document = (
        documents_downloadable_by(request.user).filter(code=code, status=Document.Status.ISSUED).first()
    )
    if document is None:
        raise Http404(_("Không có văn bản này, hoặc bạn không có quyền tải về."))
    access_record(
        document=document,
        action=Access.Action.DOWNLOAD,
        user=request.user,
        remote_addr=client_address(request),
    )
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{document.code}.pdf",
        content_type="application/pdf",
    )


def document_to_verify(request, code: str) -> Document:
    """Public: the document with this verification code (as printed, any case), its check logged."""
    document = get_object_or_404(Document.objects.select_related("issuer"), code=code.upper())
    access_record(
        document=document,
        action=Access.Action.VERIFY,
        user=request.user,
        remote_addr=client_address(request),
    )
    return document
