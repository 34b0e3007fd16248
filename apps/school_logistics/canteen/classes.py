"""What the canteen's per-class, per-month documents share: class names, months, and the rule
that a class has one live document of a kind for a month (a meal is charged, and refunded, once)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from school_logistics.core.document import Doc, live_clash
from school_logistics.core.models import Document

# Meals a day each plan pays for; a missed meal is refunded at the standard's rate per meal.
MEALS_PER_DAY = {"午餐": 1, "三餐": 3}


def normalize_class_name(value: str | None) -> str | None:
    """Use ASCII brackets and no spaces, so 七年级（1）班 and 七年级(1)班 are the same class."""
    if not value:
        return value
    return value.replace("（", "(").replace("）", ")").replace(" ", "")


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
