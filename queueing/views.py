"""Pages of the queue: kiosk, phone, ticket, display board, counter console, statistics.

Thin: find the objects, check the role, call a service or selector, render.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from accounts.selectors import Role, roles_of
from agencies.selectors import centres_supervised_by
from documents.services import queue_ticket_pdf
from qrcodes import images as qr_images
from requestlimits.rates import limit_page

from . import appointments, challenge, kiosks, phone_codes, selectors, services
from .forms import (
    SEND_CODE,
    AppointmentChangeForm,
    AppointmentForm,
    FinishForm,
    KioskCheckInForm,
    PersonForm,
    ServiceLetterForm,
    SlotHoldForm,
    TicketForm,
    TransferForm,
    errors_by_field,
    first_error,
)
from .hours import local_day, opening_status
from .models import Appointment, Counter, Kiosk, QueueService, Ticket


def not_found(request, message: str):
    return render(request, "queueing/not_found.html", {"message": message}, status=404)


def _centre_or_404(request, code: str):
    centre = selectors.centre_by_code(code)
    if centre is None:
        return None, not_found(request, _("Không tìm thấy trung tâm có mã %(code)s.") % {"code": code})
    return centre, None


def qr_svg(url: str) -> str:
    return mark_safe(qr_images.qr_svg(url))  # drawn by segno from our own URL, no user text


def _take(request, centre, *, channel: str, template: str, context: dict, citizen_id="", phone=""):
    """The POST half of the kiosk and phone pages: issue, or show the reason next to the form.

    `citizen_id` and `phone` are verified by the caller (account or one-time code), never typed here.
    """
    form = TicketForm(request.POST, centre=centre)
    errors = context.setdefault("errors", {})
    if form.is_valid() and not errors:
        try:
            ticket = services.ticket_issue(
                centre=centre,
                service=form.cleaned_data["service"],
                channel=channel,
                priority=form.cleaned_data["priority"],
                citizen_id=citizen_id,
                phone=phone,
            )
        except services.QueueError as error:
            context["refusal"] = error.message
        else:
            if channel == Ticket.Channel.KIOSK:
                return redirect("queueing:ticket_print", public_id=ticket.public_id)
            return redirect("queueing:ticket", public_id=ticket.public_id)
    errors.update(errors_by_field(form))
    context["chosen"] = {**context.get("chosen", {}), **form.chosen()}
    return render(request, template, context, status=400 if errors else 200)


# --- Who is asking: the account, or a phone proved with a one-time code -------------

PROVED_PHONE_SESSION_KEY = "queueing_proved_phone"
# How long a phone proved in this browser stays proved (a retry after "slot full" needs no new SMS).
PROVED_PHONE_MINUTES = 30


def _account_citizen_id(request) -> str:
    return (request.user.is_authenticated and request.user.citizen_id) or ""


def _proved_phone(request) -> str:
    proved = request.session.get(PROVED_PHONE_SESSION_KEY) or {}
    until = proved.get("until", "")
    if until and datetime.datetime.fromisoformat(until) > timezone.now():
        return proved.get("phone", "")
    return ""


def _challenge_passed(request, person: dict, errors: dict) -> bool:
    """Anonymous forms carry a solved proof-of-work challenge (static/js/proof-of-work.js)."""
    if _account_citizen_id(request):
        return True
    try:
        challenge.challenge_verify(payload=person["altcha"])
    except services.QueueError as error:
        errors["altcha"] = error.message
        return False
    return True


def _person(request, person: dict, errors: dict) -> tuple[str, str] | None:
    """(citizen_id, phone) of whoever posts this form (`person`: a valid PersonForm's data), or
    None with the reason in `errors`.

    Anonymous: a solved challenge first, so a script pays for every code it tries.
    """
    if not _challenge_passed(request, person, errors):
        return None
    try:
        citizen_id, phone = phone_codes.person_verify(
            user=request.user,
            phone=person["phone"],
            code=person["phone_code"],
            proved_phone=_proved_phone(request),
        )
    except services.QueueError as error:
        errors["phone_code"] = error.message
        return None
    if phone:
        until = timezone.now() + datetime.timedelta(minutes=PROVED_PHONE_MINUTES)
        request.session[PROVED_PHONE_SESSION_KEY] = {"phone": phone, "until": until.isoformat()}
    return citizen_id, phone


def _send_code(request, person: dict, context: dict) -> None:
    """The "Gửi mã" step of a page: a one-time code to the phone typed in the form."""
    if not _challenge_passed(request, person, context.setdefault("errors", {})):
        return
    try:
        sent = phone_codes.phone_code_send(phone=person["phone"])
    except services.QueueError as error:
        context.setdefault("errors", {})["phone"] = error.message
    else:
        context["code_sent_to"] = sent.phone


def _centre_context(centre, **extra):
    status = opening_status(centre, timezone.now())
    closed = None if status.is_open else services.closed_message(status.opens_at)
    return {
        "centre": centre,
        "services": selectors.waiting_by_service(centre),
        "priorities": [c for c in Ticket.Priority.choices if c[0]],
        "closed": closed,
        **extra,
    }


def _registered_device(request, centre, role: str = Kiosk.Role.KIOSK):
    """The kiosk (or board) this browser was registered as (its signed device cookie), or None."""
    cookie = kiosks.DEVICE_COOKIES[role]
    device_key = request.get_signed_cookie(cookie.name, default=None, salt=cookie.salt)
    return selectors.kiosk_of_device(device_key, centre, role)


def _not_a_kiosk(request, centre):
    context = _centre_context(centre, not_registered=True)
    return render(request, "queueing/kiosk.html", context, status=403)


@limit_page("kiosk")
def kiosk(request, centre_code):
    centre, missing = _centre_or_404(request, centre_code)
    if missing:
        return missing
    if _registered_device(request, centre) is None:
        return _not_a_kiosk(request, centre)
    context = _centre_context(centre)
    if request.method == "POST":
        return _take(
            request, centre, channel=Ticket.Channel.KIOSK, template="queueing/kiosk.html", context=context
        )
    return render(request, "queueing/kiosk.html", context)


@limit_page("ticket")
def take_by_phone(request, centre_code):
    """A number from afar: for a signed-in citizen, or for a phone proved with a one-time code."""
    centre, missing = _centre_or_404(request, centre_code)
    if missing:
        return missing
    context = _centre_context(centre, account_citizen_id=_account_citizen_id(request), errors={})
    if not context["account_citizen_id"]:
        context["challenge"] = challenge.challenge_issue()
    if request.method != "POST":
        return render(request, "queueing/take.html", context)
    person_form = PersonForm(request.POST)
    context["chosen"] = {"phone": person_form.typed_phone()}
    if not person_form.is_valid():
        context["errors"].update(errors_by_field(person_form))
        context["chosen"].update(TicketForm(request.POST, centre=centre).chosen())
        return render(request, "queueing/take.html", context, status=400)
    if person_form.sends_code() and not context["account_citizen_id"]:
        _send_code(request, person_form.cleaned_data, context)
        status = 400 if context["errors"] else 200
        return render(request, "queueing/take.html", context, status=status)
    person = _person(request, person_form.cleaned_data, context["errors"])
    if person is None:
        context["chosen"].update(TicketForm(request.POST, centre=centre).chosen())
        return render(request, "queueing/take.html", context, status=400)
    citizen_id, phone = person
    return _take(
        request,
        centre,
        channel=Ticket.Channel.PHONE,
        template="queueing/take.html",
        context=context,
        citizen_id=citizen_id,
        phone=phone,
    )


def _ticket_context(request, public_id):
    status = selectors.ticket_status(public_id)
    if status is None:
        return None
    url = request.build_absolute_uri(reverse("queueing:ticket", kwargs={"public_id": public_id}))
    return {"status": status, "ticket": status.ticket, "ticket_url": url}


def ticket_print(request, public_id):
    context = _ticket_context(request, public_id)
    if context is None:
        return not_found(request, _("Không tìm thấy số thứ tự này."))
    context["qr"] = qr_svg(context["ticket_url"])
    return render(request, "queueing/ticket_print.html", context)


def ticket_pdf(request, public_id):
    """The same 80 mm ticket as a PDF, for kiosks that print through a PDF driver."""
    context = _ticket_context(request, public_id)
    if context is None:
        return not_found(request, _("Không tìm thấy số thứ tự này."))
    ticket = context["ticket"]
    pdf = queue_ticket_pdf(
        centre_name=ticket.centre.name,
        number=ticket.code,
        service_name=ticket.service.name,
        issued_at=ticket.issued_at,
        people_ahead=context["status"].ahead,
        ticket_url=context["ticket_url"],
        priority_label=ticket.get_priority_display() if ticket.priority else "",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{ticket.code}.pdf"'
    return response


def ticket(request, public_id):
    context = _ticket_context(request, public_id)
    if context is None:
        return not_found(request, _("Không tìm thấy số thứ tự này."))
    template = "queueing/_ticket_status.html" if request.htmx else "queueing/ticket.html"
    return render(request, template, context)


def board(request, centre_code):
    centre, missing = _centre_or_404(request, centre_code)
    if missing:
        return missing
    if _registered_device(request, centre, Kiosk.Role.BOARD) is None:
        if request.htmx:
            # A board revoked while it shows: reload, so the screen says why it stopped.
            return HttpResponseClientRefresh()
        context = {"centre": centre, "not_registered": True}
        return render(request, "queueing/board.html", context, status=403)
    context = {"centre": centre, "calls": selectors.board_calls(centre)}
    template = "queueing/_board_calls.html" if request.htmx else "queueing/board.html"
    return render(request, template, context)


# --- Counter console (counter staff) ---------------------------------------


def _require_counter_staff(request):
    if Role.COUNTER_STAFF not in roles_of(request.user):
        raise PermissionDenied


@login_required
def counters(request):
    _require_counter_staff(request)
    shift = selectors.shift_of(request.user)
    return render(
        request,
        "queueing/counters.html",
        {"counters": selectors.counters_for_staff(request.user), "shift": shift},
    )


def _staff_counter(request, counter_id) -> Counter:
    _require_counter_staff(request)
    counter = selectors.counters_for_staff(request.user).filter(pk=counter_id).first()
    if counter is None:
        raise PermissionDenied
    return counter


# A dossier code the clerk typed for a finish that failed, to fill the field again.
TYPED_DOSSIER_CODE_SESSION_KEY = "queueing_typed_dossier_code"


@login_required
def console(request, counter_id):
    counter = _staff_counter(request, counter_id)
    shift = selectors.shift_of(request.user)
    context = {
        "counter": counter,
        "signed_in": shift is not None and shift.counter_id == counter.pk,
        "current": services.current_ticket(counter),
        "waiting": selectors.waiting_for_counter(counter),
        "services": selectors.services_of(counter.centre),
        "other_counters": Counter.objects.filter(centre=counter.centre).exclude(pk=counter.pk),
        "priorities": [c for c in Ticket.Priority.choices if c[0]],
        "typed_dossier_code": request.session.pop(TYPED_DOSSIER_CODE_SESSION_KEY, ""),
    }
    template = "queueing/_console_waiting.html" if request.htmx else "queueing/console.html"
    return render(request, template, context)


@login_required
@require_POST
def console_action(request, counter_id, action):
    counter = _staff_counter(request, counter_id)
    back = redirect("queueing:console", counter_id=counter.pk)
    if action == "sign_in":
        try:
            services.counter_sign_in(counter=counter, user=request.user)
        except services.QueueError as error:
            messages.error(request, error.message)
        return back
    shift = selectors.shift_of(request.user)
    if shift is None or shift.counter_id != counter.pk:
        messages.error(request, _("Bạn chưa vào quầy này hôm nay."))
        return back
    try:
        message = _run_action(request, counter, action)
    except services.QueueError as error:
        messages.error(request, error.message)
    else:
        if message:
            messages.success(request, message)
    return back


def _run_action(request, counter: Counter, action: str) -> str:
    if action == "call_next":
        ticket = services.ticket_call_next(counter=counter)
        if ticket is None:
            return _("Không còn ai chờ ở các dịch vụ quầy phục vụ.")
        return _("Đã gọi số %(code)s.") % {"code": ticket.code}
    if action == "recall":
        return _("Đã gọi lại số %(code)s.") % {"code": services.ticket_recall(counter=counter).code}
    if action == "no_show":
        return _("Số %(code)s vắng mặt.") % {"code": services.ticket_no_show(counter=counter).code}
    if action == "start":
        return _("Bắt đầu phục vụ số %(code)s.") % {"code": services.ticket_start(counter=counter).code}
    if action == "finish":
        form = FinishForm(request.POST)
        try:
            if not form.is_valid():
                raise first_error(form)
            ticket = services.ticket_finish(counter=counter, dossier_code=form.cleaned_data["dossier_code"])
        except services.QueueError:
            # Shown again after the redirect: the clerk corrects the code rather than typing it anew.
            request.session[TYPED_DOSSIER_CODE_SESSION_KEY] = form["dossier_code"].value() or ""
            raise
        return _("Đã xong số %(code)s.") % {"code": ticket.code}
    if action == "transfer":
        form = TransferForm(request.POST, centre=counter.centre)
        if not form.is_valid():
            raise first_error(form)
        ticket = services.ticket_transfer(
            counter=counter, to_service=form.cleaned_data["service"], to_counter=form.cleaned_data["counter"]
        )
        return _("Đã chuyển số %(code)s; số giữ nguyên thứ tự.") % {"code": ticket.code}
    if action == "issue":
        form = TicketForm(request.POST, centre=counter.centre)
        if not form.is_valid():
            raise first_error(form)
        ticket = services.ticket_issue(
            centre=counter.centre,
            service=form.cleaned_data["service"],
            channel=Ticket.Channel.COUNTER,
            priority=form.cleaned_data["priority"],
        )
        return _("Đã cấp số %(code)s.") % {"code": ticket.code}
    raise services.QueueError(_("Thao tác không hợp lệ."))


# --- Statistics (supervisors) ------------------------------------------------


@login_required
def statistics(request):
    if Role.SUPERVISOR not in roles_of(request.user):
        raise PermissionDenied
    day = local_day(timezone.now())
    try:
        day = datetime.date.fromisoformat(request.GET.get("ngay", "")) if request.GET.get("ngay") else day
    except ValueError:
        messages.error(request, _("Ngày không hợp lệ; đang hiển thị hôm nay."))
    centres = centres_supervised_by(request.user)
    context = {
        "rows": selectors.queue_statistics(centres, day=day),
        "counters": selectors.queue_statistics_by_counter(centres, day=day),
        "hours": selectors.tickets_per_hour(centres, day=day),
        "day": day,
    }
    return render(request, "queueing/statistics.html", context)


# --- Appointments ----------------------------------------------------------------


@limit_page("booking")
def book(request, centre_code):
    centre, missing = _centre_or_404(request, centre_code)
    if missing:
        return missing
    letter = request.GET.get("dich-vu") or ServiceLetterForm(request.POST or None).letter()
    service = (
        QueueService.objects.filter(centre=centre, letter=letter, active=True).first() if letter else None
    )
    if letter and service is None:
        return not_found(request, _("Trung tâm không có dịch vụ %(letter)s.") % {"letter": letter})
    account_citizen_id = _account_citizen_id(request)
    posted = request.method == "POST" and service is not None
    form = AppointmentForm(
        request.POST if posted else None,
        procedure_codes=service.procedure_codes if service else [],
        account_citizen_id=account_citizen_id,
        initial={"full_name": request.user.get_full_name()} if account_citizen_id else {},
    )
    context = {
        "centre": centre,
        "services": selectors.services_of(centre),
        "service": service,
        # Shown back as typed, errors or not (the Gửi mã step, a full slot).
        "chosen": form.typed(),
        "account_citizen_id": account_citizen_id,
        "errors": {},
        "challenge": None if account_citizen_id else challenge.challenge_issue(),
    }
    status = 200
    if posted:
        person_form = PersonForm(request.POST)
        if not person_form.is_valid():
            context["errors"].update(errors_by_field(person_form))
        elif person_form.sends_code() and not account_citizen_id:
            _send_code(request, person_form.cleaned_data, context)
        else:
            _book(request, service, form, person_form.cleaned_data, context)
            if "appointment" in context:
                return redirect("queueing:appointment", public_id=context["appointment"].public_id)
        status = 400 if context["errors"] else 200
    if service is not None:
        context["days"] = _slots_by_day(
            appointments.free_slots(service), context["chosen"].get("starts_at", "")
        )
    return render(request, "queueing/book.html", context, status=status)


def _book(request, service, form: AppointmentForm, person_data: dict, context: dict) -> None:
    """The booking POST: the appointment in `context`, or the reasons in `errors`/`refusal`."""
    errors = context["errors"]
    if not form.is_valid():
        errors.update(errors_by_field(form))
        return
    person = _person(request, person_data, errors)
    if person is None:
        return
    citizen_id, proved_phone = person
    data = form.cleaned_data
    try:
        context["appointment"] = appointments.appointment_book(
            service=service,
            starts_at=data["starts_at"],
            citizen_id=citizen_id or data["citizen_id"],
            full_name=data["full_name"],
            phone=proved_phone or data["phone"],
            user=request.user,
            hold_token=request.session.get("slot_hold_token", ""),
            procedure_code=data["procedure"],
        )
    except appointments.SlotFull as error:
        context.update({"refusal": error.message, "next_free": error.details.get("next_free", [])})
    except services.QueueError as error:
        context["refusal"] = error.message


def _hold_token(request) -> str:
    # A random token in the session identifies "this browser's hold"; nothing personal is needed yet.
    if "slot_hold_token" not in request.session:
        request.session["slot_hold_token"] = secrets.token_urlsafe(24)
    return request.session["slot_hold_token"]


@require_POST
def slot_hold(request, centre_code):
    """Keep the chosen slot for this browser while the form is completed (htmx, on choosing a slot)."""
    centre, missing = _centre_or_404(request, centre_code)
    if missing:
        return missing
    form = SlotHoldForm(request.POST)
    letter = form.letter()
    service = QueueService.objects.filter(centre=centre, letter=letter, active=True).first()
    if service is None:
        return not_found(request, _("Trung tâm không có dịch vụ %(letter)s.") % {"letter": letter})
    if not request.htmx:
        return redirect(f"{reverse('queueing:book', args=[centre.code])}?dich-vu={service.letter}")
    context = {}
    try:
        if not form.is_valid():
            raise first_error(form)
        hold = appointments.slot_hold(
            service=service, starts_at=form.cleaned_data["starts_at"], token=_hold_token(request)
        )
    except appointments.SlotFull as error:
        context.update({"refusal": error.message, "next_free": error.details.get("next_free", [])})
    except services.QueueError as error:
        context["refusal"] = error.message
    else:
        context.update(
            {
                "hold": hold,
                "local_start": hold.slot.starts_at.astimezone(appointments.LOCAL),
                "local_until": hold.expires_at.astimezone(appointments.LOCAL),
            }
        )
    return render(request, "queueing/_slot_hold.html", context)


def _slots_by_day(slots, chosen: str = "") -> list[dict]:
    """Free slots grouped by local day; the day of the chosen slot (or the first day) is open."""
    days: dict = {}
    for slot in slots:
        local = slot.starts_at.astimezone(appointments.LOCAL)
        days.setdefault(local.date(), []).append({"slot": slot, "local": local})
    grouped = [
        {"day": day, "slots": rows, "open": any(r["slot"].starts_at.isoformat() == chosen for r in rows)}
        for day, rows in days.items()
    ]
    if grouped and not any(d["open"] for d in grouped):
        grouped[0]["open"] = True
    return grouped


def appointment(request, public_id):
    found = (
        Appointment.objects.filter(public_id=public_id)
        .select_related("centre", "service", "slot", "ticket")
        .first()
    )
    if found is None:
        return not_found(request, _("Không tìm thấy lịch hẹn này."))
    if request.method == "POST":
        form = AppointmentChangeForm(request.POST)
        try:
            if not form.is_valid():
                raise first_error(form)
            action = form.cleaned_data["action"]
            if action == "cancel":
                appointments.appointment_cancel(appointment=found)
                messages.success(request, _("Đã hủy lịch hẹn."))
            elif action == "reschedule":
                appointments.appointment_reschedule(
                    appointment=found, starts_at=form.cleaned_data["starts_at"]
                )
                messages.success(request, _("Đã đổi giờ hẹn."))
            elif action == "check_in":
                ticket = appointments.appointment_check_in(appointment=found)
                return redirect("queueing:ticket", public_id=ticket.public_id)
        except services.QueueError as error:
            messages.error(request, error.message)
        return redirect("queueing:appointment", public_id=found.public_id)
    url = request.build_absolute_uri(reverse("queueing:appointment", kwargs={"public_id": found.public_id}))
    context = {
        "appointment": found,
        "qr": qr_svg(url),
        "local_start": found.slot.starts_at.astimezone(appointments.LOCAL),
    }
    if found.status == Appointment.Status.BOOKED and found.user_id and found.user_id == request.user.pk:
        # Only in her account: whoever merely has this page's address cannot check in at the kiosk.
        context["check_in_qr"] = qr_svg(appointments.check_in_token(found))
    if found.status == Appointment.Status.BOOKED:
        context["other_slots"] = [
            {"slot": s, "local": s.starts_at.astimezone(appointments.LOCAL)}
            for s in appointments.free_slots(found.service, limit=20)
            if s.starts_at != found.slot.starts_at
        ]
    return render(request, "queueing/appointment.html", context)


# Where each machine's page is: the device cookie is scoped to it, and registering lands there.
DEVICE_PAGES = {
    Kiosk.Role.KIOSK: ("queueing:take", "queueing:kiosk"),
    Kiosk.Role.BOARD: ("queueing:board",) * 2,
}


def _device_register(request, centre_code: str, link_key: str, role: str):
    """Open the one-time registration link on the machine and confirm: this browser becomes it.

    A confirmation (POST) rather than the GET itself, so a link preview cannot spend the link.
    """
    centre, missing = _centre_or_404(request, centre_code)
    if missing:
        return missing
    context = {"centre": centre, "role": role}
    if request.method != "POST":
        return render(request, "queueing/kiosk_register.html", context)
    try:
        device, device_key = kiosks.kiosk_link_redeem(centre=centre, link_key=link_key, role=role)
    except services.QueueError as error:
        context["refusal"] = error.message
        return render(request, "queueing/kiosk_register.html", context, status=403)
    scope, page = DEVICE_PAGES[role]
    response = redirect(page, centre_code=centre.code)
    cookie = kiosks.DEVICE_COOKIES[role]
    response.set_signed_cookie(
        cookie.name,
        device_key,
        salt=cookie.salt,
        max_age=10 * 365 * 24 * 3600,  # until the machine is revoked, not until a date
        # The kiosk: its page and the check-in below /xep-hang/<centre>/; the board: its page.
        path=reverse(scope, args=[centre.code]),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    messages.success(request, _("Thiết bị này đã được đăng ký là %(name)s.") % {"name": device.name})
    return response


@limit_page("kiosk")
def kiosk_register(request, centre_code, link_key):
    return _device_register(request, centre_code, link_key, Kiosk.Role.KIOSK)


@limit_page("kiosk")
def board_register(request, centre_code, link_key):
    return _device_register(request, centre_code, link_key, Kiosk.Role.BOARD)


@require_POST
def kiosk_check_in(request, centre_code):
    """At the kiosk: the booking code and a code sent to her phone (or her QR), then the printed ticket."""
    centre, missing = _centre_or_404(request, centre_code)
    if missing:
        return missing
    if _registered_device(request, centre) is None:
        return _not_a_kiosk(request, centre)
    form = KioskCheckInForm(request.POST)
    try:
        if not form.is_valid():
            raise first_error(form)
        code = form.cleaned_data["code"]
        if form.cleaned_data["action"] == SEND_CODE:
            masked = appointments.check_in_code_send(centre=centre, code=code)
            context = _centre_context(centre, check_in_code=code, code_sent_to=masked)
            return render(request, "queueing/kiosk.html", context)
        ticket = appointments.appointment_check_in_at_kiosk(
            centre=centre, code=code, proof=form.cleaned_data["proof"]
        )
    except services.QueueError as error:
        messages.error(request, error.message)
        return redirect("queueing:kiosk", centre_code=centre.code)
    return redirect("queueing:ticket_print", public_id=ticket.public_id)
