from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.db.models import QuerySet
from django.utils import timezone

from school_logistics.core.auth import access_lists, read_with_session
from school_logistics.core.models import UserSession
from school_logistics.core.prepared import prepared


@prepared
def _live_session(key: str, now: dt.datetime) -> QuerySet[UserSession]:
    rows = UserSession.objects.filter(session_key=key, expire_date__gt=now)
    return rows.select_related("user__school", "user__department").annotate(
        **access_lists("user_id")
    )


class UserSessionRows:
    """Django's database store on `UserSession` rows: the signed-in user is read with the row
    (one prepared statement) and handed to the authentication backend."""

    session_key: Any
    _session_key: Any

    def __init__(self, session_key: str | None = None) -> None:
        super().__init__(session_key)  # type: ignore[call-arg]
        read_with_session(None)  # a new request's store: nothing read yet

    @classmethod
    def get_model_class(cls) -> type[UserSession]:
        return UserSession

    def create_model_instance(self, data: dict[str, Any]) -> UserSession:
        row: UserSession = super().create_model_instance(data)  # type: ignore[misc]
        user_id = data.get(SESSION_KEY)
        row.user_id = int(user_id) if user_id is not None else None
        return row

    def _get_session_from_db(self) -> UserSession | None:
        found = _live_session(self.session_key, timezone.now())
        if not found:
            self._session_key = None
            return None
        row = found[0]
        if row.user is not None:
            row.user.role_list = row.role_list  # type: ignore[attr-defined]
            row.user.other_school_list = row.other_school_list  # type: ignore[attr-defined]
        read_with_session(row.user)
        return row
