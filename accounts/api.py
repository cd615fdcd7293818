"""Accounts API: tokens for apps (obtained with a password, and a TOTP code for staff) and kiosks."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Centre

from .models import ApiToken
from .selectors import Role, memberships_of, roles_of, totp_confirmed_device
from .serializers import (
    KioskTokenRequestSerializer,
    MeSerializer,
    TokenIssuedSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from .services import api_token_issue, api_token_revoke

ERRORS = OpenApiResponse(OpenApiTypes.OBJECT, description="`detail`, or messages by input name")


def _issued(token, key) -> dict:
    return {"id": token.pk, "key": key, "kind": token.kind, "expires_at": token.expires_at}


class TokenObtainView(APIView):
    """Exchange a user name and password (and, for staff when two-factor sign-in is on, the current
    TOTP code) for a token. Wrong passwords count towards the same lockout as the sign-in page."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "token"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={201: TokenIssuedSerializer, 400: ERRORS, 401: ERRORS, 403: ERRORS, 429: ERRORS},
    )
    def post(self, request):
        from django.conf import settings

        from .selectors import is_staff_member

        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        http_request = request._request
        user = authenticate(http_request, username=data["username"], password=data["password"])
        if getattr(http_request, "axes_locked_out", False):
            return Response(
                {"detail": _("Đăng nhập sai quá nhiều lần. Hãy thử lại sau ít phút.")},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if user is None:
            return Response(
                {"detail": _("Tên đăng nhập hoặc mật khẩu không đúng.")}, status=status.HTTP_401_UNAUTHORIZED
            )
        if settings.ACCOUNTS_STAFF_2FA_REQUIRED and is_staff_member(user):
            device = totp_confirmed_device(user)
            if device is None:
                return Response(
                    {"detail": _("Hãy bật xác thực hai lớp trên trang web trước khi dùng ứng dụng.")},
                    status=status.HTTP_403_FORBIDDEN,
                )
            if not data.get("otp") or not device.verify_token(data["otp"]):
                return Response(
                    {"detail": _("Cần mã xác thực hai lớp đúng (ô otp).")}, status=status.HTTP_403_FORBIDDEN
                )
        token, key = api_token_issue(kind=ApiToken.Kind.USER, user=user, name=data.get("name", ""))
        return Response(_issued(token, key), status=status.HTTP_201_CREATED)


class TokenListView(APIView):
    """Your tokens, and the kiosk tokens of your centres (counter staff)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: TokenSerializer(many=True)})
    def get(self, request):
        centres = [m.centre_id for m in memberships_of(request.user, Role.COUNTER_STAFF)]
        tokens = ApiToken.objects.filter(
            Q(user=request.user) | Q(kind=ApiToken.Kind.KIOSK, centre__in=centres), revoked_at__isnull=True
        ).select_related("centre")
        return Response(TokenSerializer(tokens, many=True).data)


class TokenRevokeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None, 404: ERRORS})
    def delete(self, request, token_id):
        centres = [m.centre_id for m in memberships_of(request.user, Role.COUNTER_STAFF)]
        token = ApiToken.objects.filter(
            Q(user=request.user) | Q(kind=ApiToken.Kind.KIOSK, centre__in=centres), pk=token_id
        ).first()
        if token is None:
            return Response(
                {"detail": _("Không tìm thấy mã truy cập này.")}, status=status.HTTP_404_NOT_FOUND
            )
        api_token_revoke(token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)


class KioskTokenView(APIView):
    """Counter staff make a token for a kiosk of their own centre; it takes tickets there only."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=KioskTokenRequestSerializer, responses={201: TokenIssuedSerializer, 400: ERRORS, 403: ERRORS}
    )
    def post(self, request):
        form = KioskTokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        centre = Centre.objects.filter(code=form.validated_data["centre"]).first()
        mine = {m.centre_id for m in memberships_of(request.user, Role.COUNTER_STAFF)}
        if centre is None or centre.pk not in mine:
            return Response(
                {"detail": _("Bạn chỉ tạo được mã cho ki-ốt của trung tâm mình.")},
                status=status.HTTP_403_FORBIDDEN,
            )
        token, key = api_token_issue(
            kind=ApiToken.Kind.KIOSK, centre=centre, name=form.validated_data.get("name", ""), days=0
        )
        return Response(_issued(token, key), status=status.HTTP_201_CREATED)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MeSerializer})
    def get(self, request):
        user = request.user
        verified = getattr(user, "is_verified", None)
        return Response(
            {
                "username": user.username,
                "full_name": user.get_full_name(),
                "citizen_id": user.citizen_id,
                "roles": [str(r.value) for r in roles_of(user)],
                "two_factor": bool(verified and verified()),
            }
        )
