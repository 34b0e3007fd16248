"""The signed-in user, loaded with what nearly every request asks of them in one statement.

Permission checks need the user's roles and schools, forms their department and school: four
more round trips per request if each were read on first use.
"""

from __future__ import annotations

import functools
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


def _joined(through: Any, value: str) -> Subquery:
    rows = through.objects.filter(user_id=OuterRef("pk")).values("user_id")
    return Subquery(rows.annotate(joined=GroupConcat(value)).values("joined"))


@functools.cache
def _users_with_access() -> QuerySet[User]:
    return User.objects.select_related("school", "department").annotate(
        role_list=_joined(User.roles.through, "role__code"),
        other_school_list=_joined(User.other_schools.through, "school_id"),
    )


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


class UserBackend(ModelBackend):
    """Django's model backend, reading the session's user through `users_with_access`."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            found = _user_with_access(int(user_id))
        except (TypeError, ValueError):  # not a user id: a session from elsewhere
            return None
        user = found[0] if found else None
        if user is None or not self.user_can_authenticate(user):
            return None
        return with_access(user)
