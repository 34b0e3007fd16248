"""学期末学生费用结算清单: for each student of a class, the term's meal fees month by month —
charged, paid, refunded — and what other apps charged them (代收费: a uniform ordered through
the school), with what is still owed, printed for parents to sign."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max
from django.utils.translation import gettext as _

from school_logistics.ledger.meal_fees import SUMS, MonthFees
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

    @property
    def days(self) -> tuple[dt.date, dt.date]:
        """The term's first and last day."""
        first = dt.date.fromisoformat(f"{self.first}-01")
        after = dt.date.fromisoformat(f"{self.last}-01") + dt.timedelta(days=32)
        return first, after.replace(day=1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Charge:
    """A fee charged through the school besides meals (代收费), and whether it was paid."""

    label: str
    amount: Decimal
    paid: bool


# Each returns the term's other charges of a class's students: student number → (name, charges).
# Registered by the apps that charge them (purchasing's 学生用品征订).
ChargeSource = Callable[[int, str, Term], dict[str, tuple[str, list[Charge]]]]
charge_sources: list[ChargeSource] = []


@dataclass(frozen=True)
class Statement:
    student: str
    student_name: str
    months: list[MonthFees]
    total: MonthFees
    charges: list[Charge] = field(default_factory=list)

    @property
    def charges_unpaid(self) -> Decimal:
        return sum((c.amount for c in self.charges if not c.paid), Decimal(0))


def class_statements(school_id: int, class_name: str, term: Term) -> list[Statement]:
    """Each student the class's fees name in the term, by student number."""
    rows = (
        MealFeeEntry.objects.filter(
            school_id=school_id,
            class_name=class_name,
            month__gte=term.first,
            month__lte=term.last,
        )
        .values("student", "month")
        .annotate(name=Max("student_name"), **SUMS)
        .order_by("student", "month")
    )
    months: dict[str, list[MonthFees]] = defaultdict(list)
    names: dict[str, str] = {}
    for r in rows:
        fees = MonthFees.of(r["month"], r)
        if not fees.is_empty:
            months[r["student"]].append(fees)
            names[r["student"]] = r["name"]
    charges: dict[str, list[Charge]] = defaultdict(list)
    for source in charge_sources:
        for student, (name, found) in source(school_id, class_name, term).items():
            names.setdefault(student, name)
            charges[student].extend(found)
    return [
        Statement(
            s, names[s], months.get(s, []), MonthFees.total(months.get(s, [])), charges.get(s, [])
        )
        for s in sorted(names)
    ]
