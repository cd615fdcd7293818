import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.citizen_id import validate_citizen_id


class User(AbstractUser):
    """A person who signs in: a citizen (linked to the registry by ID number) or a member of staff."""

    citizen_id = models.CharField(
        _("số định danh cá nhân"),
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_citizen_id],
    )
    # Kept on the account so a citizen who needs large text gets it on every device.
    large_text = models.BooleanField(_("chữ lớn"), default=False)
    # Set when she typed the code sent to `email`: only a verified address may receive a code that
    # resets her password (the registry holds her phone, not her e-mail).
    email_verified_at = models.DateTimeField(_("e-mail đã xác minh lúc"), null=True, blank=True)

    def __str__(self):
        return self.get_full_name() or self.username


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for an app (acting as its user) or a kiosk (taking tickets for one centre).

    Only the SHA-256 digest of the key is stored: the key is shown once, when it is made.
    """

    class Kind(models.TextChoices):
        USER = "user", _("Ứng dụng của người dùng")
        KIOSK = "kiosk", _("Ki-ốt lấy số")

    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True, related_name="api_tokens")
    centre = models.ForeignKey(
        "agencies.Centre", on_delete=models.CASCADE, null=True, blank=True, related_name="kiosk_tokens"
    )
    name = models.CharField(_("tên"), max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)  # shown in lists so a person can tell tokens apart
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")
        constraints = [
            # A user token acts for a person; a kiosk token for one centre and nobody else.
            models.CheckConstraint(
                condition=(models.Q(kind="user", user__isnull=False, centre__isnull=True))
                | (models.Q(kind="kiosk", user__isnull=True, centre__isnull=False)),
                name="api_token_kind_scope",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.prefix}…"

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class OneTimeCode(models.Model):
    """A code sent to a person (or handed to them by an administrator) to prove one thing, once.

    Only a keyed hash is stored, so a copy of the database does not give a working code; each
    code dies when used, when it expires, when a newer one of the same purpose is issued, or
    after `settings.ACCOUNTS_CODE_MAX_ATTEMPTS` wrong tries (a six-digit code cannot be guessed
    in so few).
    """

    class Purpose(models.TextChoices):
        PASSWORD_RESET = "password_reset", _("Lấy lại mật khẩu")
        STAFF_ENROLMENT = "staff_enrolment", _("Đăng ký ứng dụng xác thực")
        EMAIL_VERIFY = "email_verify", _("Xác minh e-mail")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="one_time_codes")
    purpose = models.CharField(_("mục đích"), max_length=20, choices=Purpose.choices)
    salt = models.CharField(max_length=32)
    digest = models.CharField(max_length=64)
    # The e-mail address a verification code was sent to: verified is that address, not a later one.
    address = models.CharField(_("gửi tới"), max_length=254, blank=True)
    # Enrolment codes: the administrator who issued it (None when issued from the command line).
    issued_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã dùng một lần")
        verbose_name_plural = _("mã dùng một lần")
        indexes = [models.Index(fields=["user", "purpose", "created_at"])]

    def __str__(self):
        return f"{self.get_purpose_display()} — {self.user}"


class RecoveryRequest(models.Model):
    """A citizen ID typed on the recovery page, waiting for a worker to send its code.

    The page records only this, whoever the number belongs to, so its answer takes the same work
    for an account, a number without one, and a staff member's; the outbox relay hands the row to
    a worker, which sends a code if there is an account to send it for. The row is deleted when
    handled: a typed number is kept no longer than it takes to answer it.
    """

    citizen_id = models.CharField(max_length=12)
    # Her page's language, for the SMS the worker writes.
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("yêu cầu lấy lại mật khẩu")
        verbose_name_plural = _("yêu cầu lấy lại mật khẩu")

    def __str__(self):
        return f"{self.citizen_id[:3]}…"
