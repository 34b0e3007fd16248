"""伙食费标准: the rate per meal the principal approved, within the bureau's cap for the
school's area (按核定标准收费); a plan's monthly fee follows from it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from school_logistics.canteen.classes import MEALS_PER_DAY
from school_logistics.core.controllers import Controller, register
from school_logistics.core.document import Doc, live_clash
from school_logistics.core.extensions import BlankFill
from school_logistics.core.meta import Meta
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.values import parse_month

STANDARD = "Meal Fee Standard"


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
