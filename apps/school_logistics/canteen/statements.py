"""学期末学生费用结算清单: for each student of a class, the term's meal fees month by month —
charged, paid, refunded — with what is still owed, printed for parents to sign."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Sum
from django.utils.translation import gettext as _

from school_logistics.ledger.meal_fees import MonthFees
from school_logistics.ledger.models import MealFeeEntry


@dataclass(frozen=True)
class Term:
    """A school term as months: autumn is September to January, spring February to August."""

    first: str  # YYYY-MM
    last: str
    label: str

    @classmethod
    def of(cls, month: str) -> Term:
        year, mon = map(int, month.split("-"))
        if mon >= 9 or mon == 1:
            start = year if mon >= 9 else year - 1
            return cls(f"{start}-09", f"{start + 1}-01", _("%(y)s 年秋季学期") % {"y": start})
        return cls(f"{year}-02", f"{year}-08", _("%(y)s 年春季学期") % {"y": year})


@dataclass(frozen=True)
class Statement:
    student: str
    student_name: str
    months: list[MonthFees]
    total: MonthFees


def class_statements(school_id: int, class_name: str, term: Term) -> list[Statement]:
    """Each student the class's fees name in the term, by student number."""
    rows = (
        MealFeeEntry.objects.filter(
            school_id=school_id,
            class_name=class_name,
            month__gte=term.first,
            month__lte=term.last,
        )
        .values("student", "student_name", "month")
        .annotate(
            due=Sum("charged"),
            paid=Sum("collected"),
            meals=Sum("missed_meals"),
            back=Sum("refund"),
            aid=Sum("waived"),
        )
        .order_by("student", "month")
    )
    months: dict[str, list[MonthFees]] = defaultdict(list)
    names: dict[str, str] = {}
    for r in rows:
        if r["due"] or r["paid"] or r["back"] or r["aid"]:
            months[r["student"]].append(
                MonthFees(r["month"], r["due"], r["paid"], r["meals"], r["back"], r["aid"])
            )
            names[r["student"]] = r["student_name"]
    return [Statement(s, names[s], fees, MonthFees.total(fees)) for s, fees in months.items()]
