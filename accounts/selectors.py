from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from agencies.models import Membership


class Role(StrEnum):
    CITIZEN = "citizen"
    COUNTER_STAFF = Membership.Role.COUNTER_STAFF.value
    AGENCY_OFFICER = Membership.Role.AGENCY_OFFICER.value
    SUPERVISOR = Membership.Role.SUPERVISOR.value

    @property
    def label(self):
        return ROLE_LABELS[self]

    @property
    def home_url_name(self) -> str:
        return f"accounts:home_{self.value}"


ROLE_LABELS = {
    Role.CITIZEN: _("Công dân"),
    Role.COUNTER_STAFF: _("Cán bộ một cửa"),
    Role.AGENCY_OFFICER: _("Cán bộ chuyên môn"),
    Role.SUPERVISOR: _("Lãnh đạo, giám sát"),
}


def roles_of(user) -> list[Role]:
    """The roles a signed-in person holds, staff roles first (they sign in to work)."""
    if not user.is_authenticated:
        return []
    roles = []
    held = set(user.memberships.values_list("role", flat=True))
    for role in (Role.COUNTER_STAFF, Role.AGENCY_OFFICER, Role.SUPERVISOR):
        if role.value in held:
            roles.append(role)
    if user.citizen_id:
        roles.append(Role.CITIZEN)
    return roles


def memberships_of(user, role: Role):
    return user.memberships.filter(role=role.value).select_related(
        "centre__ward__province", "agency__province", "agency__ward", "province"
    )


def is_staff_member(user) -> bool:
    """Counter staff, agency officers and supervisors: the people two-factor sign-in is for."""
    return bool(user.is_authenticated and (user.is_staff or user.memberships.exists()))


def needs_second_factor(user) -> bool:
    """True while a staff member signed in with a password only, when the setting asks for 2FA."""
    from django.conf import settings

    if not settings.ACCOUNTS_STAFF_2FA_REQUIRED or not user.is_authenticated:
        return False
    verified = getattr(user, "is_verified", None)
    return not (verified and verified()) and is_staff_member(user)


def totp_confirmed_device(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def totp_pending_device(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()


def recovery_users(username: str):
    """The citizen accounts a recovery code may be sent for (none or one), as a query.

    Citizens only (by citizen ID): staff and administrators get a new password from an
    administrator, never from a code to a phone.
    """
    from .models import User

    username = (username or "").strip()
    if not username.isdigit():
        return User.objects.none()
    return User.objects.filter(citizen_id=username, is_active=True, is_staff=False, is_superuser=False)


def recovery_user(username: str):
    """The citizen account a recovery code may be sent for, or None."""
    return recovery_users(username).first()


def recovery_destinations(user) -> tuple[str, str]:
    """(phone, e-mail) a recovery code may go to: the phone the population registry holds for her
    citizen ID, and her e-mail only once she has verified it; "" for each she lacks."""
    from registry.base import population_registry

    person = population_registry().lookup(user.citizen_id) if user.citizen_id else None
    phone = person.phone if person is not None else ""
    email = user.email if user.email and user.email_verified_at else ""
    return phone, email


def totp_pending_device_for_display(user):
    """The unconfirmed device whose QR code is on her enrolment page (read only, no lock)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
