"""The documents API: the signed PDFs a person may download (logged), and the public check."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .access import document_to_verify, download_response
from .selectors import documents_downloadable_by
from .serializers import DocumentSerializer, VerificationSerializer, document_links

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
        return download_response(request, code)


class DocumentVerifyView(APIView):
    """Public: is this document real and still valid? (The code printed under its QR seal.)"""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_scope = "verify"

    @extend_schema(responses={200: VerificationSerializer, 404: ERRORS})
    def get(self, request, code):
        document = document_to_verify(request, code)
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
