"""A user signed in with a password an admin handed over chooses their own before anything else."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# The desk, and the API as a signed-in browser reaches it (API keys included: one issued with
# a handed-over password is not yet the holder's alone). A call made with a key carries no
# session, so it is not held up here; resetting a password withdraws the key.
GUARDED = ("/app/", "/api/")


class PasswordChangeRequiredMiddleware:
    """Send such a user's pages to 修改密码; sign-out and the language switch stay open."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(GUARDED) or request.path == reverse("people:password"):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            return redirect("people:password")
        return self.get_response(request)
