"""花名册导入: a school's staff added from one Excel sheet, all of them or, on any error, none.

Each row is checked by the same form as one account added by hand; the first passwords (typed
in the sheet or made up here) are shown once, for the admin to hand over.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from school_logistics.core.data_export import HEADER_FILL
from school_logistics.core.data_import import check_xlsx
from school_logistics.core.models import Department, Role, School, User
from school_logistics.core.validation import DocumentValidationError
from school_logistics.people import services
from school_logistics.people.forms import (
    DISTRICT_ROLES,
    NewAccountForm,
    new_password,
    roles_in_order,
)

# The sheet's columns: an account's details as the history names them (a school's staff serve
# no other school), and the first password.
COLUMNS = {k: v for k, v in services.FIELD_LABELS.items() if k != "other_schools"} | {
    "password": gettext_lazy("初始密码")
}
REQUIRED = ("username", "full_name")
MAX_ROWS = 2000
# Roles are listed as on paper: "申请人/教师、部门负责人" (a label may itself hold a "/" or,
# in English, spaces: "Requester / Teacher, Canteen Manager").
ROLE_SEPARATORS = re.compile(r"[、,，;；\n]+")


class RosterRefused(Exception):
    """The sheet cannot be read at all; the message says why."""


@dataclass
class Roster:
    rows: list[dict[str, Any]] = field(default_factory=list)  # the form data of each account
    errors: list[str] = field(default_factory=list)


def template(school: School) -> bytes:
    """The sheet to fill in: the columns, one sample row, and the school's departments and
    roles on a second sheet to pick from."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("人员")
    for col, label in enumerate(COLUMNS.values(), start=1):
        cell = sheet.cell(row=1, column=col, value=str(label))
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        sheet.column_dimensions[cell.column_letter].width = 18
    departments = list(Department.objects.filter(school=school).values_list("name", flat=True))
    roles = [r.display_label for r in roles_in_order().exclude(code__in=DISTRICT_ROLES)]
    lists = book.create_sheet(_("可选值"))
    lists.append([_("部门"), _("角色（可填多个，用顿号分隔）")])
    for i in range(max(len(departments), len(roles))):
        lists.append(
            [departments[i] if i < len(departments) else None, roles[i] if i < len(roles) else None]
        )
    lists.column_dimensions["A"].width = 20
    lists.column_dimensions["B"].width = 36
    if departments:
        pick = DataValidation(
            type="list", formula1=f"='{lists.title}'!$A$2:$A${len(departments) + 1}"
        )
        pick.error = _("请从“可选值”表的部门中选择")
        sheet.add_data_validation(pick)
        pick.add(f"E2:E{MAX_ROWS + 1}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(school: School, upload: UploadedFile) -> Roster:
    """Read and check every row; the roster holds either rows to create or the errors."""
    try:
        check_xlsx(upload)
    except DocumentValidationError as exc:
        raise RosterRefused(exc.errors["file"][0]) from exc
    sheet = load_workbook(upload, read_only=True, data_only=True).worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    header = next(lines, None) or ()
    columns = _columns(header)
    missing = [str(COLUMNS[k]) for k in REQUIRED if k not in columns.values()]
    if missing:
        raise RosterRefused(
            _("第 1 行应是表头，缺少：%(columns)s（请用下载的模板填写）")
            % {"columns": "、".join(missing)}
        )
    roster = Roster()
    departments = {d.name: d.pk for d in Department.objects.filter(school=school)}
    roles = _role_names()
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=2):
        values = {key: _cell(line, i) for i, key in columns.items()}
        if not any(values.values()):
            continue
        if len(roster.rows) + len(roster.errors) >= MAX_ROWS:
            raise RosterRefused(_("一次最多导入 %(n)s 人，请分批导入") % {"n": MAX_ROWS})
        problems = _check(school, values, departments, roles)
        username = values.get("username", "").lower()
        if username and username in seen:
            problems.append(_("用户名与第 %(row)s 行重复") % {"row": seen[username]})
        seen.setdefault(username, number)
        if problems:
            roster.errors.extend(
                _("第 %(row)s 行：%(message)s") % {"row": number, "message": p} for p in problems
            )
        else:
            roster.rows.append(values)
    if not roster.rows and not roster.errors:
        raise RosterRefused(_("表中没有人员"))
    return roster


def _columns(header: tuple[Any, ...]) -> dict[int, str]:
    """Column index → field, matched by the header's words in either language."""
    by_label = {key: key for key in COLUMNS}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            by_label.update({str(label).lower(): key for key, label in COLUMNS.items()})
    found: dict[int, str] = {}
    for i, text in enumerate(header):
        name = str(text or "").strip()
        key = by_label.get(name.lower())
        if key and key not in found.values():
            found[i] = key
    return found


def _cell(line: tuple[Any, ...], i: int) -> str:
    value = line[i] if i < len(line) else None
    if isinstance(value, float) and value.is_integer():  # a phone number typed as a number
        value = int(value)
    return "" if value is None else str(value).strip()


def _role_names() -> dict[str, Role]:
    """Each role by its code and labels in both languages."""
    names: dict[str, Role] = {}
    for role in Role.objects.all():
        for name in (role.code, role.label, role.label_en):
            if name:
                names[name.lower()] = role
    return names


def _check(
    school: School, values: dict[str, str], departments: dict[str, int], roles: dict[str, Role]
) -> list[str]:
    """The row's problems, each naming its column; on none, `values` becomes the form's data."""
    problems = []
    department = values.get("department", "")
    if department and department not in departments:
        problems.append(_("本校没有部门“%(name)s”，请先在“部门”中新建") % {"name": department})
    picked = []
    for name in (n.strip() for n in ROLE_SEPARATORS.split(values.get("roles", ""))):
        if not name:
            continue
        role = roles.get(name.lower())
        if role is not None and role.code in DISTRICT_ROLES:
            problems.append(_("区级角色“%(name)s”只能由区级管理员授予") % {"name": name})
        elif role is not None:
            picked.append(role.pk)
        else:
            problems.append(_("没有角色“%(name)s”") % {"name": name})
    data = {
        **values,
        "department": departments.get(department, ""),
        "roles": picked,
        "password": values.get("password") or new_password(),
    }
    form = NewAccountForm(data, school=school)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = str(COLUMNS.get(name, ""))
            # "姓名：请填写姓名" says it twice: the column goes only where the reason lacks it.
            problems.extend(str(e) if label in e else f"{label}：{e}" for e in errors)
    if not problems:
        values.clear()
        values.update(form.cleaned_data)
    return problems


@transaction.atomic
def create(school: School, actor: User, roster: Roster) -> list[tuple[User, str]]:
    """Create every account of a roster without errors; return each with its first password."""
    return [(services.create_account(school, actor, row), row["password"]) for row in roster.rows]
