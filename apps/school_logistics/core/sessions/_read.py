from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.sessions.models import Session
from django.db.models import QuerySet
from django.utils import timezone

from school_logistics.core.prepared import prepared


@prepared
def _live_session(key: str, now: dt.datetime) -> QuerySet[Session]:
    return Session.objects.filter(session_key=key, expire_date__gt=now)


class PreparedRead:
    """`_get_session_from_db` of Django's database store, as one prepared statement."""

    session_key: Any
    _session_key: Any

    def _get_session_from_db(self) -> Session | None:
        found = _live_session(self.session_key, timezone.now())
        if not found:
            self._session_key = None
            return None
        return found[0]
