"""Values every desk page needs: the school and the user's languages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def desk(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    school = getattr(user, "school", None) if user and user.is_authenticated else None
    return {"current_school": school}
