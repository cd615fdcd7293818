from base64 import b32encode

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from agencies.selectors import centres_supervised_by, opening_sessions_today
from qrcodes.images import qr_svg
from registry.selectors import citizen_profile, registry_reads_of

from .forms import (
    EmailCodeForm,
    EmailForm,
    EnrolmentCodeForm,
    OtpForm,
    PasswordChangeForm,
    PasswordResetConfirmForm,
    PasswordResetRequestForm,
    SignInForm,
)
from .selectors import (
    Role,
    memberships_of,
    roles_of,
    totp_confirmed_device,
    totp_pending_device_for_display,
)
from .services import (
    LARGE_TEXT_COOKIE,
    email_verification_confirm,
    email_verification_send,
    password_reset_confirm,
    password_reset_request,
    password_set,
    staff_enrolment_start,
    text_size_set,
    totp_device_confirm,
)


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


@login_required
def home(request):
    roles = roles_of(request.user)
    if not roles:
        messages.info(request, _("Tài khoản của bạn chưa được gán vai trò nào. Hãy liên hệ quản trị viên."))
        return redirect("landing")
    return redirect(roles[0].home_url_name)


def _role_page(request, role: Role, template: str, context: dict):
    roles = roles_of(request.user)
    if role not in roles:
        raise PermissionDenied
    context.update({"role": role, "other_roles": [r for r in roles if r != role]})
    return render(request, template, context)


@login_required
def home_citizen(request):
    profile = citizen_profile(request.user.citizen_id) if request.user.citizen_id else None
    reads = registry_reads_of(request.user.citizen_id) if request.user.citizen_id else []
    return _role_page(
        request, Role.CITIZEN, "accounts/home_citizen.html", {"profile": profile, "registry_reads": reads}
    )


@login_required
def home_counter_staff(request):
    centres = [m.centre for m in memberships_of(request.user, Role.COUNTER_STAFF)]
    rows = [
        {"centre": c, "sessions": opening_sessions_today(c), "counters": c.counters.all()} for c in centres
    ]
    return _role_page(request, Role.COUNTER_STAFF, "accounts/home_counter_staff.html", {"rows": rows})


@login_required
def home_agency_officer(request):
    agencies = [m.agency for m in memberships_of(request.user, Role.AGENCY_OFFICER)]
    return _role_page(
        request, Role.AGENCY_OFFICER, "accounts/home_agency_officer.html", {"agencies": agencies}
    )


@login_required
def home_supervisor(request):
    scopes = [m.scope for m in memberships_of(request.user, Role.SUPERVISOR)]
    centres = centres_supervised_by(request.user)
    return _role_page(
        request, Role.SUPERVISOR, "accounts/home_supervisor.html", {"scopes": scopes, "centres": centres}
    )


@require_POST
def text_size(request):
    """Switch large text on or off; works without JavaScript (a plain form post)."""
    large = request.POST.get("large") == "1"
    text_size_set(user=request.user, large=large)
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    response = redirect(next_url)
    response.set_cookie(LARGE_TEXT_COOKIE, "1" if large else "0", max_age=365 * 24 * 3600, samesite="Lax")
    return response


def _next_url(request) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return "/trang-cua-toi/"
    return next_url


# The session remembers, for this sign-in only, that she typed her administrator's enrolment code.
ENROLMENT_SESSION_KEY = "accounts_enrolment_code_ok"


@login_required
def otp_enrol(request):
    """A staff member adds an authenticator app: first the enrolment code her administrator gave
    her (`manage.py staff_enrolment_code`), then the QR code to scan and the first code to confirm.

    The password alone never shows the QR code: whoever learnt it could bind their own phone.
    """
    if totp_confirmed_device(request.user):
        return redirect(f"{reverse('accounts:otp_verify')}?next={_next_url(request)}")
    device = None
    if request.session.get(ENROLMENT_SESSION_KEY) == request.user.pk:
        device = totp_pending_device_for_display(request.user)
    if device is None:
        return _enrolment_code_step(request)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = totp_device_confirm(user=request.user, token=form.cleaned_data["token"])
        if confirmed is not None:
            otp_login(request, confirmed)
            request.session.pop(ENROLMENT_SESSION_KEY, None)
            messages.success(request, _("Đã bật xác thực hai lớp cho tài khoản của bạn."))
            return redirect(_next_url(request))
        form.add_error(
            "token", _("Mã không đúng. Hãy nhập mã đang hiện trên ứng dụng (đổi sau mỗi 30 giây).")
        )
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/otp_enrol.html",
        {
            "form": form,
            # Generated by qrcode from our own otpauth:// URL: no user text in the markup.
            "qr": mark_safe(qr_svg(device.config_url)),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": _next_url(request),
        },
    )


def _enrolment_code_step(request):
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if staff_enrolment_start(user=request.user, code=form.cleaned_data["code"]) is not None:
            request.session[ENROLMENT_SESSION_KEY] = request.user.pk
            return redirect(f"{reverse('accounts:otp_enrol')}?next={_next_url(request)}")
        form.add_error(
            "code",
            _(
                "Mã đăng ký không đúng, đã hết hạn hoặc đã dùng. Hãy nhập lại, hoặc xin quản trị viên "
                "cấp mã mới."
            ),
        )
    return render(
        request,
        "accounts/otp_enrol_code.html",
        {"form": form, "next": _next_url(request)},
        status=400 if form.errors else 200,
    )


@login_required
def otp_verify(request):
    """The second step of a staff sign-in: the code from the authenticator app."""
    device = totp_confirmed_device(request.user)
    if device is None:
        return redirect(f"{reverse('accounts:otp_enrol')}?next={_next_url(request)}")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("token", _("Mã không đúng hoặc đã hết hạn. Hãy nhập mã đang hiện trên ứng dụng."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out sign-in: the API's own JSON 429, or a page saying why."""
    if request.path.startswith("/api/") and original_response is not None:
        return original_response
    return render(request, "accounts/locked_out.html", status=429)


@login_required
def tokens(request):
    """A person's API tokens, and for counter staff the kiosk tokens of their centres: make, revoke.

    A new key is shown once, on the answer to the POST that made it; only its digest is kept.
    """
    from django.db.models import Q

    from .models import ApiToken
    from .services import api_token_issue, api_token_revoke

    centres = [m.centre for m in memberships_of(request.user, Role.COUNTER_STAFF)]
    visible = ApiToken.objects.filter(
        Q(user=request.user) | Q(kind=ApiToken.Kind.KIOSK, centre__in=centres), revoked_at__isnull=True
    ).select_related("centre")
    new_key, error = None, None
    if request.method == "POST":
        if "revoke" in request.POST:
            chosen = request.POST.get("revoke", "")
            token = visible.filter(pk=chosen).first() if chosen.isdigit() else None
            if token is not None:
                api_token_revoke(token=token)
                messages.success(request, _("Đã thu hồi mã truy cập."))
            return redirect("accounts:tokens")
        centre = next((c for c in centres if str(c.pk) == request.POST.get("centre")), None)
        name = request.POST.get("name", "").strip()[:100]
        if centre is None:
            error = _("Hãy chọn trung tâm của ki-ốt.")
        elif not name:
            error = _("Hãy đặt tên cho ki-ốt, ví dụ “Ki-ốt sảnh A”, để sau này nhận ra.")
        else:
            _token, new_key = api_token_issue(kind=ApiToken.Kind.KIOSK, centre=centre, name=name, days=0)
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": visible.order_by("-created_at"), "centres": centres, "new_key": new_key, "error": error},
        status=400 if error else 200,
    )


# --- Passwords --------------------------------------------------------------


@login_required
def password_change(request):
    """Her current password, then a new one. Other devices are signed out (Django's session hash)
    and her API tokens revoked (accounts.passwords); this browser stays signed in."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = password_set(user=request.user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)
        messages.success(
            request,
            _("Đã đổi mật khẩu. Các thiết bị khác đã bị đăng xuất và mã truy cập API cũ đã bị thu hồi."),
        )
        return redirect("accounts:home")
    return render(
        request, "accounts/password_change.html", {"form": form}, status=400 if form.errors else 200
    )


RESET_SESSION_KEY = "accounts_reset_username"


def password_reset(request):
    """Step 1 of recovery: her citizen ID. The answer, and the work done to give it, are the same
    whether or not an account exists (the code is sent by a worker: services.password_reset_request)."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password_reset_request(username=form.cleaned_data["username"])
        request.session[RESET_SESSION_KEY] = form.cleaned_data["username"]
        messages.info(
            request,
            _(
                "Nếu số định danh này có tài khoản, chúng tôi đã gửi mã xác nhận 6 số tới số điện thoại "
                "của bạn trong Cơ sở dữ liệu dân cư và tới e-mail bạn đã xác minh (nếu có)."
            ),
        )
        return redirect("accounts:password_reset_confirm")
    return render(request, "accounts/password_reset.html", {"form": form}, status=400 if form.errors else 200)


def password_reset_confirm_view(request):
    """Step 2 of recovery: the code and a new password."""
    form = PasswordResetConfirmForm(
        request.POST or None, initial={"username": request.session.get(RESET_SESSION_KEY, "")}
    )
    if request.method == "POST" and form.is_valid():
        user = password_reset_confirm(
            username=form.cleaned_data["username"],
            code=form.cleaned_data["code"],
            password=form.cleaned_data["new_password1"],
        )
        if user is not None:
            request.session.pop(RESET_SESSION_KEY, None)
            messages.success(request, _("Đã đặt mật khẩu mới. Hãy đăng nhập bằng mật khẩu mới."))
            return redirect("accounts:login")
        form.add_error(
            "code",
            _(
                "Mã không đúng, đã hết hạn hoặc đã dùng hết số lần thử. Hãy kiểm tra số định danh "
                "và mã, hoặc xin mã mới."
            ),
        )
    return render(
        request, "accounts/password_reset_confirm.html", {"form": form}, status=400 if form.errors else 200
    )


# Per client address, both steps counted together (requestlimits.rates.PageLimitMiddleware): the
# per-account limits (codes an hour, tries per code) do not stop one client from asking codes for
# many numbers or trying codes across many accounts.
password_reset.rate_limit_scope = "recovery"
password_reset_confirm_view.rate_limit_scope = "recovery"


EMAIL_SESSION_KEY = "accounts_email_code_sent"


@login_required
def email_verify(request):
    """She adds an e-mail and types the code sent there; only then may recovery codes go to it."""
    code_sent = request.session.get(EMAIL_SESSION_KEY) == request.user.pk
    email_form = EmailForm(request.POST if "email" in request.POST else None)
    code_form = EmailCodeForm(request.POST if "code" in request.POST else None)
    if request.method == "POST" and email_form.is_bound and email_form.is_valid():
        if email_verification_send(user=request.user, email=email_form.cleaned_data["email"]):
            request.session[EMAIL_SESSION_KEY] = request.user.pk
            messages.info(request, _("Đã gửi mã 6 số tới e-mail này. Hãy nhập mã để xác minh."))
            return redirect("accounts:email_verify")
        email_form.add_error("email", _("Bạn đã xin mã quá nhiều lần. Hãy thử lại sau một giờ."))
    elif request.method == "POST" and code_form.is_bound and code_form.is_valid():
        if email_verification_confirm(user=request.user, code=code_form.cleaned_data["code"]) is not None:
            request.session.pop(EMAIL_SESSION_KEY, None)
            messages.success(
                request, _("Đã xác minh e-mail. Mã lấy lại mật khẩu có thể gửi tới địa chỉ này.")
            )
            return redirect("accounts:home")
        code_form.add_error("code", _("Mã không đúng hoặc đã hết hạn. Hãy nhập lại hoặc xin mã mới."))
    errors = email_form.errors or code_form.errors
    return render(
        request,
        "accounts/email_verify.html",
        {"email_form": email_form, "code_form": code_form, "code_sent": code_sent},
        status=400 if errors else 200,
    )
