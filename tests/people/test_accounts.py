"""用户与部门: a school's admin adds, changes and stops accounts in the browser's pages; every
change is checked on the server and recorded; nobody else may, and no admin locks themselves out."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import authenticate

from school_logistics.core.models import Department, Role, User
from school_logistics.people.models import AccountAction, AccountChange
from tests.conftest import make_user


def _as(client: Any, user: User) -> Any:
    client.force_login(user)
    return client


def _new(client: Any, **fields: Any) -> Any:
    data = {
        "username": "zhao.demo",
        "full_name": "赵老师（测试）",
        "phone": "139 0000 1234",
        "email": "",
        "department": "",
        "roles": [],
        "password": "k7mq-3p9x",
    } | fields
    return client.post("/app/people/new", data)


def test_the_admin_adds_a_teacher_who_signs_in_and_must_choose_a_password(
    client: Any, users: dict[str, User], departments: dict[str, Department]
) -> None:
    teacher = Role.objects.get(code="teacher")
    response = _new(
        _as(client, users["admin"]),
        department=departments["数学组"].pk,
        roles=[teacher.pk],
    )
    account = User.objects.get(username="zhao.demo")
    assert response.status_code == 302
    assert response["Location"] == f"/app/people/{account.pk}/"
    assert account.school == users["admin"].school
    assert account.department == departments["数学组"]
    assert account.phone == "13900001234"
    assert set(account.role_codes()) == {"teacher"}
    assert account.must_change_password
    change = AccountChange.objects.get(user=account)
    assert change.action == AccountAction.CREATED and change.actor == users["admin"]
    assert ["department", "", "数学组"] in change.changes

    client.logout()
    client.login(username="zhao.demo", password="k7mq-3p9x")
    assert client.get("/app/")["Location"] == "/app/people/password"
    assert client.get("/app/material-requisition/")["Location"] == "/app/people/password"
    refused = client.post(
        "/app/people/password",
        {"old_password": "k7mq-3p9x", "new_password1": "k7mq-3p9x", "new_password2": "k7mq-3p9x"},
    )
    assert "新密码不能与当前密码相同" in refused.content.decode()
    done = client.post(
        "/app/people/password",
        {"old_password": "k7mq-3p9x", "new_password1": "mine-2026x", "new_password2": "mine-2026x"},
    )
    assert done.status_code == 302
    assert client.get("/app/").status_code == 200
    account.refresh_from_db()
    assert not account.must_change_password
    assert authenticate(username="zhao.demo", password="mine-2026x") == account


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"username": "Teacher"}, "用户名“Teacher”已被使用"),
        ({"username": "王老师"}, "用户名只能用英文字母、数字和 . _ - @ +"),
        ({"phone": "12345"}, "手机号应为 1 开头的 11 位数字"),
        ({"full_name": "  "}, "请填写姓名"),
        ({"password": "short"}, "密码至少要 8 位"),
    ],
)
def test_a_bad_account_is_refused_with_its_reason_and_nothing_is_made(
    client: Any, users: dict[str, User], fields: dict[str, str], message: str
) -> None:
    before = User.objects.count()
    response = _new(_as(client, users["admin"]), **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert User.objects.count() == before
    assert not AccountChange.objects.exists()


def test_another_schools_department_cannot_be_given(
    client: Any, users: dict[str, User], outsider: User
) -> None:
    theirs = outsider.department
    assert theirs is not None
    response = _new(_as(client, users["admin"]), department=theirs.pk)
    assert response.status_code == 400
    assert "请从列表中选择本校的部门" in response.content.decode()


def test_only_the_schools_admin_manages_accounts(
    client: Any, users: dict[str, User], outsider: User
) -> None:
    _as(client, users["principal"])
    assert client.get("/app/people/").status_code == 403
    assert _new(client).status_code == 403
    assert not User.objects.filter(username="zhao.demo").exists()
    # Another school's admin does not find our people.
    _as(client, outsider)
    teacher = users["teacher"]
    assert client.get(f"/app/people/{teacher.pk}/").status_code == 404
    response = client.post(f"/app/people/{teacher.pk}/password", {"password": "taken-over1"})
    assert response.status_code == 404
    teacher.refresh_from_db()
    assert teacher.check_password("pass12345")


def test_the_list_finds_people_by_name_department_role_and_status(
    client: Any, users: dict[str, User], departments: dict[str, Department]
) -> None:
    users["colleague"].is_active = False
    users["colleague"].save()
    _as(client, users["admin"])
    text = client.get("/app/people/").content.decode()
    assert 'data-username="teacher"' in text and 'data-username="colleague"' not in text
    by_role = client.get("/app/people/?role=finance").content.decode()
    assert by_role.count("data-username=") == 1 and 'data-username="finance"' in by_role
    by_department = client.get(f"/app/people/?department={departments['语文组'].pk}&status=all")
    names = {"teacher", "colleague", "head"}
    assert all(f'data-username="{n}"' in by_department.content.decode() for n in names)
    gone = client.get("/app/people/?status=inactive").content.decode()
    assert gone.count("data-username=") == 1 and 'data-username="colleague"' in gone


def test_changing_roles_and_department_is_recorded_from_what_to_what(
    client: Any, users: dict[str, User], departments: dict[str, Department]
) -> None:
    teacher = users["teacher"]
    roles = Role.objects.filter(code__in=["teacher", "storekeeper"])
    response = _as(client, users["admin"]).post(
        f"/app/people/{teacher.pk}/",
        {
            "full_name": "语文组教师",
            "phone": "",
            "email": "t@example.com",
            "department": departments["总务处"].pk,
            "roles": [r.pk for r in roles],
        },
    )
    assert response.status_code == 302
    teacher = User.objects.get(pk=teacher.pk)
    assert teacher.department == departments["总务处"]
    assert set(teacher.role_codes()) == {"teacher", "storekeeper"}
    change = AccountChange.objects.get(user=teacher, action=AccountAction.UPDATED)
    assert ["department", "语文组", "总务处"] in change.changes
    assert ["roles", "teacher", "storekeeper,teacher"] in change.changes
    page = client.get(f"/app/people/{teacher.pk}/").content.decode()
    assert "库管员" in page and "变更记录" in page


def test_moving_a_head_out_of_their_department_warns_to_name_a_new_head(
    client: Any, users: dict[str, User], departments: dict[str, Department]
) -> None:
    head = users["head"]
    departments["语文组"].head = head
    departments["语文组"].save()
    response = _as(client, users["admin"]).post(
        f"/app/people/{head.pk}/",
        {
            "full_name": head.full_name,
            "department": departments["数学组"].pk,
            "roles": list(head.roles.values_list("pk", flat=True)),
        },
        follow=True,
    )
    assert "仍是“语文组”的负责人" in response.content.decode()


def test_an_admin_cannot_lock_themselves_out(client: Any, users: dict[str, User]) -> None:
    admin = users["admin"]
    _as(client, admin)
    response = client.post(
        f"/app/people/{admin.pk}/",
        {"full_name": admin.full_name, "roles": [Role.objects.get(code="teacher").pk]},
    )
    assert response.status_code == 400
    assert "不能取消自己的系统管理员角色" in response.content.decode()
    assert "sys_admin" in User.objects.get(pk=admin.pk).role_codes()
    stopped = client.post(f"/app/people/{admin.pk}/active", {"active": "0"}, follow=True)
    assert "不能停用自己的账号" in stopped.content.decode()
    admin.refresh_from_db()
    assert admin.is_active


def test_a_school_admin_cannot_take_over_the_district_administrators_account(
    client: Any, users: dict[str, User], school: Any
) -> None:
    district = make_user("district", school, "sys_admin")
    district.is_superuser = True
    district.save()
    _as(client, users["admin"])
    response = client.post(f"/app/people/{district.pk}/password", {"password": "taken-over1"})
    assert response.status_code == 403
    district.refresh_from_db()
    assert district.check_password("pass12345")


def test_a_forgotten_password_is_reset_and_old_sessions_end(
    client: Any, users: dict[str, User], django_user_model: Any
) -> None:
    from django.test import Client

    teacher = users["teacher"]
    phone = Client()
    phone.force_login(teacher)
    assert phone.get("/app/").status_code == 200
    response = _as(client, users["admin"]).post(
        f"/app/people/{teacher.pk}/password", {"password": "new-pass-42"}, follow=True
    )
    assert "的密码已重置为 new-pass-42" in response.content.decode()
    teacher.refresh_from_db()
    assert teacher.check_password("new-pass-42") and teacher.must_change_password
    assert phone.get("/app/")["Location"].startswith("/login/")
    assert AccountChange.objects.filter(user=teacher, action=AccountAction.PASSWORD_RESET).exists()


@pytest.mark.workflows
@pytest.mark.usefixtures("items", "heads")
def test_stopping_someone_who_left_moves_their_approvals_on_at_once(
    client: Any, users: dict[str, User]
) -> None:
    from school_logistics.core import services
    from school_logistics.workflow.models import ApprovalTask, TaskStatus
    from tests.core.test_views import make_requisition

    doc = make_requisition(users["teacher"])
    services.send_document(doc.doctype, doc.name, actor=users["teacher"])
    head = users["head"]
    assert ApprovalTask.objects.filter(assignee=head, status=TaskStatus.PENDING).exists()

    _as(client, users["admin"])
    page = client.get(f"/app/people/{head.pk}/").content.decode()
    assert "其 1 项待办将按流程转给其他审批人" in page
    response = client.post(f"/app/people/{head.pk}/active", {"active": "0"}, follow=True)
    text = response.content.decode()
    # The head above (校长室's, the principal) decides now, not the admin.
    assert "已停用" in text and "1 项待办已转给 principal" in text
    assert "是“语文组”的负责人" in text
    assert not ApprovalTask.objects.filter(assignee=head, status=TaskStatus.PENDING).exists()
    waiting = ApprovalTask.objects.get(document=doc, status=TaskStatus.PENDING)
    assert waiting.assignee == users["principal"]
    head.refresh_from_db()
    assert not head.is_active
    assert authenticate(username="head", password="pass12345") is None


def test_the_bureaus_account_is_the_districts_to_change(
    client: Any, users: dict[str, User], school: Any, other_school: Any
) -> None:
    bureau = make_user("bureau", school, "bureau")
    bureau.other_schools.add(other_school)
    _as(client, users["admin"])
    page = client.get(f"/app/people/{bureau.pk}/").content.decode()
    assert "区级账号（教育局、区级管理员）只能由区级管理员修改" in page
    assert (
        client.post(f"/app/people/{bureau.pk}/password", {"password": "x-take-over"}).status_code
        == 403
    )
    assert client.post(f"/app/people/{bureau.pk}/active", {"active": "0"}).status_code == 403
    bureau.refresh_from_db()
    assert bureau.check_password("pass12345") and bureau.is_active
    # Nor may a school's admin make one of their own staff the bureau's.
    role = Role.objects.get(code="bureau")
    given = _new(client, roles=[role.pk])
    assert given.status_code == 400 and "没有这个角色" in given.content.decode()


def test_a_reset_withdraws_the_api_key_and_the_api_waits_for_a_new_password(
    client: Any, users: dict[str, User]
) -> None:
    from school_logistics.api.models import ApiKey

    teacher = users["teacher"]
    ApiKey.objects.create(user=teacher, key="k-teacher", secret_hash="0" * 64)
    _as(client, users["admin"]).post(
        f"/app/people/{teacher.pk}/password", {"password": "new-pass-42"}
    )
    assert not ApiKey.objects.filter(user=teacher).exists()
    client.logout()
    client.login(username="teacher", password="new-pass-42")
    assert client.get("/api/keys")["Location"] == "/app/people/password"
    assert client.get("/api/resource/Material Requisition")["Location"] == "/app/people/password"


def test_signing_in_ignores_capitals_and_a_stopped_account_is_told_so(
    client: Any, users: dict[str, User]
) -> None:
    assert client.login(username="TEACHER", password="pass12345")
    client.logout()
    users["colleague"].is_active = False
    users["colleague"].save()
    refused = client.post("/login/", {"username": "colleague", "password": "pass12345"})
    assert "此账号已停用，请联系学校管理员" in refused.content.decode()
    wrong = client.post("/login/", {"username": "colleague", "password": "wrong-one"})
    assert "用户名或密码不正确" in wrong.content.decode()


def test_full_width_digits_are_a_phone_number(client: Any, users: dict[str, User]) -> None:
    response = _new(_as(client, users["admin"]), phone="１３８００１３８０００")
    assert response.status_code == 302
    assert User.objects.get(username="zhao.demo").phone == "13800138000"


@pytest.mark.parametrize(
    ("password", "message"),
    [("12345678", "这个密码太常见"), ("83920571", "密码不能全是数字"), ("zhao.demo1", "太相似")],
)
def test_a_guessable_password_is_refused(
    client: Any, users: dict[str, User], password: str, message: str
) -> None:
    response = _new(_as(client, users["admin"]), password=password)
    assert response.status_code == 400
    assert message in response.content.decode()
