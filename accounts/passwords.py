"""What happens whenever a password changes, however it was changed."""

from __future__ import annotations

from django.utils.translation import gettext as _


class RevokeTokensOnPasswordChange:
    """Revokes the person's API tokens when her password changes.

    Listed in AUTH_PASSWORD_VALIDATORS only for the hook: Django calls every validator's
    `password_changed()` after `set_password()` and `save()`, which is how every path changes a
    password (our pages, recovery, the admin, `manage.py changepassword`). A token taken with a
    password that leaked would otherwise outlive the change that was meant to shut the thief out.
    It refuses no password. Hash upgrades at sign-in do not call it (Django saves those without it).
    """

    def validate(self, password, user=None) -> None:
        return None

    def password_changed(self, password, user=None) -> None:
        from .services import api_tokens_revoke_all

        if user is not None and user.pk is not None:
            api_tokens_revoke_all(user=user)

    def get_help_text(self) -> str:
        return _("Khi đổi mật khẩu, mọi mã truy cập API của bạn bị thu hồi.")
