"""The demo school 清河区实验中学: `load_demo()` fills an empty site for `make run`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count

from school_logistics.core.models import Document, School, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.roles import ensure_default_roles
from school_logistics.demo import approvals, catalogue, district, documents, letterhead, org


class DemoAlreadyLoaded(CommandError):
    """The demo school (or one of its logins) exists already; nothing was changed.

    A CommandError, so the `school-logistics` command prints it without a traceback.
    """


def logins_made() -> list[org.DemoUser]:
    """Every demo login: the demo school's, then the neighbour school's and the bureau's."""
    return [*org.USERS, *district.USERS]


def check_not_loaded() -> None:
    """Refuse to load over an existing demo school or over users holding the demo logins."""
    school = School.objects.filter(code=org.SCHOOL_CODE).first() or (
        School.objects.filter(name=org.SCHOOL_NAME).first()
    )
    if school is not None:
        raise DemoAlreadyLoaded(
            f"演示学校“{school.name}”（代码 {school.code}）已存在，未重复加载，现有数据没有改动"
        )
    school = School.objects.filter(code=district.CODE).first() or (
        School.objects.filter(name=district.NAME).first()
    )
    if school is not None:
        raise DemoAlreadyLoaded(
            f"演示学校“{school.name}”（代码 {school.code}）已存在，未重复加载，现有数据没有改动"
        )
    taken = sorted(
        User.objects.filter(username__in=[u.username for u in logins_made()]).values_list(
            "username", flat=True
        )
    )
    if taken:
        raise DemoAlreadyLoaded(
            "用户名已被占用：" + "、".join(taken) + "。演示学校未加载，现有数据没有改动"
        )


def load_demo() -> dict[str, Any]:
    """Create the demo school with its people, catalogue and documents in every state.

    Returns the logins as (username, what the login is for, password), the school code, the
    names of the documents made by what each shows, and document counts by DocType and status
    (草稿/已提交/已作废).
    """
    with transaction.atomic():
        check_not_loaded()
        ensure_default_roles()
        people = org.create_org()
        letterhead.create_letterhead(people)
        prices = catalogue.create_items(people)
        suppliers = catalogue.create_suppliers(people)
        rooms = catalogue.create_locations(people)
        catalogue.create_classes(people, rooms)
        rolls = catalogue.create_students(people)
        made = documents.create_documents(people, prices, suppliers, rooms, rolls)
        approvals.spread_decisions(people.school.pk)
    counts = (
        Document.objects.filter(school=people.school)
        .values("doctype", "docstatus")
        .annotate(n=Count("id"))
        .order_by("doctype", "docstatus")
    )
    summary: dict[str, dict[str, int]] = {}
    for c in counts:
        label = DocStatus(c["docstatus"]).label
        summary.setdefault(c["doctype"], {})[str(label)] = c["n"]
    return {
        "school": people.school.code,
        "logins": [(u.username, u.label, org.PASSWORD) for u in logins_made()],
        "documents": dict(made),
        "counts": summary,
    }


__all__ = ["DemoAlreadyLoaded", "load_demo"]
