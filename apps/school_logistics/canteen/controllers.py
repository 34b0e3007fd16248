"""Controllers of the 食堂 DocTypes: the student roll and month-end meal fee refunds."""

from __future__ import annotations

import calendar
import re
from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core.controllers import Controller, register
from school_logistics.core.document import Doc
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import DocumentValidationError
from school_logistics.ledger import meal_fees
from school_logistics.ledger.models import MealFeeEntry

# Meals a day each plan pays for; a missed meal is refunded at the plan's rate per meal.
MEALS_PER_DAY = {"午餐": 1, "三餐": 3}
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ()]{5,18}[0-9]$")


def normalize_class_name(value: str | None) -> str | None:
    """Use ASCII brackets and no spaces, so 七年级（1）班 and 七年级(1)班 are the same class."""
    if not value:
        return value
    return value.replace("（", "(").replace("）", ")").replace(" ", "")


@register("Student")
class Student(Controller):
    def validate(self, doc: Doc) -> None:
        doc.set("class_name", normalize_class_name(doc.get("class_name")))
        phone = doc.get("guardian_phone")
        if phone and not PHONE_RE.match(phone):
            raise DocumentValidationError.single(
                _("监护人电话格式不正确，如 13800000000"), "guardian_phone"
            )


def parse_month(value: str | None) -> tuple[int, int] | None:
    """Return (year, month) of a `YYYY-MM` string, or None when it is not one."""
    match = MONTH_RE.match(value or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


@register("Meal Fee Refund")
class MealFeeRefund(Controller):
    def validate(self, doc: Doc) -> None:
        errors: dict[str, list[str]] = defaultdict(list)
        class_name = normalize_class_name(doc.get("class_name"))
        doc.set("class_name", class_name)
        month = parse_month(doc.get("month"))
        days = 0
        if month is None:
            errors["month"].append(_("月份格式应为 YYYY-MM，如 2026-03"))
        else:
            today = timezone.localdate()
            if month > (today.year, today.month):
                errors["month"].append(_("不能为未来的月份退费"))
            days = calendar.monthrange(*month)[1]
            self._check_one_per_class_month(doc, errors)
        rate = doc.get("meal_rate")
        if rate is not None and rate <= 0:
            errors["meal_rate"].append(_("每餐标准必须大于 0"))

        # Names come by fetch_from, refunds (missed meals × parent.meal_rate) and the total by
        # the DocType's formulas, before this runs; the students are those the link check read.
        students = doc.linked.get("Student") or {}
        seen: set[str] = set()
        for idx, row in enumerate(doc.rows("students"), start=1):
            label = _("缺餐学生第 %(idx)s 行：") % {"idx": idx}
            key = f"students.{idx}."
            student = students.get(row["student"]) or {}
            name = student.get("student_name") or row["student"]
            if row["student"] in seen:
                errors[key + "student"].append(label + _("学生“%(n)s”重复") % {"n": name})
            seen.add(row["student"])
            if student.get("class_name") != class_name:
                errors[key + "student"].append(
                    label
                    + _("学生“%(n)s”不在%(c)s（所在班级：%(s)s）")
                    % {"n": name, "c": class_name, "s": student.get("class_name") or "—"}
                )
            per_day = MEALS_PER_DAY.get(student.get("meal_plan") or "")
            if per_day is None:
                errors[key + "student"].append(
                    label + _("学生“%(n)s”不包餐，没有伙食费可退") % {"n": name}
                )
            elif days and row["missed_meals"] > per_day * days:
                errors[key + "missed_meals"].append(
                    label
                    + _("缺餐次数不能超过 %(max)s（本月 %(d)s 天 × 每天 %(p)s 餐）")
                    % {"max": per_day * days, "d": days, "p": per_day}
                )
        if errors:
            raise DocumentValidationError(errors)

    def on_submit(self, doc: Doc) -> None:
        rows = [
            meal_fees.Refund(
                r["student"], r.get("student_name") or "", r["missed_meals"], r["refund_amount"]
            )
            for r in doc.rows("students")
            if r["refund_amount"]
        ]
        try:
            meal_fees.post_refunds(
                doc.instance,
                doc.get("class_name"),
                doc.get("month"),
                rows,
                actor=doc.acting_user,
                posting_date=timezone.localdate(),
            )
        except meal_fees.AlreadyRefunded as exc:
            raise DocumentValidationError.single(
                _("%(month)s 已退过费的学生不能再退：%(students)s")
                % {
                    "month": doc.get("month"),
                    "students": "、".join(
                        f"{student}（{name}）" for student, name in exc.refunded.items()
                    ),
                },
                "students",
            ) from exc

    def on_cancel(self, doc: Doc) -> None:
        meal_fees.reverse_refunds(doc.instance, actor=doc.acting_user)

    def _check_one_per_class_month(self, doc: Doc, errors: dict[str, list[str]]) -> None:
        """Refuse a second live refund of a class for a month: a meal is refunded once."""
        clash = (
            Document.objects.filter(
                doctype="Meal Fee Refund",
                school_id=doc.instance.school_id,
                docstatus__in=[DocStatus.DRAFT, DocStatus.SUBMITTED],
                data__class_name=doc.get("class_name"),
                data__month=doc.get("month"),
            )
            .exclude(pk=doc.instance.pk)
            .values_list("name", flat=True)
            .first()
        )
        if clash:
            errors["month"].append(
                _("%(c)s %(m)s 已有退费单 %(n)s，同一班级每月只退一次")
                % {"c": doc.get("class_name"), "m": doc.get("month"), "n": clash}
            )


def refuse_deleting_refunded_student(document: Document) -> str | None:
    """A student the meal fee books name stays: their refunds must keep saying whose they are."""
    if document.doctype != "Student":
        return None
    if not MealFeeEntry.objects.filter(
        school_id=document.school_id, student=document.name
    ).exists():
        return None
    return _("学生 %(student)s 已有伙食费退费记录，不能删除") % {"student": document.name}
