"""Loading the demo into a site whose usernames clash refuses before writing anything."""

from __future__ import annotations

import pytest

from school_logistics.core.models import Document, School, User
from school_logistics.demo import DemoAlreadyLoaded, load_demo

pytestmark = pytest.mark.django_db


def test_demo_refuses_when_a_demo_username_is_taken_and_writes_nothing() -> None:
    other = School.objects.create(name="另一所中学", code="other")
    User.objects.create_user("teacher", password="pass12345", school=other)

    with pytest.raises(DemoAlreadyLoaded, match="用户名已被占用：teacher"):
        load_demo()

    assert list(School.objects.values_list("code", flat=True)) == ["other"]
    assert User.objects.count() == 1 and Document.objects.count() == 0
