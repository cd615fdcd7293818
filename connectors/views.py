from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import roles_of

from . import services
from .models import ConnectorCall


@login_required
@require_POST
def retry(request, pk):
    """Staff ask again for a check that failed for good."""
    if not any(role != "citizen" for role in roles_of(request.user)):
        raise PermissionDenied
    services.check_retry(call=get_object_or_404(ConnectorCall, pk=pk))
    messages.success(request, _("Đã gửi lại yêu cầu xác minh."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "accounts:home"
    return redirect(target)
