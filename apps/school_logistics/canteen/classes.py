"""What the canteen's per-class, per-month documents share: class names, months, the rule that
a class has one live document of a kind for a month (a meal is charged, and refunded, once),
and the rules that a document names a class the school keeps and that a class teacher files
them only for their own class."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, NoReturn

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from school_logistics.core import permissions
from school_logistics.core.data_match import data_equals
from school_logistics.core.document import Doc, live_clash
from school_logistics.core.meta import Meta
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.registry import get_meta
from school_logistics.core.validation import DocumentValidationError

SCHOOL_CLASS = "School Class"
# The DocTypes whose documents name a class in `class_name`, as text: the class's name within
# its school (班级 records are numbered BJ-0001…, since every school has a 七年级(1)班).
NAMING_A_CLASS = (
    "Student",
    "Meal Fee Refund",
    "Meal Fee Collection",
    "Student Aid",
    "Student Supply Order",
)
# Those whose form offers the school's classes to choose from (an aid's comes with its student).
CHOOSING_A_CLASS = ("Student", "Meal Fee Refund", "Meal Fee Collection", "Student Supply Order")
# Those a teacher files only for the class they are the 班主任 of (`filed_class`,
# `check_class_teacher`).
FILED_BY_CLASS_TEACHERS = ("Meal Fee Refund", "Student Aid", "Student Supply Order")
# A class's grade, as its name begins (七年级(1)班); 初一 to 初三 are 七 to 九年级.
GRADES = (
    "一年级", "二年级", "三年级", "四年级", "五年级", "六年级",
    "七年级", "八年级", "九年级", "高一", "高二", "高三",
)  # fmt: skip
JUNIOR_GRADES = {"初一": "七年级", "初二": "八年级", "初三": "九年级"}

Errors = dict[str, list[str]]

# Meals a day each plan pays for; a missed meal is refunded at the standard's rate per meal.
MEALS_PER_DAY = {"午餐": 1, "三餐": 3}


def normalize_class_name(value: str | None) -> str | None:
    """Use ASCII brackets and no spaces, so 七年级（1）班 and 七年级(1)班 are the same class."""
    if not value:
        return value
    return value.replace("（", "(").replace("）", ")").replace(" ", "")


def grade_of(class_name: str) -> str | None:
    """The grade a class's name begins with, if it names one."""
    for grade in GRADES:
        if class_name.startswith(grade):
            return grade
    for prefix, grade in JUNIOR_GRADES.items():
        if class_name.startswith(prefix):
            return grade
    return None


def _class_order(grade: str | None, class_name: str) -> tuple[int, list[tuple[int, str]]]:
    """Grade by grade (七年级 before 八年级, not by character code), then 七年级(2)班 before
    七年级(10)班."""
    rank = GRADES.index(grade) if grade in GRADES else len(GRADES)
    parts = re.split(r"(\d+)", class_name)
    return rank, [(int(p), "") if p.isdigit() else (-1, p) for p in parts]


def _ordered(rows: Iterable[tuple[str, str | None]]) -> list[str]:
    """Class names of (class_name, grade) rows, in the school's order."""
    return [name for name, grade in sorted(rows, key=lambda r: _class_order(r[1], r[0])) if name]


def _classes(school_id: int) -> QuerySet[Any]:
    return (
        Document.objects.filter(doctype=SCHOOL_CLASS, school_id=school_id)
        .exclude(docstatus=DocStatus.CANCELLED)
        .values_list("data__class_name", "data__grade")
    )


def school_classes(school_id: int) -> list[str]:
    """The names of the school's classes, by grade then name."""
    return _ordered(_classes(school_id))


def classes_taught(school_id: int, username: str) -> list[str]:
    """The names of the school's classes whose 班主任 the user is, by grade then name."""
    return _ordered(_classes(school_id).filter(data_equals("class_teacher", username)))


def class_kept(school_id: int, class_name: str) -> bool:
    """Whether the school keeps a class of this name."""
    return _classes(school_id).filter(data_equals("class_name", class_name)).exists()


def _own_filer(doc: Doc) -> User | None:
    """Who is saving the document, when their right on it reaches only their own documents
    (a teacher's on refunds): they file only for their own class. Approvers, finance, the
    canteen and 总务处 hold other rights and are not asked."""
    actor = doc.actor
    if actor is None:
        return None
    right = "create" if doc.instance._state.adding else "write"
    return actor if permissions.scope(actor, doc.meta, right) == "own" else None


def _class_changed(doc: Doc) -> bool:
    """Whether the document is new or now names another class than the one stored: a draft
    filed before its class changed hands stays its filer's to finish."""
    stored = doc.instance.data or {}
    return doc.instance._state.adding or doc.get("class_name") != stored.get("class_name")


def _refuse_not_theirs(class_name: str, mine: list[str], key: str) -> NoReturn:
    """Refuse a class the filer is not the 班主任 of, by its name, and say nothing else: the
    document's other checks would name that class's own documents (its refund of the month,
    its pupil's aid), which only their filer and the office read."""
    if mine:
        message = _("%(c)s 不是您担任班主任的班级，您只能为本班填报（您的班级：%(mine)s）") % {
            "c": class_name,
            "mine": "、".join(mine),
        }
    else:
        message = _(
            "%(c)s 不是您担任班主任的班级：您还没有登记为班主任，请食堂管理员在“班级”中登记后再填报"
        ) % {"c": class_name}
    raise DocumentValidationError.single(message, key)


def filed_class(doc: Doc, errors: Errors) -> str:
    """Return the class a per-class document is for, as it is stored (brackets normalized).
    A class the filer is not the 班主任 of, when they may file only their own documents, is
    refused at once; else one the school does not keep is noted. Either only when the class is
    new to the document (a stored document keeps its class)."""
    class_name = normalize_class_name(doc.get("class_name")) or ""
    doc.set("class_name", class_name)
    if not class_name or not _class_changed(doc):
        return class_name  # a blank one is refused as required before the controller runs
    school_id = doc.instance.school_id
    filer = _own_filer(doc)
    if filer is not None:
        mine = classes_taught(school_id, filer.username)
        if class_name not in mine:
            _refuse_not_theirs(class_name, mine, "class_name")
    elif not class_kept(school_id, class_name):
        errors.setdefault("class_name", []).append(
            _("本校没有班级“%(c)s”，请先在“班级”中登记") % {"c": class_name}
        )
    return class_name


def check_class_teacher(doc: Doc, key: str) -> None:
    """Refuse a class (fetched from the student named at `key`) whose 班主任 the filer is
    not, when they may file only their own documents."""
    class_name = doc.get("class_name")
    filer = _own_filer(doc)
    if filer is None or not class_name or not _class_changed(doc):
        return
    mine = classes_taught(doc.instance.school_id, filer.username)
    if class_name not in mine:
        _refuse_not_theirs(class_name, mine, key)


def class_choices(
    meta: Meta, document: Document | None, user: User, values: dict[str, Any]
) -> dict[str, list[str]]:
    """The classes a form offers: a class teacher filing their own documents chooses among
    the classes they teach, everyone else (the canteen's roll, finance's collections) among
    the school's classes."""
    if meta.name not in CHOOSING_A_CLASS:
        return {}
    school_id = document.school_id if document is not None else user.school_id
    if school_id is None:
        return {}
    right = "write" if document is not None else "create"
    if meta.name != "Student" and permissions.scope(user, meta, right) == "own":
        names = classes_taught(school_id, user.username)
    else:
        names = school_classes(school_id)
    return {"class_name": names} if names else {}


def students_taught(user: User) -> list[QuerySet[Any]]:
    """A teacher reads the students of the classes they are the 班主任 of (their guardians'
    phones among them), and no others: their role reads only its own students, which no
    teacher creates. Whoever reads every student is granted nothing more."""
    if permissions.scope(user, get_meta("Student"), "read") != "own":
        return []
    theirs = Document.objects.filter(
        data_equals("class_teacher", user.username),
        doctype=SCHOOL_CLASS,
        school_id=OuterRef("school_id"),
        data__class_name=OuterRef("data__class_name"),
    ).exclude(docstatus=DocStatus.CANCELLED)
    return [
        Document.objects.filter(doctype="Student", school_id__in=user.school_ids())
        .filter(Exists(theirs))
        .values("pk")
    ]


def class_students(school_id: int, class_name: str) -> list[tuple[str, dict[str, Any]]]:
    """The class's students (number, stored data), by student number."""
    return sorted(
        Document.objects.filter(
            doctype="Student", school_id=school_id, data__class_name=class_name
        ).values_list("name", "data")
    )


def one_per_class_month(doc: Doc, doctype: str, kind: str, errors: dict[str, list[str]]) -> None:
    """Refuse a second live document of `doctype` for the same class and month."""
    clash = live_clash(doc, doctype, class_name=doc.get("class_name"), month=doc.get("month"))
    if clash:
        errors["month"].append(
            _("%(c)s %(m)s 已有%(kind)s %(n)s，同一班级每月只有一份")
            % {"c": doc.get("class_name"), "m": doc.get("month"), "kind": kind, "n": clash}
        )


def check_student(
    label: str,
    key: str,
    student_no: str,
    student: Mapping[str, Any],
    class_name: str,
    seen: set[str],
    errors: dict[str, list[str]],
) -> str:
    """Note a student listed twice, or not of the class, on a class's document; return the
    student's name for the row's other messages."""
    name = str(student.get("student_name") or student_no)
    if student_no in seen:
        errors[key + "student"].append(label + _("学生“%(n)s”重复") % {"n": name})
    seen.add(student_no)
    if student.get("class_name") != class_name:
        errors[key + "student"].append(
            label
            + _("学生“%(n)s”不在%(c)s（所在班级：%(s)s）")
            % {"n": name, "c": class_name, "s": student.get("class_name") or "—"}
        )
    return name
