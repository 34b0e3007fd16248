"""花名册导入: the admin fills the template with the staff and uploads it; all are created, or,
if any row is wrong, none, with every row's problem listed."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from school_logistics.core.models import Department, User
from school_logistics.people.models import AccountChange

HEADER = ["用户名", "姓名", "手机", "邮箱", "部门", "角色", "初始密码"]


def _sheet(rows: list[list[Any]], header: list[str] = HEADER) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("roster.xlsx", out.getvalue())


def _upload(client: Any, admin: User, upload: SimpleUploadedFile) -> Any:
    client.force_login(admin)
    return client.post("/app/people/import", {"file": upload})


def test_the_template_lists_the_schools_departments_and_roles(
    client: Any, users: dict[str, User], departments: dict[str, Department]
) -> None:
    client.force_login(users["admin"])
    response = client.get("/app/people/import/template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    header = [c.value for c in book.worksheets[0][1]]
    assert header == HEADER
    choices = [row for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert {r[0] for r in choices if r[0]} == set(departments)
    assert "申请人/教师" == choices[0][1]  # requester first, as in the list of roles


def test_a_roster_creates_every_account_with_a_first_password_shown_once(
    client: Any, users: dict[str, User], departments: dict[str, Department]
) -> None:
    rows = [
        ["li.demo", "李老师（测试）", 13900001111, "", "数学组", "申请人/教师", ""],
        [
            "qian.demo",
            "钱主任（测试）",
            "",
            "q@example.com",
            "总务处",
            "部门负责人、总务处采购",
            "given-pass1",
        ],
        [None, None, None, None, None, None, None],  # a blank line is skipped
    ]
    response = _upload(client, users["admin"], _sheet(rows))
    assert response.status_code == 200
    text = response.content.decode()
    assert "已导入 2 人" in text and "given-pass1" in text
    li = User.objects.get(username="li.demo")
    assert li.phone == "13900001111" and li.department == departments["数学组"]
    assert li.role_codes() == {"teacher"} and li.must_change_password
    qian = User.objects.get(username="qian.demo")
    assert qian.role_codes() == {"dept_head", "purchaser"}
    assert qian.check_password("given-pass1")
    assert AccountChange.objects.filter(user__in=[li, qian]).count() == 2


def test_roles_are_read_by_their_english_names_too(client: Any, users: dict[str, User]) -> None:
    rows = [["en.demo", "Someone", "", "", "", "Requester / Teacher, Canteen Manager", ""]]
    header = ["Username", "Name", "Mobile", "Email", "Department", "Roles", "First password"]
    response = _upload(client, users["admin"], _sheet(rows, header=header))
    assert response.status_code == 200, response.content.decode()
    assert User.objects.get(username="en.demo").role_codes() == {"teacher", "canteen_manager"}


def test_a_roster_with_a_wrong_row_creates_nobody_and_names_each_problem(
    client: Any, users: dict[str, User]
) -> None:
    rows = [
        ["ok.demo", "好的一行", "", "", "数学组", "申请人/教师", ""],
        ["bad.demo", "", "12345", "", "物理组", "班主任", ""],
        ["Teacher", "重名", "", "", "", "教育局", ""],
        ["ok.demo", "同一文件重复", "", "", "", "", ""],
    ]
    before = User.objects.count()
    response = _upload(client, users["admin"], _sheet(rows))
    assert response.status_code == 400
    text = response.content.decode()
    for problem in [
        "第 3 行：本校没有部门“物理组”",
        "第 3 行：没有角色“班主任”",
        "第 3 行：请填写姓名",
        "第 3 行：手机号应为 1 开头的 11 位数字",
        "第 4 行：用户名“Teacher”已被使用",
        "第 5 行：用户名与第 2 行重复",
        "第 4 行：区级角色“教育局”只能由区级管理员授予",
        "没有导入任何人员",
    ]:
        assert problem in text, problem
    assert User.objects.count() == before


def test_a_file_that_is_not_the_template_is_refused(client: Any, users: dict[str, User]) -> None:
    wrong = _upload(client, users["admin"], _sheet([["x"]], header=["名称", "数量"]))
    assert "缺少：用户名、姓名" in wrong.content.decode()
    not_excel = SimpleUploadedFile("roster.xlsx", b"not a workbook")
    refused = _upload(client, users["admin"], not_excel)
    assert refused.status_code == 400
    assert "文件不是 Excel 工作簿" in refused.content.decode()


def test_only_the_admin_imports(client: Any, users: dict[str, User]) -> None:
    response = _upload(client, users["head"], _sheet([["x.demo", "某人", "", "", "", "", ""]]))
    assert response.status_code == 403
    assert not User.objects.filter(username="x.demo").exists()
