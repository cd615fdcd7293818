from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from .services import verify_url


def document_links(request, document) -> dict:
    return {
        "code": document.code,
        "kind": document.kind,
        "kind_label": document.get_kind_display(),
        "status": document.status,
        "valid": document.is_valid,
        "download": request.build_absolute_uri(reverse("api:document_download", args=[document.code]))
        if document.status == document.Status.ISSUED
        else None,
        "verify": verify_url(document),
    }


class DocumentSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    status = serializers.CharField()
    valid = serializers.BooleanField()
    download = serializers.URLField(allow_null=True)
    verify = serializers.URLField()


class VerificationSerializer(serializers.Serializer):
    """What the public check shows: enough to trust a paper, not enough to identify its holder."""

    code = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    number = serializers.CharField(allow_blank=True)
    issuer = serializers.CharField()
    issuer_code = serializers.CharField()
    holder_hint = serializers.CharField(allow_blank=True)
    issued_at = serializers.DateTimeField(allow_null=True)
    status = serializers.CharField()
    valid = serializers.BooleanField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    revoked_reason = serializers.CharField(allow_blank=True)
    file_sha256 = serializers.CharField(allow_blank=True)
