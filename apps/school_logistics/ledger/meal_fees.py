"""Post each student's meal fee for a month — charged and paid (a 伙食费收缴单), refunded for
missed meals (a 伙食费退费单) — and mirror them when their document is cancelled.

A month is charged once and refunded once, from whichever class the student was listed in.
A refund never exceeds what the student paid for the month, where the month was charged here;
a month charged before the school kept its fees here is refunded as the class teacher counts it.
Aid approved after a month was charged takes its waiver off that charge (a 伙食费资助's rows):
aid pays that part, and what the student paid beyond the new charge is given back (资助退还) —
money apart from a missed-meal refund (退还缺餐伙食费), which the books keep told apart.

What a student still owes for a month (欠费) is the charge less what they paid and kept: money
given back for aid counts against what they paid, a missed-meal refund does not (it pays for
meals not eaten). It is never negative; money paid beyond the charge and not yet given back is
kept apart as 多缴未退.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Max, Q, Sum

from school_logistics.core.models import Document, User
from school_logistics.ledger.models import MealFeeEntry

ZERO = Decimal(0)
REFUND = "Meal Fee Refund"
AID = "Student Aid"


@dataclass(frozen=True)
class Charge:
    student: str
    student_name: str
    charged: Decimal  # 应收: the month's fee for the student's meal plan, less any waiver
    collected: Decimal  # 实收
    waived: Decimal = Decimal(0)  # 资助减免


@dataclass(frozen=True)
class Waiver:
    student: str
    student_name: str
    month: str
    amount: Decimal  # what approved aid takes off the month's fee


@dataclass(frozen=True)
class Refund:
    student: str
    student_name: str
    missed_meals: int
    refund: Decimal


class AlreadyCollected(Exception):
    """Students whose month another live collection already charged; nothing was posted."""

    def __init__(self, collected: dict[str, str]) -> None:
        super().__init__(", ".join(collected))
        self.collected = collected  # student → the collection's document name


class AlreadyRefunded(Exception):
    """Students whose month another live refund already paid back; nothing was posted."""

    def __init__(self, refunded: dict[str, str]) -> None:
        super().__init__(", ".join(refunded))
        self.refunded = refunded  # student → the refund's document name


class RefundExceedsPaid(Exception):
    """Students refunded more than they paid for the month; nothing was posted."""

    def __init__(self, refundable: dict[str, Decimal]) -> None:
        super().__init__(", ".join(refundable))
        self.refundable = refundable  # student → what they paid and were not yet refunded


@dataclass
class _Month:
    """A student's month as the books stand: net amounts, and the live vouchers behind them."""

    charged: Decimal = ZERO
    collected: Decimal = ZERO
    refund: Decimal = ZERO
    charged_by: str = ""
    refunded_by: str = ""
    class_name: str = ""  # the class the month was charged in
    meals_refunded: Decimal = ZERO  # of `refund`, what 退费单 paid back for missed meals
    aid_refunded: Decimal = ZERO  # of `refund`, what late aid gave back of what was paid


def _months(
    school_id: int, month: str, students: Sequence[str], *, lock: bool = True
) -> dict[str, _Month]:
    """The students' month so far, its rows locked against a cancellation running at once
    (unless only read, to warn before anything is posted)."""
    entries = MealFeeEntry.objects.select_for_update() if lock else MealFeeEntry.objects.all()
    rows = (
        entries.filter(school_id=school_id, month=month, student__in=students)
        .values_list(
            "student", "class_name", "voucher__doctype", "voucher__name", "charged", "collected",
            "refund",
        )
    )  # fmt: skip
    months: dict[str, _Month] = {}
    for student, class_name, doctype, voucher, charged, collected, refund in rows:
        m = months.setdefault(student, _Month())
        m.charged += charged
        m.collected += collected
        m.refund += refund
        if charged > 0:
            m.charged_by, m.class_name = voucher, class_name
        if doctype == REFUND:  # not aid giving back what was overpaid
            m.meals_refunded += refund
            if refund > 0:
                m.refunded_by = voucher
        elif doctype == AID:
            m.aid_refunded += refund
    return months


def check_refunds(school_id: int, month: str, rows: Sequence[Refund], *, lock: bool = True) -> None:
    """Raise AlreadyRefunded or RefundExceedsPaid where the books would not take the rows."""
    months = _months(school_id, month, [r.student for r in rows], lock=lock)
    refunded = {s: m.refunded_by for s, m in months.items() if m.meals_refunded > 0}
    if refunded:
        raise AlreadyRefunded(refunded)
    refundable = {
        r.student: m.collected - m.refund
        for r in rows
        if (m := months.get(r.student)) and m.charged > 0 and r.refund > m.collected - m.refund
    }
    if refundable:
        raise RefundExceedsPaid(refundable)


def charged_by(
    school_id: int, month: str, students: Sequence[str], *, lock: bool = True
) -> dict[str, str]:
    """The students whose month a live collection already charged: student → collection."""
    months = _months(school_id, month, students, lock=lock)
    return {s: m.charged_by for s, m in months.items() if m.charged > 0}


def post_collections(
    voucher: Document,
    class_name: str,
    month: str,
    rows: Sequence[Charge],
    *,
    actor: User,
    posting_date: dt.date,
) -> list[MealFeeEntry]:
    """Post a collection's rows, all or none."""
    collected = charged_by(voucher.school_id, month, [r.student for r in rows])
    if collected:
        raise AlreadyCollected(collected)
    return _post(
        voucher, class_name, month, posting_date, actor,
        [(r.student, r.student_name,
          {"charged": r.charged, "collected": r.collected, "waived": r.waived})
         for r in rows],
    )  # fmt: skip


def post_refunds(
    voucher: Document,
    class_name: str,
    month: str,
    rows: Sequence[Refund],
    *,
    actor: User,
    posting_date: dt.date,
) -> list[MealFeeEntry]:
    """Post an approved refund's rows, all or none."""
    check_refunds(voucher.school_id, month, rows)
    return _post(
        voucher, class_name, month, posting_date, actor,
        [(r.student, r.student_name, {"missed_meals": r.missed_meals, "refund": r.refund})
         for r in rows],
    )  # fmt: skip


def post_late_waivers(
    voucher: Document, rows: Sequence[Waiver], *, actor: User, posting_date: dt.date
) -> list[MealFeeEntry]:
    """Take approved aid off the months already charged (those not yet charged get it from
    their collection): the charge falls by the waiver, no more than was charged; aid pays
    that part; what the student paid beyond the new charge is given back.

    A missed-meal refund of the month is the student's apart: it does not eat into what the
    aid gives back (paid 100, 5 back for missed meals, aid 50: 50 back for the aid). Only
    what the student still has in can be given back, so the two never return more than
    was paid."""
    posted: list[MealFeeEntry] = []
    for month in sorted({r.month for r in rows}):
        of_month = [r for r in rows if r.month == month]
        months = _months(voucher.school_id, month, [r.student for r in of_month])
        for r in of_month:
            m = months.get(r.student)
            if m is None or m.charged <= 0:
                continue
            off = min(r.amount, m.charged)
            beyond_charge = m.collected - m.aid_refunded - (m.charged - off)
            overpaid = max(ZERO, min(beyond_charge, m.collected - m.refund))
            posted += _post(
                voucher, m.class_name, month, posting_date, actor,
                [(r.student, r.student_name,
                  {"charged": -off, "waived": off, "refund": overpaid})],
            )  # fmt: skip
    return posted


def late_waivers_of(school_id: int, month: str, students: Sequence[str]) -> dict[str, str]:
    """The live aid that changed these students' month after it was charged: student → aid."""
    return dict(
        MealFeeEntry.objects.filter(
            school_id=school_id,
            month=month,
            student__in=students,
            voucher__doctype=AID,
            reverses=None,
            reversal=None,
        ).values_list("student", "voucher__name")
    )


def _post(
    voucher: Document,
    class_name: str,
    month: str,
    posting_date: dt.date,
    actor: User,
    rows: list[tuple[str, str, dict[str, Any]]],
) -> list[MealFeeEntry]:
    """Post a row per (student, name, amounts) of a class's month."""
    return MealFeeEntry.objects.bulk_create(
        MealFeeEntry(
            school_id=voucher.school_id,
            student=student,
            student_name=name,
            class_name=class_name,
            month=month,
            posting_date=posting_date,
            voucher=voucher,
            created_by=actor,
            **amounts,
        )
        for student, name, amounts in rows
    )


def reverse(voucher: Document, *, actor: User) -> list[MealFeeEntry]:
    """Post the mirror of a cancelled collection's or refund's rows, dated today."""
    return MealFeeEntry.post_mirrors(
        voucher, actor=actor, signed=("charged", "waived", "collected", "missed_meals", "refund")
    )


def owed(charged: Decimal, collected: Decimal, aid_refund: Decimal) -> Decimal:
    """欠费: the charge less what was paid and kept (aid's refunds taken off), never negative."""
    return max(ZERO, charged - collected + aid_refund)


def unrefunded(
    charged: Decimal, collected: Decimal, refund: Decimal, aid_refund: Decimal
) -> Decimal:
    """多缴未退: paid beyond the charge and not given back, no more than the student has in."""
    return max(ZERO, min(collected - aid_refund - charged, collected - refund - aid_refund))


# A student's month summed from the ledger: the refunds of 退费单 and of aid told apart.
SUMS = {
    "due": Sum("charged"),
    "paid": Sum("collected"),
    "meals": Sum("missed_meals"),
    "meal_refund": Sum("refund", filter=~Q(voucher__doctype=AID)),
    "aid_refund": Sum("refund", filter=Q(voucher__doctype=AID)),
    "aid": Sum("waived"),
}


def _d(value: Decimal | None) -> Decimal:
    return ZERO if value is None else value


@dataclass(frozen=True)
class MonthFees:
    """A student's month (or the sum of some), net of cancellations; build one with `of`."""

    month: str
    charged: Decimal  # 应收
    collected: Decimal  # 实收
    missed_meals: int
    refund: Decimal  # 退还缺餐伙食费
    waived: Decimal = ZERO  # 资助减免
    aid_refund: Decimal = ZERO  # 资助退还: paid before aid was approved, given back
    arrears: Decimal = ZERO  # 欠费, never negative
    overpaid: Decimal = ZERO  # 多缴未退

    @classmethod
    def of(cls, month: str, row: dict[str, Any]) -> MonthFees:
        """A month from the ledger's SUMS."""
        charged, collected = _d(row["due"]), _d(row["paid"])
        refund, aid_refund = _d(row["meal_refund"]), _d(row["aid_refund"])
        return cls(
            month, charged, collected, row["meals"] or 0, refund, _d(row["aid"]), aid_refund,
            owed(charged, collected, aid_refund),
            unrefunded(charged, collected, refund, aid_refund),
        )  # fmt: skip

    @property
    def net_paid(self) -> Decimal:
        """What the student paid for the month, less what was given back."""
        return self.collected - self.refund - self.aid_refund

    @property
    def is_empty(self) -> bool:
        return not (self.charged or self.collected or self.refund or self.aid_refund or self.waived)

    @classmethod
    def total(cls, months: Sequence[MonthFees]) -> MonthFees:
        """The months added up: what is owed is each month's owed, not netted against another's
        overpayment."""
        return cls(
            "",
            sum((m.charged for m in months), ZERO),
            sum((m.collected for m in months), ZERO),
            sum(m.missed_meals for m in months),
            sum((m.refund for m in months), ZERO),
            sum((m.waived for m in months), ZERO),
            sum((m.aid_refund for m in months), ZERO),
            sum((m.arrears for m in months), ZERO),
            sum((m.overpaid for m in months), ZERO),
        )


def student_statement(school_id: int, student: str) -> list[MonthFees]:
    """Return a student's meal fees by month, net of cancellations, oldest first."""
    rows = (
        MealFeeEntry.objects.filter(school_id=school_id, student=student)
        .values("month")
        .annotate(**SUMS)
        .order_by("month")
    )
    months = [MonthFees.of(r["month"], r) for r in rows]
    return [m for m in months if not m.is_empty]


@dataclass(frozen=True)
class FeeLine:
    """A line of the 伙食费台账: a class's month, or one student's in it."""

    key: str  # the class, or the student's number
    student_name: str
    fees: MonthFees


def month_lines(
    school_id: int, month: str, class_name: str = ""
) -> tuple[list[FeeLine], MonthFees]:
    """A month's fees by class (or, given a class, by its students), and the month's total.

    Each student's month is settled on its own, so one student's overpayment never hides
    another's arrears in a class's or the school's sum."""
    entries = MealFeeEntry.objects.filter(school_id=school_id, month=month)
    if class_name:
        entries = entries.filter(class_name=class_name)
    rows = (
        entries.values("class_name", "student")
        .annotate(name=Max("student_name"), **SUMS)
        .order_by("class_name", "student")
    )
    students = [(r["class_name"], r["student"], r["name"], MonthFees.of(month, r)) for r in rows]
    students = [s for s in students if not s[3].is_empty]
    total = MonthFees.total([fees for _c, _s, _n, fees in students])
    if class_name:
        return [FeeLine(student, name, fees) for _c, student, name, fees in students], total
    by_class: dict[str, list[MonthFees]] = {}
    for cls_name, _student, _name, fees in students:
        by_class.setdefault(cls_name, []).append(fees)
    return [FeeLine(c, "", MonthFees.total(f)) for c, f in by_class.items()], total
