"""The queue API for kiosks and phones (Django REST framework).

Errors answer with `detail` in the site's language: 404 for an unknown centre, service or ticket,
409 when the queue refuses (closed, too many tickets), 400 for malformed input.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import ApiTokenAuthentication
from accounts.models import ApiToken
from registry.citizen_id import validate_citizen_id
from registry.typed_text import typed_text_clean
from requestlimits.parsers import BoundedJSONParser

from . import appointments, challenge, phone_codes, selectors, services
from .hours import opening_status
from .models import Appointment, Ticket
from .serializers import (
    AppointmentSerializer,
    CentreServicesSerializer,
    FreeSlotsSerializer,
    TicketSerializer,
    TicketStatusSerializer,
)

# The project's JSON parser (nesting bounded: a 5,000-deep array is a 400, not a 500) and forms for
# kiosks that post them; no multipart: nothing here takes a file.
PARSERS = [BoundedJSONParser, FormParser]

ERRORS = OpenApiResponse(OpenApiTypes.OBJECT, description="`detail` (and `opens_at`, `next_free`)")


class TakeTicketSerializer(serializers.Serializer):
    service = serializers.CharField(max_length=2, help_text="The service letter, e.g. A")
    channel = serializers.ChoiceField(choices=[Ticket.Channel.KIOSK, Ticket.Channel.PHONE])
    priority = serializers.ChoiceField(choices=Ticket.Priority.choices, required=False, default="")
    # A phone number needs a signed-in citizen (her token: her account's ID is used) or a phone
    # proved with a one-time code (POST …/ma-xac-thuc/ first). A citizen ID in the body is ignored.
    phone = serializers.RegexField(r"^\d{9,11}$", max_length=11, required=False, default="")
    phone_code = serializers.RegexField(r"^\d{6}$", max_length=6, required=False, default="")


def _clean_citizen_id(value: str) -> str:
    value = value.replace(" ", "")
    try:
        validate_citizen_id(value)
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.messages) from error
    return value


def _not_found(message: str) -> Response:
    return Response({"detail": message}, status=status.HTTP_404_NOT_FOUND)


def _ticket_json(request, ticket: Ticket, **extra) -> dict:
    return {
        "id": str(ticket.public_id),
        "code": ticket.code,
        "service": ticket.service.letter if ticket.service_id == ticket.issued_service_id else None,
        "status": ticket.status,
        "issued_at": ticket.issued_at.isoformat(),
        "counter": ticket.counter.number if ticket.counter_id else None,
        "url": request.build_absolute_uri(reverse("queueing:ticket", args=[ticket.public_id])),
        **extra,
    }


class CentreServicesView(APIView):
    """Services of a centre with the people waiting and the estimated wait, and whether it is open."""

    # Kiosks and phones are anonymous; skipping the session lookup keeps the hot path short.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: CentreServicesSerializer, 404: ERRORS})
    def get(self, request, centre_code):
        centre = selectors.centre_by_code(centre_code)
        if centre is None:
            return _not_found(_("Không tìm thấy trung tâm có mã %(code)s.") % {"code": centre_code})
        opening = opening_status(centre, timezone.now())
        return Response(
            {
                "centre": {"code": centre.code, "name": centre.name},
                "open": opening.is_open,
                "opens_at": opening.opens_at.isoformat() if opening.opens_at else None,
                "services": [
                    {
                        "letter": row["service"].letter,
                        "name": row["service"].name,
                        "procedure_codes": row["service"].procedure_codes,
                        "waiting": row["waiting"],
                        "estimated_wait_minutes": round(row["wait"].total_seconds() / 60),
                    }
                    for row in selectors.waiting_by_service(centre)
                ],
            }
        )


class TakeTicketView(APIView):
    """Take a queue number at a kiosk or on a phone (a phone needs a citizen's token or a phone code).

    Phones are anonymous and limited per address (`RATE_LIMITS["ticket"]`). A kiosk sends its
    kiosk token (`Authorization: Bearer …`): it is not limited per address, and it can take
    tickets for its own centre only (403 elsewhere).
    """

    # No session lookup on the hot path: a token is read only when one is sent, and the answer
    # is JSON only (no content negotiation with the browsable API).
    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [AllowAny]
    throttle_scope = "ticket"
    renderer_classes = [JSONRenderer]
    parser_classes = PARSERS

    @extend_schema(
        request=TakeTicketSerializer,
        responses={201: TicketSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS, 409: ERRORS},
    )
    def post(self, request, centre_code):
        kiosk = (
            request.auth
            if isinstance(request.auth, ApiToken) and request.auth.kind == ApiToken.Kind.KIOSK
            else None
        )
        setup = selectors.queue_setup(centre_code)
        if setup is None:
            return _not_found(_("Không tìm thấy trung tâm có mã %(code)s.") % {"code": centre_code})
        if kiosk is not None and not selectors.kiosk_token_for(kiosk, centre_code):
            return Response(
                {
                    "detail": _("Mã truy cập của ki-ốt này không dùng được cho trung tâm %(code)s.")
                    % {"code": centre_code}
                },
                status=status.HTTP_403_FORBIDDEN,
            )
        form = TakeTicketSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        if data["channel"] == Ticket.Channel.KIOSK and kiosk is None:
            # Numbers without a name are for the people in the hall: only a registered kiosk gives them.
            return Response(
                {"detail": _("Chỉ ki-ốt đã đăng ký của trung tâm mới lấy được số tại ki-ốt.")},
                status=status.HTTP_403_FORBIDDEN,
            )
        service = setup.services.get(data["service"])
        if service is None:
            return _not_found(_("Trung tâm không có dịch vụ %(letter)s.") % {"letter": data["service"]})
        citizen_id = phone = ""
        try:
            if data["channel"] == Ticket.Channel.PHONE:
                citizen_id, phone = phone_codes.person_verify(
                    user=request.user, phone=data["phone"], code=data["phone_code"]
                )
            ticket = services.ticket_issue(
                centre=setup.centre,
                service=service,
                channel=data["channel"],
                priority=data["priority"],
                citizen_id=citizen_id,
                phone=phone,
                sessions=setup.sessions,
            )
        except services.CentreClosed as error:
            opens_at = error.details.get("opens_at")
            body = {"detail": error.message, "opens_at": opens_at.isoformat() if opens_at else None}
            return Response(body, status=status.HTTP_409_CONFLICT)
        except services.QueueError as error:
            return Response({"detail": error.message}, status=status.HTTP_409_CONFLICT)
        return Response(_ticket_json(request, ticket), status=status.HTTP_201_CREATED)


class TicketStatusView(APIView):
    """Where a ticket stands: people ahead, estimated wait, the counter once called."""

    # Kiosks and phones are anonymous; skipping the session lookup keeps the hot path short.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: TicketStatusSerializer, 404: ERRORS})
    def get(self, request, public_id):
        found = selectors.ticket_status(public_id)
        if found is None:
            return _not_found(_("Không tìm thấy số thứ tự này."))
        return Response(
            _ticket_json(
                request,
                found.ticket,
                people_ahead=found.ahead,
                estimated_wait_minutes=found.wait_minutes,
                near_front=found.near_front,
            )
        )


def _slot_json(slot) -> dict:
    return {"starts_at": slot.starts_at.isoformat(), "ends_at": slot.ends_at.isoformat(), "free": slot.free}


def _service_or_404(centre_code: str, letter: str):
    setup = selectors.queue_setup(centre_code)
    if setup is None:
        return None, _not_found(_("Không tìm thấy trung tâm có mã %(code)s.") % {"code": centre_code})
    service = setup.services.get(letter or "")
    if service is None:
        return None, _not_found(_("Trung tâm không có dịch vụ %(letter)s.") % {"letter": letter})
    return service, None


class FreeSlotsView(APIView):
    """Free appointment slots of a service (`?service=A`), the earliest first, over two weeks."""

    # Kiosks and phones are anonymous; skipping the session lookup keeps the hot path short.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("service", str, description="The service letter, e.g. A")],
        responses={200: FreeSlotsSerializer, 404: ERRORS},
    )
    def get(self, request, centre_code):
        service, missing = _service_or_404(centre_code, request.query_params.get("service", ""))
        if missing:
            return missing
        slots = [_slot_json(s) for s in appointments.free_slots(service)]
        return Response({"service": service.letter, "slots": slots})


class TypedTextField(serializers.CharField):
    """Text a person typed, under the same rule as the pages' (registry.typed_text): NFC, and a
    hidden character (control, bidi override, zero-width, NUL) refused with its Vietnamese message."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return typed_text_clean(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages, code="hidden_characters") from error


class BookSerializer(serializers.Serializer):
    service = serializers.CharField(max_length=2)
    starts_at = serializers.DateTimeField()
    full_name = TypedTextField(max_length=120)
    phone = serializers.RegexField(r"^\d{9,11}$", max_length=11)
    # Anonymous: the code sent to `phone` (POST …/ma-xac-thuc/ first), and the citizen ID if she has
    # one (it must be in the population registry). Signed in: her account's ID; these are ignored.
    phone_code = serializers.RegexField(r"^\d{6}$", max_length=6, required=False, default="")
    citizen_id = serializers.CharField(max_length=15, required=False, default="", allow_blank=True)
    procedure_code = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)

    def validate_citizen_id(self, value):
        return _clean_citizen_id(value) if value.strip() else ""


def _appointment_json(request, appointment) -> dict:
    return {
        "id": str(appointment.public_id),
        "code": appointment.code,
        "service": appointment.service.letter,
        "starts_at": appointment.slot.starts_at.isoformat(),
        "status": appointment.status,
        "url": request.build_absolute_uri(reverse("queueing:appointment", args=[appointment.public_id])),
    }


class BookView(APIView):
    """Book an appointment: signed in (her account's citizen ID), or with a one-time code sent to the
    phone and, if she has one, a citizen ID in the registry. A full slot: 409 with the next free slots."""

    permission_classes = [AllowAny]
    throttle_scope = "booking"

    @extend_schema(
        request=BookSerializer, responses={201: AppointmentSerializer, 400: ERRORS, 404: ERRORS, 409: ERRORS}
    )
    def post(self, request, centre_code):
        form = BookSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        service, missing = _service_or_404(centre_code, data["service"])
        if missing:
            return missing
        procedure = data["procedure_code"] if data["procedure_code"] in service.procedure_codes else ""
        try:
            citizen_id, proved_phone = phone_codes.person_verify(
                user=request.user, phone=data["phone"], code=data["phone_code"]
            )
            appointment = appointments.appointment_book(
                service=service,
                starts_at=data["starts_at"],
                citizen_id=citizen_id or data["citizen_id"],
                full_name=data["full_name"],
                phone=proved_phone or data["phone"],
                user=request.user,
                procedure_code=procedure,
            )
        except appointments.SlotFull as error:
            body = {"detail": error.message, "next_free": [_slot_json(s) for s in error.details["next_free"]]}
            return Response(body, status=status.HTTP_409_CONFLICT)
        except services.QueueError as error:
            # The refusal names no ticket or booking: the caller may not be their holder.
            return Response({"detail": error.message}, status=status.HTTP_409_CONFLICT)
        return Response(_appointment_json(request, appointment), status=status.HTTP_201_CREATED)


class CancelView(APIView):
    """Cancel an appointment; its id (from the booking answer) is the proof of holding it."""

    permission_classes = [AllowAny]
    throttle_scope = "booking"

    @extend_schema(request=None, responses={200: AppointmentSerializer, 404: ERRORS, 409: ERRORS})
    def post(self, request, public_id):
        found = Appointment.objects.filter(public_id=public_id).select_related("service", "slot").first()
        if found is None:
            return _not_found(_("Không tìm thấy lịch hẹn này."))
        try:
            found = appointments.appointment_cancel(appointment=found)
        except services.QueueError as error:
            return Response({"detail": error.message}, status=status.HTTP_409_CONFLICT)
        return Response(_appointment_json(request, found))


class PhoneCodeSerializer(serializers.Serializer):
    phone = serializers.RegexField(r"^\d{9,11}$", max_length=11)
    altcha = serializers.CharField(
        max_length=1000, help_text="A solved challenge from GET …/challenge/ (base64 JSON, ALTCHA's format)"
    )


class ChallengeView(APIView):
    """A proof-of-work challenge (ALTCHA's format) to solve before asking for a phone code."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return Response(challenge.challenge_issue(), headers={"Cache-Control": "no-store"})


class PhoneCodeView(APIView):
    """Send a one-time code to a phone: the proof an anonymous caller takes a number or books with."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "booking"
    renderer_classes = [JSONRenderer]
    parser_classes = PARSERS

    @extend_schema(request=PhoneCodeSerializer, responses={202: ERRORS, 400: ERRORS, 409: ERRORS})
    def post(self, request):
        form = PhoneCodeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            # Each SMS is paid for: a script pays in work for every code it asks for.
            challenge.challenge_verify(payload=form.validated_data["altcha"])
            phone_codes.phone_code_send(phone=form.validated_data["phone"])
        except services.QueueError as error:
            return Response({"detail": error.message}, status=status.HTTP_409_CONFLICT)
        return Response({"detail": _("Đã gửi mã xác thực.")}, status=status.HTTP_202_ACCEPTED)
