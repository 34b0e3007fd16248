"""Values every desk page needs: the school, the sidebar and the languages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def desk(request: HttpRequest) -> dict[str, Any]:
    """Return the current school and a lazily computed sidebar for signed-in users."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    if not signed_in:
        return {"current_school": None, "desk_nav": None, "desk_languages": settings.LANGUAGES}
    from school_logistics.core.views.doctypes import DeskNav

    return {
        "current_school": user.school,  # type: ignore[union-attr]
        "desk_nav": DeskNav(user),  # type: ignore[arg-type]
        "desk_languages": settings.LANGUAGES,
    }
