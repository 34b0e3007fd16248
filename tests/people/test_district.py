"""The district's administrator adds a school and its first admin, and manages any school's
accounts; a school's admin does neither."""

from __future__ import annotations

from typing import Any

from school_logistics.core.models import Role, School, User
from tests.conftest import make_user


def _district_admin(school: School) -> User:
    admin = make_user("district", school, "sys_admin")
    admin.is_superuser = True
    admin.save()
    return admin


def test_a_new_school_gets_its_first_admin_from_the_district(
    client: Any, users: dict[str, User], school: School
) -> None:
    client.force_login(_district_admin(school))
    response = client.post(
        "/app/people/schools/", {"name": "清河区第三小学（测试）", "code": "QH-3", "address": ""}
    )
    assert response.status_code == 302
    third = School.objects.get(code="qh-3")
    # The district admin now works on the new school: its first department and admin.
    client.post("/app/people/departments/", {"name": "校长室"})
    office = third.departments.get(name="校长室")
    created = client.post(
        "/app/people/new",
        {
            "username": "qh3.admin",
            "full_name": "第三小学管理员",
            "department": office.pk,
            "roles": [Role.objects.get(code="sys_admin").pk],
            "password": "k7mq-3p9x",
        },
    )
    assert created.status_code == 302
    admin = User.objects.get(username="qh3.admin")
    assert admin.school == third and admin.department == office
    # The new admin (once they chose their own password) manages their school, not ours.
    assert admin.must_change_password
    User.objects.filter(pk=admin.pk).update(must_change_password=False)
    client.force_login(admin)
    text = client.get("/app/people/").content.decode()
    assert 'data-username="qh3.admin"' in text and 'data-username="teacher"' not in text


def test_a_school_code_is_a_web_address_part(client: Any, school: School) -> None:
    client.force_login(_district_admin(school))
    response = client.post("/app/people/schools/", {"name": "某校", "code": "三小"})
    assert response.status_code == 400
    assert "代码只能用小写英文字母、数字和 -" in response.content.decode()
    assert not School.objects.filter(name="某校").exists()


def test_the_district_admin_switches_to_another_schools_accounts(
    client: Any, users: dict[str, User], school: School, other_school: School
) -> None:
    theirs = make_user("their.teacher", other_school, "teacher")
    client.force_login(_district_admin(school))
    assert 'data-username="their.teacher"' not in client.get("/app/people/").content.decode()
    client.post("/app/people/school", {"school": other_school.pk})
    assert 'data-username="their.teacher"' in client.get("/app/people/").content.decode()
    assert client.get(f"/app/people/{theirs.pk}/").status_code == 200


def test_the_bureau_is_given_the_schools_it_looks_after(
    client: Any, users: dict[str, User], school: School, other_school: School
) -> None:
    bureau = make_user("bureau", school, "bureau")
    client.force_login(_district_admin(school))
    response = client.post(
        f"/app/people/{bureau.pk}/",
        {
            "full_name": "教育局后勤科",
            "roles": [Role.objects.get(code="bureau").pk],
            "other_schools": [other_school.pk],
        },
    )
    assert response.status_code == 302
    assert list(bureau.other_schools.all()) == [other_school]


def test_a_school_admin_neither_adds_schools_nor_turns_to_another(
    client: Any, users: dict[str, User], other_school: School
) -> None:
    client.force_login(users["admin"])
    assert client.get("/app/people/schools/").status_code == 403
    assert client.post("/app/people/schools/", {"name": "x", "code": "x"}).status_code == 403
    assert client.post("/app/people/school", {"school": other_school.pk}).status_code == 403
    assert 'data-username="admin"' in client.get("/app/people/").content.decode()


def test_every_page_names_the_school_the_district_admin_works_on(
    client: Any, users: dict[str, User], school: School, other_school: School
) -> None:
    client.force_login(_district_admin(school))
    client.post("/app/people/school", {"school": other_school.pk})
    for page in ("/app/people/new", "/app/people/departments/", "/app/people/import"):
        text = client.get(page).content.decode()
        assert 'id="managed-school"' in text and other_school.name in text, page
    client.force_login(users["admin"])  # a school's own admin needs no reminder
    assert 'id="managed-school"' not in client.get("/app/people/new").content.decode()
