from cryptography.hazmat.primitives import serialization
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.models import Agency
from requestlimits.rates import limit_page

from .access import document_to_verify, download_response
from .forms import RevokeForm, VerifyFileForm
from .models import Document
from .pki import agency_certificate
from .selectors import can_revoke, file_matches
from .services import document_revoke


@limit_page("verify", methods=("GET", "POST"))
def verify(request, code):
    """Public: anyone holding the paper or the PDF can check it is real and still valid, and
    upload the PDF they hold to check it is the one issued."""
    document = document_to_verify(request, code)
    check_form = VerifyFileForm(request.POST, request.FILES) if request.method == "POST" else VerifyFileForm()
    matches = None
    if check_form.is_bound and check_form.is_valid():
        matches = file_matches(document=document, upload=check_form.cleaned_data["file"])
    return render(
        request,
        "documents/verify.html",
        {
            "document": document,
            "can_revoke": can_revoke(request.user, document),
            "form": RevokeForm(),
            "check_form": check_form,
            "matches": matches,
        },
        status=400 if check_form.is_bound and not check_form.is_valid() else 200,
    )


@login_required
def download(request, code):
    return download_response(request, code)


@login_required
@require_POST
def revoke(request, code):
    document = get_object_or_404(Document, code=code)
    if not can_revoke(request.user, document):
        raise Http404
    form = RevokeForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "documents/verify.html",
            {"document": document, "can_revoke": True, "form": form, "check_form": VerifyFileForm()},
            status=400,
        )
    document_revoke(document=document, by=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, _("Đã thu hồi văn bản."))
    return redirect("documents:verify", code=document.code)


def issuer_certificate(request, agency_code):
    """The issuer's public certificate, for verifying seals and signatures offline. An agency
    without a signing key has no certificate to show (404); asking never creates a key."""
    agency = get_object_or_404(Agency, code=agency_code)
    certificate = agency_certificate(agency)
    if certificate is None:
        raise Http404(_("Cơ quan này chưa có khóa ký văn bản."))
    return HttpResponse(
        certificate.public_bytes(serialization.Encoding.PEM), content_type="application/x-pem-file"
    )
