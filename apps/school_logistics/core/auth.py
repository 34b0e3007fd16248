"""The signed-in user, loaded with what nearly every request asks of them in one statement.

Permission checks need the user's roles and schools, forms their department and school: four
more round trips per request if each were read on first use.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Aggregate, CharField, OuterRef, QuerySet, Subquery

from school_logistics.core.models import User
from school_logistics.core.prepared import prepared


class GroupConcat(Aggregate):
    """Values joined with commas: SQLite's GROUP_CONCAT, PostgreSQL's STRING_AGG."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s(%(expressions)s::text, ',')",
            **extra,
        )


def _joined(through: Any, value: str, user: str) -> Subquery:
    rows = through.objects.filter(user_id=OuterRef(user)).values("user_id")
    return Subquery(rows.annotate(joined=GroupConcat(value)).values("joined"))


def access_lists(user: str = "pk") -> dict[str, Subquery]:
    """The annotations `with_access` reads, for the user whose id is the column `user`."""
    return {
        "role_list": _joined(User.roles.through, "role__code", user),
        "other_school_list": _joined(User.other_schools.through, "school_id", user),
    }


@functools.cache
def _users_with_access() -> QuerySet[User]:
    return User.objects.select_related("school", "department").annotate(**access_lists())


def users_with_access() -> QuerySet[User]:
    """Users with school, department, role codes and other schools read in the same query.

    Built once and cloned per request: resolving the two subqueries costs more CPU than the
    statement they save, every time.
    """
    return _users_with_access().all()


def with_access(user: User) -> User:
    """Keep the annotated roles and schools where `role_codes()` and `school_ids()` look."""
    roles = getattr(user, "role_list", None) or ""
    schools = getattr(user, "other_school_list", None) or ""
    user.remember_access(
        roles=[code for code in roles.split(",") if code],
        other_school_ids=[int(pk) for pk in schools.split(",") if pk],
    )
    return user


@prepared
def _user_with_access(pk: int) -> QuerySet[User]:
    return _users_with_access().filter(pk=pk)


# The user the session store read with this request's session row (core/sessions), if any.
_read_with_session: ContextVar[User | None] = ContextVar("read_with_session", default=None)


def read_with_session(user: User | None) -> None:
    """Hand over (or, with None, forget) the user read with the current request's session."""
    _read_with_session.set(user)


class UserBackend(ModelBackend):
    """Django's model backend, reading the session's user through `users_with_access`, or
    taking the one the session store read with the session row in the same statement.

    A username typed with other capitals ("Teacher") signs in as the one account so named
    but for case: usernames are unique regardless of case (用户与部门 refuses look-alikes).
    """

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kw: Any
    ) -> User | None:
        user = super().authenticate(request, username=username, password=password, **kw)
        if user is None and username and password:
            alike = list(User.objects.filter(username__iexact=username)[:2])
            if len(alike) == 1 and alike[0].username != username:
                found = alike[0].username
                user = super().authenticate(request, username=found, password=password, **kw)
        return user

    def get_user(self, user_id: Any) -> User | None:
        try:
            pk = int(user_id)
        except (TypeError, ValueError):  # not a user id: a session from elsewhere
            return None
        user = _read_with_session.get()
        _read_with_session.set(None)  # used once: a later lookup reads the row again
        if user is None or user.pk != pk:
            found = _user_with_access(pk)
            user = found[0] if found else None
        if user is None or not self.user_can_authenticate(user):
            return None
        return with_access(user)
