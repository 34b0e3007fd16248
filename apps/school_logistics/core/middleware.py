"""Speak each signed-in user's saved language, unless this browser chose one explicitly; say
in words why an action's address opened in the browser does nothing."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from school_logistics.core.views.errors import method_not_allowed

SUPPORTED = {code for code, _ in settings.LANGUAGES}


def activate_user_language(request: HttpRequest, user: object) -> None:
    """Activate the user's saved language when the request did not pick one by cookie."""
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        return
    language = getattr(user, "language", "")
    # The default is not a choice: only a language the user picked overrides the browser's.
    if language in SUPPORTED and language != settings.LANGUAGE_CODE:
        translation.activate(language)
        request.LANGUAGE_CODE = language


class UserLanguageMiddleware:
    """After authentication: the saved preference beats the browser's Accept-Language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            activate_user_language(request, user)
        return self.get_response(request)


class ActionAddressMiddleware:
    """A desk action (同意, 提交审批, 作废…) answers only POST; opened as a page (its address
    stays in the bar after a refused action) the browser would show its own empty error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.method == "GET"
            and request.path.startswith("/app/")
        ):
            return method_not_allowed(request)
        return response
