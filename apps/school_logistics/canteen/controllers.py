"""Controllers of the 食堂 DocTypes: the classes, the student roll and month-end meal fee
refunds."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.canteen.classes import (
    MEALS_PER_DAY,
    NAMING_A_CLASS,
    SCHOOL_CLASS,
    check_student,
    filed_class,
    grade_of,
    normalize_class_name,
    one_per_class_month,
)
from school_logistics.canteen.standards import (
    MAX_MEAL_RATE,
    Charged,
    Standard,
    charged_at,
    highest_cap,
    hold_school,
    standard_for,
)
from school_logistics.core.controllers import Controller, register
from school_logistics.core.data_match import data_equals
from school_logistics.core.document import Doc
from school_logistics.core.models import Document
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.values import parse_month
from school_logistics.ledger import meal_fees
from school_logistics.ledger.models import MealFeeEntry


@register(SCHOOL_CLASS)
class SchoolClass(Controller):
    """A class, numbered BJ-0001… across the site, is known by its name within its school
    (七年级（1）班 is 七年级(1)班): students and the per-class documents store that name."""

    def validate(self, doc: Doc) -> None:
        name = normalize_class_name(doc.get("class_name")) or ""
        doc.set("class_name", name)
        if not doc.get("grade"):
            doc.set("grade", grade_of(name))
        school_id, adding = doc.instance.school_id, doc.instance._state.adding
        stored = (doc.instance.data or {}).get("class_name")
        if not adding and name == stored:
            return
        if not adding and _class_in_use(school_id, stored):
            # They hold its name as text: renamed, the class would lose them.
            raise DocumentValidationError.single(
                _("班级“%(c)s”已有学生或单据，不能改名；如需新名称，请新建班级") % {"c": stored},
                "class_name",
            )
        hold_school(school_id)  # two managers naming one class at once make it once
        same = Document.objects.filter(doctype=SCHOOL_CLASS, school_id=school_id)
        if same.filter(data_equals("class_name", name)).exclude(pk=doc.instance.pk).exists():
            raise DocumentValidationError.single(_("班级“%(c)s”已存在") % {"c": name}, "class_name")


def _class_in_use(school_id: int, class_name: str | None) -> bool:
    """Whether the school's students or per-class documents name the class."""
    return Document.objects.filter(
        data_equals("class_name", class_name), doctype__in=NAMING_A_CLASS, school_id=school_id
    ).exists()


def refuse_deleting_class_in_use(document: Document) -> str | None:
    """A class its students or documents name stays: they would name nothing."""
    if document.doctype != SCHOOL_CLASS:
        return None
    class_name = (document.data or {}).get("class_name")
    if not _class_in_use(document.school_id, class_name):
        return None
    return _("班级 %(c)s 已有学生或单据，不能删除") % {"c": class_name}


@register("Student")
class Student(Controller):
    def validate(self, doc: Doc) -> None:
        errors: dict[str, list[str]] = {}
        filed_class(doc, errors)
        if errors:
            raise DocumentValidationError(errors)


@register("Canteen Staff")
class CanteenStaff(Controller):
    """持证上岗: a canteen worker's health certificate, which the canteen renews before it ends
    (a 到期提醒 on its date tells them when)."""

    def validate(self, doc: Doc) -> None:
        errors: dict[str, list[str]] = {}
        issued, expiry = doc.get("health_cert_issued"), doc.get("health_cert_expiry")
        if issued and issued > timezone.localdate():
            errors["health_cert_issued"] = [_("发证日期不能晚于今天")]
        if issued and expiry and expiry <= issued:
            errors["health_cert_expiry"] = [_("有效期须晚于发证日期")]
        if errors:
            raise DocumentValidationError(errors)


@register("Meal Fee Refund")
class MealFeeRefund(Controller):
    def validate(self, doc: Doc) -> None:
        errors: dict[str, list[str]] = defaultdict(list)
        class_name = filed_class(doc, errors)
        month = parse_month(doc.get("month"))
        days, basis = 0, None
        if month is None:
            errors["month"].append(_("月份格式应为 YYYY-MM，如 2026-03"))
        else:
            today = timezone.localdate()
            if month > (today.year, today.month):
                errors["month"].append(_("不能为未来的月份退费"))
            elif not_yet_month_end := _before_month_end(doc.get("month")):
                errors["month"].append(not_yet_month_end)
            days = calendar.monthrange(*month)[1]
            one_per_class_month(doc, "Meal Fee Refund", _("退费单"), errors)
            basis = self._rate(doc, errors)

        # Names come by fetch_from before this runs; the students are those the link check read.
        students = doc.linked.get("Student") or {}
        rate = doc.get("meal_rate")
        seen: set[str] = set()
        for idx, row in enumerate(doc.rows("students"), start=1):
            label = _("缺餐学生第 %(idx)s 行：") % {"idx": idx}
            key = f"students.{idx}."
            student = students.get(row["student"]) or {}
            name = check_student(label, key, row["student"], student, class_name, seen, errors)
            per_day = MEALS_PER_DAY.get(student.get("meal_plan") or "")
            if per_day is None:
                errors[key + "student"].append(
                    label + _("学生“%(n)s”不包餐，没有伙食费可退") % {"n": name}
                )
            elif basis is not None and row["missed_meals"] > per_day * basis.billing_days:
                # The month's fee paid for its billing days' meals, no more: those are refunded.
                errors[key + "missed_meals"].append(
                    label
                    + _("缺餐次数不能超过 %(max)s（该月按 %(d)s 个计费日 × 每天 %(p)s 餐收费）")
                    % {"max": per_day * basis.billing_days, "d": basis.billing_days, "p": per_day}
                )
            elif basis is None and days and row["missed_meals"] > per_day * days:
                errors[key + "missed_meals"].append(
                    label
                    + _("缺餐次数不能超过 %(max)s（本月 %(d)s 天 × 每天 %(p)s 餐）")
                    % {"max": per_day * days, "d": days, "p": per_day}
                )
            row["refund_amount"] = None if rate is None else row["missed_meals"] * rate
        doc.set(
            "total_refund", sum((r["refund_amount"] or 0 for r in doc.rows("students")), Decimal(0))
        )
        if errors:
            raise DocumentValidationError(errors)
        if doc.instance.docstatus == 0:
            # What the books will refuse at the last approval is refused now, before anyone
            # approves it (read only: the approval checks again under its lock).
            try:
                meal_fees.check_refunds(
                    doc.instance.school_id, doc.get("month"), _refunds(doc), lock=False
                )
            except (meal_fees.AlreadyRefunded, meal_fees.RefundExceedsPaid) as exc:
                raise _books_refusal(doc, exc) from exc

    def before_send(self, doc: Doc) -> None:
        # A draft saved before the month-end rule was kept is not sent before the month ends.
        not_yet_month_end = _before_month_end(doc.get("month"))
        if not_yet_month_end:
            raise DocumentValidationError.single(not_yet_month_end, "month")

    def _rate(self, doc: Doc, errors: dict[str, list[str]]) -> Charged | Standard | None:
        """A missed meal is refunded at the rate the class's month was charged at (its 收缴单),
        else at that of the standard in force that month; without either (fees charged before
        the school kept them here), at the rate written, no higher than the bureau's cap the
        school's standards name (or, with none, than any school canteen charges: the books
        cannot check such a month's refund against what was paid). Return what the rate and
        the billing days come from."""
        school_id = doc.instance.school_id
        charged = charged_at(school_id, doc.get("class_name"), doc.get("month"))
        basis = charged or standard_for(school_id, doc.get("month"))
        rate = doc.get("meal_rate")
        if basis is None:
            if rate is None:
                errors["meal_rate"].append(_("该月没有执行中的伙食费标准，请填写每餐标准"))
            elif rate <= 0:
                errors["meal_rate"].append(_("每餐标准必须大于 0"))
            elif (cap := highest_cap(school_id)) is not None and rate > cap:
                errors["meal_rate"].append(
                    _("每餐标准 ¥%(rate)s 超过本校伙食费标准中教育局每餐上限 ¥%(cap)s，请核对")
                    % {"rate": f"{rate:.2f}", "cap": f"{cap:.2f}"}
                )
            elif cap is None and rate > MAX_MEAL_RATE:
                errors["meal_rate"].append(
                    _("每餐标准 ¥%(rate)s 过高（不能超过 ¥%(max)s），请核对该月实际收费标准")
                    % {"rate": f"{rate:.2f}", "max": MAX_MEAL_RATE}
                )
        elif rate is None:
            doc.set("meal_rate", basis.meal_rate)
        elif rate != basis.meal_rate:
            errors["meal_rate"].append(
                _("该月按收缴单 %(n)s 收费时的每餐 ¥%(rate)s 退费（留空即可）")
                % {"n": basis.collection, "rate": basis.meal_rate}
                if isinstance(basis, Charged)
                else _("该月按伙食费标准 %(n)s 每餐 ¥%(rate)s 退费（留空即可）")
                % {"n": basis.name, "rate": basis.meal_rate}
            )
        return basis

    def on_submit(self, doc: Doc) -> None:
        try:
            meal_fees.post_refunds(
                doc.instance,
                doc.get("class_name"),
                doc.get("month"),
                _refunds(doc),
                actor=doc.acting_user,
                posting_date=timezone.localdate(),
            )
        except (meal_fees.AlreadyRefunded, meal_fees.RefundExceedsPaid) as exc:
            raise _books_refusal(doc, exc) from exc

    def on_cancel(self, doc: Doc) -> None:
        meal_fees.reverse(doc.instance, actor=doc.acting_user)


def _before_month_end(month: str | None) -> str | None:
    """Why a month's refund cannot be filed yet, if it cannot: missed meals are counted and
    refunded at the month's end (月底退还), from its last day; one refund a class a month."""
    parsed = parse_month(month)
    if parsed is None:
        return None
    last_day = dt.date(*parsed, calendar.monthrange(*parsed)[1])
    if timezone.localdate() >= last_day:
        return None
    return _(
        "缺餐伙食费在月底退还：%(m)s 的退费单 %(d)s（月底）起才能填报，到时按全月缺餐一次填报"
    ) % {"m": month, "d": last_day.isoformat()}


def _refunds(doc: Doc) -> list[meal_fees.Refund]:
    return [
        meal_fees.Refund(
            r["student"], r.get("student_name") or "", r["missed_meals"], r["refund_amount"]
        )
        for r in doc.rows("students")
        if r["refund_amount"]
    ]


def _books_refusal(
    doc: Doc, exc: meal_fees.AlreadyRefunded | meal_fees.RefundExceedsPaid
) -> DocumentValidationError:
    """Say, on each student's row and by their name, what the meal fee books refuse of a
    refund."""
    errors: dict[str, list[str]] = {}
    for idx, row in enumerate(doc.rows("students"), start=1):
        label = _("缺餐学生第 %(idx)s 行：") % {"idx": idx}
        student, name = row["student"], row.get("student_name") or row["student"]
        if isinstance(exc, meal_fees.AlreadyRefunded) and student in exc.refunded:
            errors[f"students.{idx}.student"] = [
                label
                + _("%(month)s 已退过费的学生不能再退：%(students)s")
                % {
                    "month": doc.get("month"),
                    "students": _("%(name)s（%(refund)s）")
                    % {"name": name, "refund": exc.refunded[student]},
                }
            ]
        elif isinstance(exc, meal_fees.RefundExceedsPaid) and student in exc.refundable:
            errors[f"students.{idx}.missed_meals"] = [
                label
                + _("退费不能超过该月实收的伙食费：%(students)s")
                % {
                    "students": _("%(name)s 最多退 ¥%(left)s")
                    % {"name": name, "left": exc.refundable[student]}
                }
            ]
    return DocumentValidationError(errors or {"students": [str(exc)]})


def refuse_deleting_student_on_books(document: Document) -> str | None:
    """A student the meal fee books name stays: their refunds must keep saying whose they are."""
    if document.doctype != "Student":
        return None
    if not MealFeeEntry.objects.filter(
        school_id=document.school_id, student=document.name
    ).exists():
        return None
    return _("学生 %(student)s 已有伙食费收退记录，不能删除") % {"student": document.name}
