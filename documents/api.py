"""The documents API: the signed PDFs a person may download (logged), and the public check."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from requestlimits.client_address import client_address

from .models import Access, Document
from .selectors import documents_downloadable_by
from .serializers import DocumentSerializer, VerificationSerializer, document_links
from .services import access_record

ERRORS = OpenApiResponse(OpenApiTypes.OBJECT, description="`detail`")


class DocumentListView(APIView):
    """Documents this person may download: their own, or their agency's, centre's or province's."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: DocumentSerializer(many=True)})
    def get(self, request):
        documents = documents_downloadable_by(request.user).order_by("-created_at")[:200]
        return Response([document_links(request, d) for d in documents])


class DocumentDownloadView(APIView):
    """The signed PDF, to its holder and the staff who may see it; every download is logged."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: ERRORS})
    def get(self, request, code):
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


class DocumentVerifyView(APIView):
    """Public: is this document real and still valid? (The code printed under its QR seal.)"""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_scope = "verify"

    @extend_schema(responses={200: VerificationSerializer, 404: ERRORS})
    def get(self, request, code):
        document = get_object_or_404(Document.objects.select_related("issuer"), code=code.upper())
        access_record(
            document=document,
            action=Access.Action.VERIFY,
            user=request.user,
            remote_addr=client_address(request),
        )
        return Response(
            {
                "code": document.code,
                "kind": document.kind,
                "kind_label": document.get_kind_display(),
                "number": document.number,
                "issuer": document.issuer.name,
                "issuer_code": document.issuer.code,
                "holder_hint": document.holder_hint,
                "issued_at": document.issued_at,
                "status": document.status,
                "valid": document.is_valid,
                "revoked_at": document.revoked_at,
                "revoked_reason": document.revoked_reason,
                "file_sha256": document.file_sha256,
            }
        )
