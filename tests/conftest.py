"""Shared fixtures: a small school with a user per role, built through the real models."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from school_logistics.core.models import Department, Role, School, User
from school_logistics.core.roles import ensure_default_roles


def pytest_sessionstart(session: pytest.Session) -> None:
    """In CI, a missing PostgreSQL or Redis fails the run instead of skipping tests."""
    if os.environ.get("CI") != "true":
        return
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        import psycopg

        db = settings.DATABASES["default"]
        psycopg.connect(
            host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres"
        ).close()
    if settings.REDIS_URL:
        import redis

        redis.Redis.from_url(settings.REDIS_URL).ping()


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    """Hash test passwords cheaply: PBKDF2 for ten users per test dominated the suite's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    """Each test starts in the site's language: a test client request by an English-speaking
    user activates English in this thread, and the next test's messages would follow it."""
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def approval_flows(request: pytest.FixtureRequest) -> None:
    """Shipped approval flows run only in tests marked `workflows`; the rest submit directly.

    Engine and domain tests check what submission does; the flows are tested on their own.
    """
    names = set(request.fixturenames)
    if "transactional_db" in names or "live_server" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names:
        request.getfixturevalue("db")
    else:
        return
    from school_logistics.workflow.models import Workflow
    from school_logistics.workflow.sync import sync_flows

    if request.node.get_closest_marker("workflows"):
        sync_flows()  # a flushed transactional database lost what migrate loaded
    else:
        Workflow.objects.update(is_active=False)


def make_user(
    username: str,
    school: School,
    *roles: str,
    department: Department | None = None,
    full_name: str = "",
) -> User:
    user = User.objects.create_user(
        username=username,
        password="pass12345",
        school=school,
        department=department,
        full_name=full_name or username,
    )
    user.roles.set(Role.objects.filter(code__in=roles))
    return user


@pytest.fixture
def school(db: None) -> School:
    ensure_default_roles()
    return School.objects.create(name="测试第一中学", code="test-one")


@pytest.fixture
def other_school(db: None) -> School:
    return School.objects.create(name="测试第二中学", code="test-two")


@pytest.fixture
def departments(school: School) -> dict[str, Department]:
    return {
        name: Department.objects.create(school=school, name=name)
        for name in ["语文组", "数学组", "总务处", "食堂", "校长室"]
    }


@pytest.fixture
def users(school: School, departments: dict[str, Department]) -> dict[str, User]:
    """An owner, a colleague in the same department, and one user per other role."""
    d = departments
    return {
        "teacher": make_user("teacher", school, "teacher", department=d["语文组"]),
        "colleague": make_user("colleague", school, "teacher", department=d["语文组"]),
        "head": make_user("head", school, "teacher", "dept_head", department=d["语文组"]),
        "purchaser": make_user("purchaser", school, "purchaser", department=d["总务处"]),
        "storekeeper": make_user("storekeeper", school, "storekeeper", department=d["总务处"]),
        "worker": make_user("worker", school, "repair_worker", department=d["总务处"]),
        "canteen": make_user("canteen", school, "canteen_manager", department=d["食堂"]),
        "finance": make_user("finance", school, "finance", department=d["总务处"]),
        "principal": make_user("principal", school, "principal", department=d["校长室"]),
        "admin": make_user("admin", school, "sys_admin", department=d["总务处"]),
    }


@pytest.fixture
def outsider(other_school: School) -> User:
    """A purchaser of another school: holds the role, must still see nothing of ours."""
    dept = Department.objects.create(school=other_school, name="总务处")
    return make_user("outsider", other_school, "purchaser", "sys_admin", department=dept)


@pytest.fixture
def heads(departments: dict[str, Department], users: dict[str, User]) -> None:
    """语文组 is headed by `head`; its parent office by the principal (as the shipped flows need)."""
    office = departments["校长室"]
    office.head = users["principal"]
    office.save()
    chinese = departments["语文组"]
    chinese.head = users["head"]
    chinese.parent = office
    chinese.save()
