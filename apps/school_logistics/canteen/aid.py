"""伙食费资助: a class teacher asks that a student in financial difficulty pay less for meals
for some months; finance checks it and the principal approves (资助到人, 精准资助). An approved
aid is taken off what each of those months' 收缴单 charges the student; a month already charged
when it is approved is charged less there and then, and what was overpaid is given back."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.canteen.classes import MEALS_PER_DAY, check_class_teacher
from school_logistics.canteen.standards import standard_for
from school_logistics.core.controllers import Controller, register
from school_logistics.core.document import Doc
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.values import months_back, parse_month
from school_logistics.ledger import meal_fees

AID = "Student Aid"
MAX_MONTHS = 6  # a term at most: the next term is asked for again


def months_between(first: str, last: str) -> list[str]:
    """The months from `first` to `last`, both included, oldest first ([] if last < first)."""
    (y1, m1), (y2, m2) = map(lambda v: tuple(map(int, v.split("-"))), (first, last))
    count = (y2 - y1) * 12 + (m2 - m1) + 1
    return months_back(last, count)[::-1] if count > 0 else []


def waivers(school_id: int, month: str, students: Iterable[str]) -> dict[str, Decimal]:
    """What approved aid takes off each student's fee for the month."""
    approved = Document.objects.filter(
        doctype=AID,
        school_id=school_id,
        docstatus=DocStatus.SUBMITTED,
        data__student__in=list(students),
    ).values_list("data", flat=True)
    found: dict[str, Decimal] = defaultdict(Decimal)
    for data in approved:
        if data["from_month"] <= month <= data["to_month"]:
            found[data["student"]] += Decimal(str(data["monthly_waiver"]))
    return found


@register(AID)
class StudentAid(Controller):
    def validate(self, doc: Doc) -> None:
        errors: dict[str, list[str]] = defaultdict(list)
        # The class comes with the student: a class teacher asks for their own class's pupils.
        check_class_teacher(doc, "student")
        first, last = doc.get("from_month"), doc.get("to_month")
        for field, value in (("from_month", first), ("to_month", last)):
            if parse_month(value) is None:
                errors[field].append(_("月份格式应为 YYYY-MM，如 2026-09"))
        if errors:
            raise DocumentValidationError(errors)
        months = months_between(first, last)
        if not months:
            errors["to_month"].append(_("截止月份不能早于起始月份"))
        elif len(months) > MAX_MONTHS:
            errors["to_month"].append(
                _("一次最多资助 %(n)s 个月（一个学期），下学期请重新申请") % {"n": MAX_MONTHS}
            )
        self._check_plan(doc, first, errors)
        self._check_overlap(doc, first, last, errors)
        if errors:
            raise DocumentValidationError(errors)
        doc.set("total_amount", doc.get("monthly_waiver") * len(months))

    def _check_plan(self, doc: Doc, first: str, errors: dict[str, list[str]]) -> None:
        """The waiver is no more than the month's fee of the student's meal plan."""
        plan = doc.get("meal_plan") or ""
        waiver = doc.get("monthly_waiver")
        if plan not in MEALS_PER_DAY:
            errors["student"].append(_("该生不包餐，没有伙食费可减免"))
            return
        standard = standard_for(doc.instance.school_id, first)
        if standard is None:
            errors["from_month"].append(_("%(m)s 没有执行中的伙食费标准") % {"m": first})
            return
        fee = standard.monthly_fee(plan)
        if waiver is not None and waiver <= 0:
            errors["monthly_waiver"].append(_("每月减免必须大于 0"))
        elif waiver is not None and fee is not None and waiver > fee:
            errors["monthly_waiver"].append(
                _("每月减免不能超过%(plan)s的月收费 ¥%(fee)s") % {"plan": plan, "fee": fee}
            )

    def _check_overlap(self, doc: Doc, first: str, last: str, errors: dict[str, list[str]]) -> None:
        """A student's months are aided once: no two live aids cover the same month."""
        others = (
            Document.objects.filter(
                doctype=AID,
                school_id=doc.instance.school_id,
                docstatus__in=[DocStatus.DRAFT, DocStatus.SUBMITTED],
                data__student=doc.get("student"),
            )
            .exclude(pk=doc.instance.pk)
            .values_list("name", "data")
        )
        for name, data in others:
            if data["from_month"] <= last and first <= data["to_month"]:
                errors["from_month"].append(
                    _("该生 %(a)s ~ %(b)s 已有资助申请 %(n)s，月份不能重叠")
                    % {"a": data["from_month"], "b": data["to_month"], "n": name}
                )

    def on_submit(self, doc: Doc) -> None:
        rows = [
            meal_fees.Waiver(
                doc.get("student"), doc.get("student_name") or "", month, doc.get("monthly_waiver")
            )
            for month in months_between(doc.get("from_month"), doc.get("to_month"))
        ]
        meal_fees.post_late_waivers(
            doc.instance, rows, actor=doc.acting_user, posting_date=timezone.localdate()
        )

    def on_cancel(self, doc: Doc) -> None:
        meal_fees.reverse(doc.instance, actor=doc.acting_user)
