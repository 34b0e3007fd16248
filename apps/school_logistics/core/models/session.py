from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class UserSession(AbstractBaseSession):
    """A session row naming its signed-in user, so one statement reads the session and the user.

    Deleting a user deletes their sessions.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    @classmethod
    def get_session_store_class(cls) -> Any:
        from school_logistics.core.sessions.db import SessionStore

        return SessionStore
