"""部门: the admin adds departments, names their heads and superiors (which approval routes
read), and cannot rename or remove one that documents were filed under."""

from __future__ import annotations

from typing import Any

import pytest

from school_logistics.core.models import Department, User
from tests.core.test_views import make_requisition


def _as(client: Any, user: User) -> Any:
    client.force_login(user)
    return client


def test_the_admin_adds_a_department_with_its_head_and_superior(
    client: Any, users: dict[str, User], departments: dict[str, Department]
) -> None:
    response = _as(client, users["admin"]).post(
        "/app/people/departments/",
        {"name": "英语组", "parent": departments["校长室"].pk, "head": users["colleague"].pk},
    )
    assert response.status_code == 302
    english = Department.objects.get(school=users["admin"].school, name="英语组")
    assert english.parent == departments["校长室"] and english.head == users["colleague"]
    page = client.get("/app/people/departments/").content.decode()
    assert 'data-department="英语组"' in page


def test_a_department_cannot_be_its_own_superior_nor_below_itself(
    client: Any, users: dict[str, User], departments: dict[str, Department]
) -> None:
    office, chinese = departments["校长室"], departments["语文组"]
    chinese.parent = office
    chinese.save()
    response = _as(client, users["admin"]).post(
        f"/app/people/departments/{office.pk}/", {"name": "校长室", "parent": chinese.pk}
    )
    assert response.status_code == 400
    assert "请从列表中选择本校的其他部门" in response.content.decode()
    office.refresh_from_db()
    assert office.parent is None


def test_the_head_is_someone_of_this_school(
    client: Any, users: dict[str, User], departments: dict[str, Department], outsider: User
) -> None:
    maths = departments["数学组"]
    response = _as(client, users["admin"]).post(
        f"/app/people/departments/{maths.pk}/", {"name": "数学组", "head": outsider.pk}
    )
    assert response.status_code == 400
    assert "请从列表中选择本校在用的账号" in response.content.decode()
    maths.refresh_from_db()
    assert maths.head is None


@pytest.mark.usefixtures("items")
def test_a_name_documents_were_filed_under_is_kept(
    client: Any, users: dict[str, User], departments: dict[str, Department]
) -> None:
    make_requisition(users["teacher"])  # filed under 语文组
    chinese = departments["语文组"]
    _as(client, users["admin"])
    response = client.post(f"/app/people/departments/{chinese.pk}/", {"name": "语文科组"})
    assert response.status_code == 400
    assert "已有单据记在“语文组”名下，部门不能改名" in response.content.decode()
    chinese.refresh_from_db()
    assert chinese.name == "语文组"
    # Changing its head is fine.
    ok = client.post(
        f"/app/people/departments/{chinese.pk}/", {"name": "语文组", "head": users["head"].pk}
    )
    assert ok.status_code == 302
    chinese.refresh_from_db()
    assert chinese.head == users["head"]


def test_only_an_empty_unused_department_is_deleted(
    client: Any, users: dict[str, User], departments: dict[str, Department]
) -> None:
    _as(client, users["admin"])
    busy = client.post(f"/app/people/departments/{departments['语文组'].pk}/delete", follow=True)
    assert "“语文组”还有人员" in busy.content.decode()
    assert Department.objects.filter(pk=departments["语文组"].pk).exists()
    typo = Department.objects.create(school=users["admin"].school, name="数学祖")
    client.post(f"/app/people/departments/{typo.pk}/delete")
    assert not Department.objects.filter(pk=typo.pk).exists()


def test_another_schools_admin_does_not_see_our_departments(
    client: Any, departments: dict[str, Department], outsider: User
) -> None:
    _as(client, outsider)
    chinese = departments["语文组"]
    assert client.get(f"/app/people/departments/{chinese.pk}/").status_code == 404
    assert "语文组" not in client.get("/app/people/departments/").content.decode()


def test_a_department_shows_its_stopped_members_who_keep_it(
    client: Any, users: dict[str, User], departments: dict[str, Department]
) -> None:
    kitchen = departments["食堂"]
    users["canteen"].is_active = False
    users["canteen"].save()
    kitchen.head = users["canteen"]
    kitchen.save()
    _as(client, users["admin"])
    page = client.get(f"/app/people/departments/{kitchen.pk}/").content.decode()
    assert "canteen（已停用）" in page
    # Saving its superior keeps the stopped head until another is named.
    client.post(
        f"/app/people/departments/{kitchen.pk}/",
        {"name": "食堂", "parent": departments["总务处"].pk, "head": users["canteen"].pk},
    )
    kitchen.refresh_from_db()
    assert kitchen.parent == departments["总务处"] and kitchen.head == users["canteen"]
