"""What an admin does to accounts and departments, checked and recorded here, whatever the page.

Only a school's admin manages its accounts; a district administrator's account (a superuser)
only another superuser. An admin cannot lock themselves out: they keep their own admin role and
their account, and change their own password as everyone does, knowing the old one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from school_logistics.api.models import ApiKey
from school_logistics.core.models import Department, DocType, Document, School, User
from school_logistics.core.permissions import ADMIN_ROLE, is_admin
from school_logistics.core.registry import get_meta
from school_logistics.people.forms import DISTRICT_ROLES
from school_logistics.people.models import AccountAction, AccountChange

# The account's details an admin edits, in the order the history lists their changes.
FIELD_LABELS = {
    "username": gettext_lazy("用户名"),
    "full_name": gettext_lazy("姓名"),
    "phone": gettext_lazy("手机"),
    "email": gettext_lazy("邮箱"),
    "department": gettext_lazy("部门"),
    "roles": gettext_lazy("角色"),
    "other_schools": gettext_lazy("兼管学校"),
}


class Refused(Exception):
    """The change cannot be made; the message says why, in the user's language."""


def admin_school(actor: User, chosen: int | None = None) -> School:
    """The school whose accounts this user manages; refuse anyone but a school's admin.

    The district's administrator (a superuser) manages any school of the district, the one
    `chosen` (else their own): a new school's first admin is made so.
    """
    if actor.is_superuser and chosen:
        school = School.objects.filter(pk=chosen).first()
        if school is not None:
            return school
    if not is_admin(actor) or actor.school is None:
        raise PermissionDenied(_("只有本校系统管理员可以管理用户和部门"))
    return actor.school


@transaction.atomic
def create_school(actor: User, data: Mapping[str, Any]) -> School:
    """A school joining the district: its accounts and departments are made next."""
    if not actor.is_superuser:
        raise PermissionDenied(_("只有区级管理员可以新建学校"))
    return School.objects.create(name=data["name"], code=data["code"], address=data["address"])


def is_district_account(account: User) -> bool:
    """An account of the district (its administrator, the bureau's staff, or anyone serving
    other schools too): a school's admin neither changes it nor takes it over."""
    return (
        account.is_superuser
        or any(r.code in DISTRICT_ROLES for r in account.roles.all())
        or bool(account.other_schools.all())
    )


def may_edit(actor: User, account: User) -> bool:
    return actor.is_superuser or not is_district_account(account)


def check_may_edit(actor: User, account: User) -> None:
    if not may_edit(actor, account):
        raise PermissionDenied(_("区级账号（教育局、区级管理员）只能由区级管理员修改"))


def _record(
    school: School, account: User, actor: User | None, action: str, changes: list[list[str]]
) -> None:
    AccountChange.objects.create(
        school=school, user=account, actor=actor, action=action, changes=changes
    )


def _snapshot(account: User) -> dict[str, str]:
    """The account's details as words, for the history."""
    department = account.department.name if account.department else ""
    # Codes: the history shows each role's label in the reader's language.
    roles = ",".join(sorted(r.code for r in account.roles.all()))
    schools = "、".join(sorted(s.name for s in account.other_schools.all()))
    return {
        "username": account.username,
        "full_name": account.full_name,
        "phone": account.phone,
        "email": account.email,
        "department": department,
        "roles": roles,
        "other_schools": schools,
    }


def _apply(account: User, data: Mapping[str, Any]) -> None:
    account.full_name = data["full_name"]
    account.phone = data["phone"]
    account.email = data["email"]
    account.department = data["department"]


def _apply_schools(account: User, data: Mapping[str, Any]) -> None:
    """The other schools a district account serves (教育局), when the district's admin says."""
    if "other_schools" in data:
        account.other_schools.set(s for s in data["other_schools"] if s.pk != account.school_id)


@transaction.atomic
def create_account(school: School, actor: User, data: Mapping[str, Any]) -> User:
    """A new member of staff of this school, who picks their own password at first sign-in."""
    # The username is for good: documents name their people by it.
    if not actor.is_superuser and {r.code for r in data["roles"]} & DISTRICT_ROLES:
        raise PermissionDenied(_("区级角色只能由区级管理员授予"))
    account = User(school=school, username=data["username"], must_change_password=True)
    _apply(account, data)
    account.set_password(data["password"])
    account.save()
    account.roles.set(data["roles"])
    _apply_schools(account, data)
    details = [[k, "", v] for k, v in _snapshot(account).items() if v]
    _record(school, account, actor, AccountAction.CREATED, details)
    return account


@transaction.atomic
def update_account(
    school: School, actor: User, account: User, data: Mapping[str, Any]
) -> list[str]:
    """Save the admin's changes to an account; return what the admin should still see to."""
    check_may_edit(actor, account)
    codes = {r.code for r in data["roles"]}
    if not actor.is_superuser and codes & DISTRICT_ROLES:
        raise PermissionDenied(_("区级角色只能由区级管理员授予"))
    if account.pk == actor.pk and not actor.is_superuser and ADMIN_ROLE not in codes:
        raise Refused(_("不能取消自己的系统管理员角色：请另一位管理员操作"))
    before = _snapshot(account)
    old_department = account.department
    _apply(account, data)
    account.save()
    account.roles.set(data["roles"])
    _apply_schools(account, data)
    after = _snapshot(account)
    changes = [[k, before[k], after[k]] for k in FIELD_LABELS if before[k] != after[k]]
    if changes:
        _record(school, account, actor, AccountAction.UPDATED, changes)
    warnings = []
    if (
        old_department
        and old_department != account.department
        and old_department.head_id == account.pk
    ):
        warnings.append(
            _("%(person)s 仍是“%(department)s”的负责人：请在部门中另指定负责人")
            % {"person": account.display_name, "department": old_department.name}
        )
    return warnings


@transaction.atomic
def reset_password(school: School, actor: User, account: User, password: str) -> None:
    """Give the account a password to hand over; its sessions end and the user picks a new one."""
    check_may_edit(actor, account)
    if account.pk == actor.pk:
        raise Refused(_("自己的密码请在“修改密码”中修改"))
    account.set_password(password)
    account.must_change_password = True
    account.save(update_fields=["password", "must_change_password"])
    # Whoever knew the old password may have issued a key with it: it goes too.
    ApiKey.objects.filter(user=account).delete()
    _record(school, account, actor, AccountAction.PASSWORD_RESET, [])


def password_changed(account: User) -> None:
    """The user chose their own password (the form has saved it)."""
    User.objects.filter(pk=account.pk).update(must_change_password=False)
    account.must_change_password = False
    if account.school is not None:
        _record(account.school, account, account, AccountAction.PASSWORD_CHANGED, [])


@dataclass
class Deactivated:
    moved_tasks: int = 0
    takers: list[str] = field(default_factory=list)  # who took the open approvals over
    heads_of: list[str] = field(default_factory=list)


def set_active(school: School, actor: User, account: User, active: bool) -> Deactivated:
    """Stop or restore an account. A stopped user's open approvals go to each step's fallback
    approvers at once (as the scheduled sweep would), so nothing waits on someone who left."""
    from school_logistics.workflow.models import ApprovalTask, TaskStatus
    from school_logistics.workflow.sweep import move_tasks_of

    check_may_edit(actor, account)
    if account.pk == actor.pk and not active:
        raise Refused(_("不能停用自己的账号"))
    result = Deactivated()
    if account.is_active == active:
        return result
    with transaction.atomic():
        account.is_active = active
        account.save(update_fields=["is_active"])
        action = AccountAction.ACTIVATED if active else AccountAction.DEACTIVATED
        _record(school, account, actor, action, [])
    if not active:
        pending = ApprovalTask.objects.filter(assignee=account, status=TaskStatus.PENDING)
        result.moved_tasks = pending.count()
        result.takers = [u.display_name for u in move_tasks_of(account)]
        result.heads_of = list(account.heads.values_list("name", flat=True))
    return result


@transaction.atomic
def save_department(
    school: School, department: Department | None, data: Mapping[str, Any]
) -> Department:
    """Add a department or change one; a name documents were filed under stays as it is."""
    if department is None:
        department = Department(school=school)
    elif data["name"] != department.name and _filed_under(department):
        raise Refused(
            _("已有单据记在“%(name)s”名下，部门不能改名；可新建部门，再把人员调过去")
            % {"name": department.name}
        )
    department.name = data["name"]
    department.parent = data["parent"]
    department.head = data["head"]
    department.save()
    return department


@transaction.atomic
def delete_department(department: Department) -> None:
    """Remove a department entered by mistake: one no one belongs to and nothing was filed under."""
    if department.members.exists():
        raise Refused(_("“%(name)s”还有人员，请先把人员调到其他部门") % {"name": department.name})
    if department.children.exists():
        raise Refused(_("“%(name)s”还有下级部门") % {"name": department.name})
    if _filed_under(department):
        raise Refused(_("已有单据记在“%(name)s”名下，不能删除") % {"name": department.name})
    try:
        department.delete()
    except ProtectedError as exc:  # a ledger entry: books keep their departments
        raise Refused(_("“%(name)s”已记入账簿，不能删除") % {"name": department.name}) from exc


def _filed_under(department: Department) -> bool:
    """Whether a document names the department: as its department or in a Link field (by
    name, so renaming it would orphan them)."""
    if Document.objects.filter(department=department).exists():
        return True
    named = Q()
    for doctype in DocType.objects.filter(istable=False).values_list("name", flat=True):
        for f in get_meta(doctype).value_fields:
            if f.fieldtype == "Link" and f.link_doctype == "Department":
                named |= Q(doctype=doctype, **{f"data__{f.fieldname}": department.name})
    return bool(named) and Document.objects.filter(named, school=department.school).exists()
