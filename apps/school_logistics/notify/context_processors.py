"""The bell's unread count on every desk page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from school_logistics.notify import services


def unread(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(lambda: services.unread(user).count())}
