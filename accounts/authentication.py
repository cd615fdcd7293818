"""How the API knows who is calling: a token (apps, kiosks) or the site's session."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .models import ApiToken, token_digest
from .selectors import needs_second_factor


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <key>` (or `Token <key>`).

    A user token acts as its user. A kiosk token acts as nobody: `request.user` stays anonymous
    and `request.auth` is the token, which names the one centre it may take tickets for.
    """

    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Tiêu đề Authorization không đúng dạng."))
        try:
            key = header[1].decode()
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed(_("Mã truy cập không hợp lệ.")) from error
        token = ApiToken.objects.select_related("user", "centre").filter(digest=token_digest(key)).first()
        if token is None or not token.is_active or (token.user and not token.user.is_active):
            raise exceptions.AuthenticationFailed(_("Mã truy cập không hợp lệ hoặc đã hết hạn."))
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return (token.user or AnonymousUser(), token)

    def authenticate_header(self, request):
        return "Bearer"


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """The site's session (with DRF's CSRF check), refused for staff who still owe their second factor."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and needs_second_factor(result[0]):
            raise exceptions.PermissionDenied(_("Cán bộ cần xác thực hai lớp trước khi dùng API."))
        return result


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    target_class = VerifiedSessionAuthentication
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
