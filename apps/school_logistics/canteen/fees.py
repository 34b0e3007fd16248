"""伙食费收缴单: fees are charged at the standard in force (按核定标准收费), month by month for
each student's meal plan (包餐制按月收取), less what approved aid waives."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.canteen.aid import waivers
from school_logistics.canteen.classes import (
    MEALS_PER_DAY,
    check_student,
    class_students,
    filed_class,
    one_per_class_month,
)
from school_logistics.canteen.standards import Standard, hold_school, standard_for
from school_logistics.core.controllers import Controller, register
from school_logistics.core.document import Doc
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.values import parse_month
from school_logistics.ledger import meal_fees

COLLECTION = "Meal Fee Collection"


def class_roll(school_id: int, class_name: str) -> list[dict[str, Any]]:
    """The class's students on a meal plan, by student number."""
    return [
        {"student": name, "student_name": data.get("student_name"), "meal_plan": plan}
        for name, data in class_students(school_id, class_name)
        if (plan := data.get("meal_plan")) in MEALS_PER_DAY
    ]


def _next_month(today: dt.date) -> tuple[int, int]:
    return (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)


@register(COLLECTION)
class MealFeeCollection(Controller):
    """Each student on a meal plan owes the month's fee of their plan; 实收 is what they paid,
    the full fee unless the collector writes less (and why). A class has one collection a
    month, so it lists every pupil of the class on a meal plan whose month is not charged yet
    (one who moved in was charged with their old class): one left off it would owe nothing."""

    def validate(self, doc: Doc) -> None:
        school_id = doc.instance.school_id
        errors: dict[str, list[str]] = defaultdict(list)
        class_name = filed_class(doc, errors)
        month = parse_month(doc.get("month"))
        standard = None
        if month is None:
            errors["month"].append(_("月份格式应为 YYYY-MM，如 2026-03"))
        elif month > _next_month(timezone.localdate()):
            errors["month"].append(_("只能收取本月或下月的伙食费"))
        else:
            # The rate read here is the one charged: a standard's approval waits for this save.
            hold_school(school_id)
            standard = standard_for(school_id, doc.get("month"))
            if standard is None:
                errors["month"].append(
                    _("%(m)s 没有执行中的伙食费标准：请先报校长审批伙食费标准")
                    % {"m": doc.get("month")}
                )
            one_per_class_month(doc, COLLECTION, _("收缴单"), errors)
        if errors or standard is None:
            raise DocumentValidationError(errors)
        doc.set("standard", standard.name)
        doc.set("meal_rate", standard.meal_rate)
        doc.set("billing_days", standard.billing_days)
        roll = class_roll(school_id, class_name)
        charged = meal_fees.charged_by(
            school_id, doc.get("month"), [r["student"] for r in roll], lock=False
        )
        owing = [r for r in roll if r["student"] not in charged]
        rows = doc.rows("students") or owing
        if not rows:
            raise DocumentValidationError.single(
                _("%(c)s 没有包餐学生") % {"c": class_name}
                if not roll
                else _("%(c)s 的包餐学生 %(m)s 的伙食费都已收过")
                % {"c": class_name, "m": doc.get("month")},
                "students",
            )
        doc.set("students", rows)
        listed = {r["student"] for r in rows}
        left_out = [r for r in owing if r["student"] not in listed]
        if left_out:
            errors["students"].append(
                _(
                    "%(c)s 还有包餐学生没有列入：%(students)s。每班每月只有一份收缴单，"
                    "全班包餐学生都要列入；未缴的实收填 0，并在备注写明原因"
                )
                % {
                    "c": class_name,
                    "students": "、".join(
                        _("%(name)s（%(no)s）") % {"name": r["student_name"], "no": r["student"]}
                        for r in left_out
                    ),
                }
            )
        self._charge(doc, standard, rows, class_name, errors)
        if errors:
            raise DocumentValidationError(errors)

    def _charge(
        self,
        doc: Doc,
        standard: Standard,
        rows: list[dict[str, Any]],
        class_name: str,
        errors: dict[str, list[str]],
    ) -> None:
        students = doc.linked.get("Student") or {}
        waived = waivers(doc.instance.school_id, doc.get("month"), [r["student"] for r in rows])
        seen: set[str] = set()
        due_total = paid_total = Decimal(0)
        for idx, row in enumerate(rows, start=1):
            label = _("包餐学生第 %(idx)s 行：") % {"idx": idx}
            key = f"students.{idx}."
            student = students.get(row["student"]) or {
                "student_name": row.get("student_name"),
                "class_name": class_name,
                "meal_plan": row.get("meal_plan"),
            }
            name = check_student(label, key, row["student"], student, class_name, seen, errors)
            fee = standard.monthly_fee(student.get("meal_plan") or "")
            if fee is None:
                errors[key + "student"].append(
                    label + _("学生“%(n)s”不包餐，不收伙食费") % {"n": name}
                )
                continue
            waiver = min(waived.get(row["student"], Decimal(0)), fee)
            due = fee - waiver
            paid = due if row.get("amount_paid") is None else row["amount_paid"]
            if paid < 0:
                errors[key + "amount_paid"].append(label + _("实收不能为负数"))
            elif paid > due:
                errors[key + "amount_paid"].append(
                    label
                    + _("实收 ¥%(paid)s 超过应收 ¥%(due)s：只按核定标准收费")
                    % {"paid": f"{paid:.2f}", "due": f"{due:.2f}"}
                )
            elif paid < due and not (row.get("note") or "").strip():
                # What is not paid is owed: the books and the class teacher need to know why.
                errors[key + "note"].append(
                    label
                    + _("实收 ¥%(paid)s 少于应收 ¥%(due)s，请在备注写明原因（如：家长下周补交）")
                    % {"paid": f"{paid:.2f}", "due": f"{due:.2f}"}
                )
            row.update(
                meal_plan=student.get("meal_plan"), waiver=waiver, amount_due=due, amount_paid=paid
            )
            due_total += due
            paid_total += paid
        doc.set("total_due", due_total)
        doc.set("total_paid", paid_total)
        doc.set("arrears", due_total - paid_total)

    def on_submit(self, doc: Doc) -> None:
        rows = [
            meal_fees.Charge(
                r["student"],
                r.get("student_name") or "",
                r["amount_due"],
                r["amount_paid"],
                r.get("waiver") or Decimal(0),
            )
            for r in doc.rows("students")
        ]
        try:
            meal_fees.post_collections(
                doc.instance,
                doc.get("class_name"),
                doc.get("month"),
                rows,
                actor=doc.acting_user,
                posting_date=doc.get("posting_date") or timezone.localdate(),
            )
        except meal_fees.AlreadyCollected as exc:
            raise DocumentValidationError.single(
                _("%(month)s 已收过伙食费的学生不能再收：%(students)s")
                % {
                    "month": doc.get("month"),
                    "students": "、".join(f"{s}（{n}）" for s, n in exc.collected.items()),
                },
                "students",
            ) from exc

    def on_cancel(self, doc: Doc) -> None:
        students = [r["student"] for r in doc.rows("students")]
        aided = meal_fees.late_waivers_of(doc.instance.school_id, doc.get("month"), students)
        if aided:
            # The aid's rows stand on this charge: take them off first.
            raise DocumentValidationError.single(
                _("资助调整过本单学生的伙食费，请先作废资助：%(aid)s")
                % {"aid": "、".join(f"{s}（{a}）" for s, a in aided.items())},
                "students",
            )
        meal_fees.reverse(doc.instance, actor=doc.acting_user)
