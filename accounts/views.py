from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.selectors import centres_supervised_by, opening_sessions_today
from registry.selectors import citizen_profile

from .forms import SignInForm
from .selectors import Role, memberships_of, roles_of
from .services import LARGE_TEXT_COOKIE, text_size_set


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
    return _role_page(request, Role.CITIZEN, "accounts/home_citizen.html", {"profile": profile})


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
