from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Tên đăng nhập hoặc mật khẩu không đúng. "
            "Công dân đăng nhập bằng số định danh cá nhân (12 chữ số)."
        ),
        "inactive": _("Tài khoản này đã bị khóa."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Số định danh cá nhân hoặc tên đăng nhập")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].label = _("Mật khẩu")


class OtpForm(forms.Form):
    token = forms.CharField(
        label=_("Mã 6 số trên ứng dụng xác thực"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}
        ),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("Mã gồm 6 chữ số."))
        return token


class EnrolmentCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Mã đăng ký do quản trị viên cấp"),
        max_length=20,
        help_text=_("12 chữ và số, ví dụ ABCD-EFGH-JKLM. Mỗi mã chỉ dùng được một lần."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


def _new_password_fields(form) -> None:
    form.fields["new_password1"].label = _("Mật khẩu mới")
    form.fields["new_password1"].help_text = _(
        "Ít nhất 8 ký tự, không toàn chữ số, không quá giống tên hoặc số định danh của bạn."
    )
    form.fields["new_password2"].label = _("Nhập lại mật khẩu mới")
    form.fields["new_password2"].help_text = ""


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Her current password, then the new one twice (Django's checks, Vietnamese labels)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Mật khẩu hiện tại")
        _new_password_fields(self)


class PasswordResetRequestForm(forms.Form):
    username = forms.CharField(
        label=_("Số định danh cá nhân"),
        max_length=12,
        min_length=12,
        help_text=_("12 chữ số, in trên thẻ căn cước."),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "username", "pattern": "[0-9]{12}"}
        ),
    )

    def clean_username(self):
        value = self.cleaned_data["username"].strip()
        if not value.isdigit():
            raise forms.ValidationError(_("Số định danh cá nhân gồm 12 chữ số."))
        return value


class PasswordResetConfirmForm(auth_forms.SetPasswordForm):
    """The code she received and her new password. No user yet: which account is for the service
    to find, so a wrong name and a wrong code answer the same."""

    username = PasswordResetRequestForm.base_fields["username"]
    code = forms.CharField(
        label=_("Mã xác nhận 6 số"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}
        ),
    )
    field_order = ["username", "code", "new_password1", "new_password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(None, *args, **kwargs)
        _new_password_fields(self)

    clean_username = PasswordResetRequestForm.clean_username

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError(_("Mã gồm 6 chữ số."))
        return code


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Địa chỉ e-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class EmailCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Mã 6 số trong e-mail"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}
        ),
    )
