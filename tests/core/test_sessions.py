"""Sessions name their user: one statement reads both, and what it reads is fresh."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from school_logistics.core.models import User, UserSession


def test_an_expired_session_signs_the_user_out(client: Any, users: dict[str, User]) -> None:
    client.force_login(users["teacher"])
    assert client.get("/app/").status_code == 200
    UserSession.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    # With Redis the session is read from the cache first: drop it there, as its TTL would.
    caches[settings.SESSION_CACHE_ALIAS].delete(KEY_PREFIX + client.session.session_key)
    response = client.get("/app/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_a_signed_in_request_reads_its_session_and_user_in_one_statement(
    client: Any, users: dict[str, User], settings: Any
) -> None:
    settings.SESSION_ENGINE = "school_logistics.core.sessions.db"  # no cache in front of the rows
    teacher = users["teacher"]
    client.force_login(teacher)
    assert UserSession.objects.get().user == teacher
    with CaptureQueriesContext(connection) as run:
        response = client.get("/app/")
    assert response.status_code == 200 and response.context["user"] == teacher
    first = run.captured_queries[0]["sql"]
    assert 'FROM "core_usersession"' in first and 'JOIN "core_user"' in first
    by_id = f'"core_user"."id" = {teacher.pk}'
    assert not any(by_id in q["sql"] for q in run.captured_queries[1:])


def test_roles_taken_away_count_from_the_next_request(
    client: Any, users: dict[str, User], settings: Any
) -> None:
    settings.SESSION_ENGINE = "school_logistics.core.sessions.db"
    admin = users["admin"]
    client.force_login(admin)
    assert client.get("/app/print-letterhead/").status_code == 200
    admin.roles.clear()
    assert client.get("/app/print-letterhead/").status_code == 403


def test_the_backend_takes_a_handed_over_user_only_for_the_same_id(users: dict[str, User]) -> None:
    from school_logistics.core.auth import UserBackend, read_with_session

    teacher, head = users["teacher"], users["head"]
    read_with_session(teacher)
    assert UserBackend().get_user(head.pk) == head  # read from the database instead
    read_with_session(teacher)
    with CaptureQueriesContext(connection) as run:
        assert UserBackend().get_user(teacher.pk) is teacher
    assert len(run) == 0
    with CaptureQueriesContext(connection) as run:
        assert UserBackend().get_user(teacher.pk) == teacher  # handed over once only
    assert len(run) == 1


def test_deleting_a_user_ends_their_sessions(client: Any, users: dict[str, User]) -> None:
    colleague = users["colleague"]
    client.force_login(colleague)
    colleague.delete()
    assert not UserSession.objects.exists()
