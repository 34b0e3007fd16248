"""Sign in and out of the desk."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views import i18n as i18n_views

from school_logistics.core.middleware import SUPPORTED
from school_logistics.core.models import User


class LoginForm(AuthenticationForm):
    """Django's login form with the desk's wording and widgets."""

    error_messages = {
        "invalid_login": _("用户名或密码不正确，请重新输入。"),
        "inactive": _("此账号已停用，请联系学校管理员。"),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")
        self.fields["username"].widget.attrs.update(
            {"class": "form-control form-control-lg", "autocomplete": "username"}
        )
        self.fields["password"].widget = forms.PasswordInput(
            attrs={"class": "form-control form-control-lg", "autocomplete": "current-password"}
        )

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError as exc:
            # Someone stopped (停用) who knows their password is told so, not "wrong password".
            if exc.code == "invalid_login" and self._stopped_account():
                raise ValidationError(self.error_messages["inactive"], code="inactive") from exc
            raise

    def _stopped_account(self) -> bool:
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password") or ""
        stopped = User.objects.filter(username__iexact=username, is_active=False)
        return any(user.check_password(password) for user in stopped[:2])


class LoginView(auth_views.LoginView):
    template_name = "desk/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Log out on POST only (Django's rule), then back to the sign-in page."""


def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; a signed-in user keeps the choice on every device."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if request.method == "POST" and user.is_authenticated and language in SUPPORTED:
        User.objects.filter(pk=user.pk).update(language=language)
    return response
