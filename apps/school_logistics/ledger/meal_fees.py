"""Post the meal fees refunded to each student, and reverse them when the refund is cancelled.

A meal is refunded once: a student's month refunded by a live refund is refused again, from
whichever class the student was listed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from school_logistics.core.models import Document, User
from school_logistics.ledger.models import MealFeeEntry


@dataclass(frozen=True)
class Refund:
    student: str
    student_name: str
    missed_meals: int
    refund: Decimal


class AlreadyRefunded(Exception):
    """Students whose month another live refund already paid back; nothing was posted."""

    def __init__(self, refunded: dict[str, str]) -> None:
        super().__init__(", ".join(refunded))
        self.refunded = refunded  # student → the refund's document name


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
    students = [r.student for r in rows]
    # The students' earlier rows of the month, locked against a cancellation running at once.
    earlier = list(
        MealFeeEntry.objects.select_for_update()
        .filter(school_id=voucher.school_id, month=month, student__in=students)
        .values_list("student", "voucher__name", "refund")
    )
    net: dict[str, Decimal] = {}
    paid_by: dict[str, str] = {}
    for student, name, refund in earlier:
        net[student] = net.get(student, Decimal(0)) + refund
        if refund > 0:
            paid_by[student] = name
    refunded = {s: paid_by[s] for s in students if net.get(s, Decimal(0)) > 0}
    if refunded:
        raise AlreadyRefunded(refunded)
    return MealFeeEntry.objects.bulk_create(
        MealFeeEntry(
            school_id=voucher.school_id,
            student=r.student,
            student_name=r.student_name,
            class_name=class_name,
            month=month,
            posting_date=posting_date,
            voucher=voucher,
            missed_meals=r.missed_meals,
            refund=r.refund,
            created_by=actor,
        )
        for r in rows
    )


def reverse_refunds(voucher: Document, *, actor: User) -> list[MealFeeEntry]:
    """Post the mirror of a cancelled refund's rows, dated today."""
    posted = MealFeeEntry.objects.filter(voucher=voucher, reverses=None, reversal=None)
    today = timezone.localdate()
    return MealFeeEntry.objects.bulk_create(
        MealFeeEntry(
            school_id=e.school_id,
            student=e.student,
            student_name=e.student_name,
            class_name=e.class_name,
            month=e.month,
            posting_date=today,
            voucher=voucher,
            missed_meals=-e.missed_meals,
            refund=-e.refund,
            reverses=e,
            created_by=actor,
        )
        for e in posted.order_by("id")
    )


@dataclass(frozen=True)
class MonthRefund:
    month: str
    missed_meals: int
    refund: Decimal


def student_statement(school_id: int, student: str) -> list[MonthRefund]:
    """Return a student's refunds by month, net of cancellations, oldest first."""
    rows = (
        MealFeeEntry.objects.filter(school_id=school_id, student=student)
        .values("month")
        .annotate(meals=Sum("missed_meals"), total=Sum("refund"))
        .exclude(total=0)
        .order_by("month")
    )
    return [MonthRefund(r["month"], r["meals"], r["total"]) for r in rows]
