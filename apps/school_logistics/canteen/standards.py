"""伙食费标准: the rate per meal the principal approved, within the bureau's cap for the
school's area (按核定标准收费); a plan's monthly fee follows from it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from school_logistics.canteen.classes import MEALS_PER_DAY
from school_logistics.core.controllers import Controller, register
from school_logistics.core.data_match import data_equals
from school_logistics.core.document import Doc, live_clash
from school_logistics.core.extensions import BlankFill
from school_logistics.core.meta import Meta
from school_logistics.core.models import Document, School
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.values import parse_month

STANDARD = "Meal Fee Standard"
COLLECTION = "Meal Fee Collection"


@dataclass(frozen=True)
class Standard:
    name: str
    effective_from: str
    meal_rate: Decimal
    billing_days: int

    def monthly_fee(self, meal_plan: str) -> Decimal | None:
        """A month's fee of a meal plan; None for a plan that pays for no meals."""
        per_day = MEALS_PER_DAY.get(meal_plan)
        return None if per_day is None else self.meal_rate * self.billing_days * per_day


def _approved(school_id: int) -> QuerySet[Document]:
    """The school's approved standards (a handful: one a change of rate)."""
    return Document.objects.filter(
        doctype=STANDARD, school_id=school_id, docstatus=DocStatus.SUBMITTED
    )


def standard_for(school_id: int, month: str) -> Standard | None:
    """The approved standard in force in a month (YYYY-MM): the latest to take effect by then."""
    approved = _approved(school_id).values_list("name", "data")
    in_force = [(d["effective_from"], n, d) for n, d in approved if d["effective_from"] <= month]
    if not in_force:
        return None
    effective_from, name, data = max(in_force)
    return Standard(name, effective_from, Decimal(str(data["meal_rate"])), data["billing_days"])


@dataclass(frozen=True)
class Charged:
    """A class's month as its approved 收缴单 charged it."""

    collection: str
    meal_rate: Decimal
    billing_days: int


def _collections(school_id: int) -> QuerySet[Document]:
    return Document.objects.filter(
        doctype=COLLECTION, school_id=school_id, docstatus=DocStatus.SUBMITTED
    )


def charged_at(school_id: int, class_name: str, month: str) -> Charged | None:
    """The rate and billing days a class's month was charged at, if a collection charged it:
    what its students paid for, whatever standard is in force for the month now."""
    found = (
        _collections(school_id)
        .filter(data_equals("class_name", class_name), data_equals("month", month))
        .values_list("name", "data")
        .first()
    )
    if found is None:
        return None
    name, data = found
    return Charged(name, Decimal(str(data["meal_rate"])), data["billing_days"])


def hold_school(school_id: int) -> None:
    """Hold the school's row until this transaction commits, so that writes that each read
    what the other writes run one after the other: a standard's approval and a month's
    collection; two saves naming the same class (no constraint reaches a name in the JSON)."""
    if not (connection.features.has_select_for_update and connection.in_atomic_block):
        # SQLite runs one writing transaction at a time (BEGIN IMMEDIATE); a preview writes none.
        return
    # NO KEY: every insert naming the school (documents, ledger rows) takes KEY SHARE on its
    # row, which this lock lets through.
    list(
        School.objects.select_for_update(no_key=True)
        .filter(pk=school_id)
        .values_list("pk", flat=True)
    )


def _next_month(month: str) -> str:
    year, mon = map(int, month.split("-"))
    return f"{year + 1}-01" if mon == 12 else f"{year}-{mon + 1:02d}"


def charged_under(doc: Doc) -> str | None:
    """Why a standard cannot take effect from its month, if it cannot: a month it would govern
    (from its month until the next approved standard's) was already charged, at the rate in
    force then; its refunds must be at that rate, and its fees stay as charged."""
    school_id, first = doc.instance.school_id, doc.get("effective_from")
    later = [
        d["effective_from"]
        for d in _approved(school_id).exclude(pk=doc.instance.pk).values_list("data", flat=True)
        if d["effective_from"] > first
    ]
    charged = _collections(school_id).filter(data__month__gte=first)
    if later:
        charged = charged.filter(data__month__lt=min(later))
    found = (
        charged.order_by("-data__month").values_list("data__month", "name", "data__meal_rate")
    ).first()
    if found is None:
        return None
    month, name, rate = found
    return _(
        "%(m)s 的伙食费已按每餐 ¥%(rate)s 收取（收缴单 %(n)s），已收费月份的标准不能再改："
        "新标准最早从 %(first)s 起执行"
    ) % {"m": month, "rate": f"{Decimal(str(rate)):.2f}", "n": name, "first": _next_month(month)}


# The highest rate per meal a refund may be written at while the school has no approved
# standard to take the bureau's cap from: above every published cap for school canteens
# (a few yuan a meal in the country, a little more in town), so it stops a slip of the pen
# (500.00 for 5.00) and never a real rate.
MAX_MEAL_RATE = Decimal("30.00")


def highest_cap(school_id: int) -> Decimal | None:
    """The highest 教育局每餐上限 of the school's approved standards, or None if it has none."""
    approved = _approved(school_id).values_list("data", flat=True)
    caps = [Decimal(str(d["cap_per_meal"])) for d in approved if d.get("cap_per_meal")]
    return max(caps) if caps else None


def approved_rates(school_id: int) -> list[tuple[str, str]]:
    """(effective from YYYY-MM, rate per meal) of the school's approved standards, oldest first."""
    approved = _approved(school_id).values_list("data", flat=True)
    return sorted((d["effective_from"], str(Decimal(str(d["meal_rate"])))) for d in approved)


def refund_rate_fill(meta: Meta, school_id: int) -> dict[str, BlankFill]:
    """A refund left without a rate is refunded at the standard in force in its month: the
    form shows that rate, and each student's refund with it, as soon as the month is picked."""
    if meta.name != "Meal Fee Refund":
        return {}
    rates = approved_rates(school_id)
    return {"meal_rate": BlankFill("month", rates)} if rates else {}


@register(STANDARD)
class MealFeeStandard(Controller):
    def validate(self, doc: Doc) -> None:
        errors: dict[str, list[str]] = defaultdict(list)
        if parse_month(doc.get("effective_from")) is None:
            errors["effective_from"].append(_("月份格式应为 YYYY-MM，如 2026-09"))
        rate, cap = doc.get("meal_rate"), doc.get("cap_per_meal")
        if rate is not None and rate <= 0:
            errors["meal_rate"].append(_("每餐标准必须大于 0"))
        if cap is not None and cap <= 0:
            errors["cap_per_meal"].append(_("教育局每餐上限必须大于 0"))
        if rate is not None and cap is not None and rate > cap:
            errors["meal_rate"].append(
                _("每餐标准 ¥%(rate)s 超过教育局%(area)s学校上限 ¥%(cap)s")
                % {"rate": rate, "area": doc.get("area") or "", "cap": cap}
            )
        days = doc.get("billing_days")
        if days is not None and not 1 <= days <= 31:
            errors["billing_days"].append(_("每月计费天数应在 1 到 31 之间"))
        if errors:
            raise DocumentValidationError(errors)
        clash = live_clash(doc, STANDARD, effective_from=doc.get("effective_from"))
        if clash:
            raise DocumentValidationError.single(
                _("%(m)s 起执行的标准已有 %(n)s，请修改那一份或将其作废")
                % {"m": doc.get("effective_from"), "n": clash},
                "effective_from",
            )
        self._refuse_charged_months(doc)

    def before_submit(self, doc: Doc) -> None:
        # Approved after its draft was checked: a month may have been charged meanwhile.
        hold_school(doc.instance.school_id)
        self._refuse_charged_months(doc)

    def _refuse_charged_months(self, doc: Doc) -> None:
        refusal = charged_under(doc)
        if refusal:
            raise DocumentValidationError.single(refusal, "effective_from")
