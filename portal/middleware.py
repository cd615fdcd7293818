from __future__ import annotations

import logging
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the person chose English with the language switcher (a cookie).

    The browser's Accept-Language is ignored on purpose: many phones and the waiting-room
    screens in Vietnam are set to English, while the people in front of them read Vietnamese.
    """

    def process_request(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _megabytes(size: int) -> str:
    return f"{size / 1048576:.3g}"


def _refused(request, status: int, title: str, message: str):
    """JSON under /api/, a readable page elsewhere."""
    if is_api(request):
        return JsonResponse({"detail": message}, status=status)
    return render(request, "request_refused.html", {"title": title, "message": message}, status=status)


class RequestBodyLimitMiddleware:
    """Refuse a request body over `REQUEST_BODY_MAX_BYTES` before a byte of it is read.

    Django reads a body only when a view asks for it, and then all of it: a 300 MB POST was read
    (and spooled to disk) before the form's upload check said no. The declared length is enough to
    refuse it (413). A body without a declared length (`Transfer-Encoding: chunked`) is refused
    too (411), whatever its size: its size is known only once it has all been read, and Django
    reads such a body as empty anyway, so what it carries could only be lost.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = request.META.get("CONTENT_LENGTH") or ""
        if not declared and request.META.get("HTTP_TRANSFER_ENCODING"):
            logger.info("request without Content-Length refused: %s %s", request.method, request.path)
            return _refused(
                request,
                HTTPStatus.LENGTH_REQUIRED,
                _("Thiếu độ dài dữ liệu"),
                _("Yêu cầu phải ghi rõ độ dài dữ liệu gửi lên (Content-Length). Hãy gửi lại."),
            )
        try:
            size = int(declared or 0)
        except ValueError:
            size = 0  # Django reads a body of unreadable length as empty: nothing is read either
        limit = settings.REQUEST_BODY_MAX_BYTES
        if size > limit:
            logger.info("request body of %d bytes refused: %s %s", size, request.method, request.path)
            return _refused(
                request,
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                _("Dữ liệu gửi lên quá lớn"),
                _(
                    "Dữ liệu gửi lên nặng %(size)s MB, vượt giới hạn %(limit)s MB của một lần gửi. "
                    "Hãy chụp hoặc quét lại tệp với độ phân giải thấp hơn, hoặc gửi từng tệp một."
                )
                % {"size": _megabytes(size), "limit": _megabytes(limit)},
            )
        return self.get_response(request)


# Django raises these while reading a body that is over its own limits (DATA_UPLOAD_MAX_MEMORY_SIZE,
# DATA_UPLOAD_MAX_NUMBER_FIELDS, DATA_UPLOAD_MAX_NUMBER_FILES) and answers 400.
BODY_ERRORS = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def _body_error_message(error: Exception) -> str:
    if isinstance(error, TooManyFieldsSent):
        return _("Yêu cầu có quá nhiều trường dữ liệu (tối đa %(count)s).") % {
            "count": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        }
    if isinstance(error, TooManyFilesSent):
        return _("Yêu cầu có quá nhiều tệp (tối đa %(count)s).") % {
            "count": settings.DATA_UPLOAD_MAX_NUMBER_FILES
        }
    return _("Dữ liệu gửi lên quá lớn: phần không phải tệp tối đa %(limit)s MB.") % {
        "limit": _megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    }


def _status_message(status: int) -> str:
    messages = {
        400: _("Yêu cầu không hợp lệ."),
        403: _("Bạn không có quyền thực hiện thao tác này."),
        404: _("Không tìm thấy."),
        405: _("Phương thức này không được hỗ trợ."),
        500: _("Máy chủ gặp lỗi. Hãy thử lại sau."),
    }
    return messages.get(status, _("Không thực hiện được yêu cầu."))


class ApiJsonErrorsMiddleware:
    """Under /api/ every error is JSON, `{"detail": "..."}` in the site's language (docs/api.md),
    never one of Django's HTML pages: an unknown path, a body over Django's own limits, a crash.

    Django still handles and logs the error as usual (its security log for a body over its
    limits); only the answer changes. The API's own views already answer JSON and are left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or not is_api(request) or _is_json(response):
            return response
        if settings.DEBUG and response.status_code == 500:
            return response  # the developer's traceback page
        error = getattr(request, "_motcua_body_error", None)
        message = _body_error_message(error) if error is not None else _status_message(response.status_code)
        return JsonResponse({"detail": message}, status=response.status_code)

    def process_exception(self, request, exception):
        if isinstance(exception, BODY_ERRORS):
            request._motcua_body_error = exception  # the message above says which limit
        return None


def _is_json(response) -> bool:
    content_type = response.get("Content-Type", "").split(";")[0].strip()
    return content_type == "application/json" or content_type.endswith("+json")


# No MotCua page uses these browser features (scans are uploaded files, the board's chime needs
# none): a script that got in somehow, or a page framing ours, cannot switch them on.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "bluetooth",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
    )
)


class PrivacyHeadersMiddleware:
    """`Permissions-Policy` on every response, and `Cache-Control: no-store` on every response that
    may carry personal data: anything under /api/ and any response to a signed-in person.

    A shared computer at a ward office or a phone lent to a relative keeps nothing of a dossier,
    a citizen ID or a document in its cache (Decree 13/2023). Public pages and static files keep
    their own caching; a response that already says how to cache it is left as it is. First in
    MIDDLEWARE, so redirects, static files and errors carry the headers too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if not response.has_header("Cache-Control") and (is_api(request) or _signed_in(request)):
            add_never_cache_headers(response)
        return response


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)  # absent when a middleware before authentication answered
    return user is not None and user.is_authenticated
