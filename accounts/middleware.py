from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from .selectors import needs_second_factor, totp_confirmed_device

# Pages a staff member may open before the second factor: the 2FA pages themselves, signing
# out, the language and text-size switches. The API answers for itself (403 from its
# authentication class), static files never reach Django in production.
ALLOWED_PREFIXES = (
    "/xac-thuc-hai-lop/",
    "/dang-xuat/",
    "/i18n/",
    "/co-chu/",
    "/static/",
    "/api/",
    "/health/",
)


class StaffTwoFactorMiddleware:
    """Staff who signed in with a password are sent to enrol or enter their code before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The path first: the kiosk's ticket API and static files never pay for a user lookup.
        if not request.path.startswith(ALLOWED_PREFIXES) and needs_second_factor(request.user):
            name = "accounts:otp_verify" if totp_confirmed_device(request.user) else "accounts:otp_enrol"
            return redirect(f"{reverse(name)}?{urlencode({'next': request.path})}")
        return self.get_response(request)
