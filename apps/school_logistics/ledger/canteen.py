"""The canteen's own books (学生食堂独立核算): its costs, posted by approved 食堂支出单, and each
month's account — meal fees paid and the part aid pays, less refunds, against those costs —
read off the ledgers."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from school_logistics.core.models import Document, User
from school_logistics.ledger.models import CanteenExpenseEntry, MealFeeEntry

ZERO = Decimal(0)


@dataclass(frozen=True)
class Expense:
    category: str
    description: str
    amount: Decimal


def post_expenses(
    voucher: Document,
    month: str,
    rows: Sequence[Expense],
    *,
    actor: User,
    posting_date: dt.date,
) -> list[CanteenExpenseEntry]:
    return CanteenExpenseEntry.objects.bulk_create(
        CanteenExpenseEntry(
            school_id=voucher.school_id,
            month=month,
            category=r.category,
            description=r.description[:280],
            amount=r.amount,
            posting_date=posting_date,
            voucher=voucher,
            created_by=actor,
        )
        for r in rows
    )


def reverse_expenses(voucher: Document, *, actor: User) -> list[CanteenExpenseEntry]:
    return CanteenExpenseEntry.post_mirrors(voucher, actor=actor, signed=("amount",))


@dataclass
class MonthAccount:
    """One month of the canteen's account."""

    month: str
    collected: Decimal = ZERO  # 伙食费实收
    aided: Decimal = ZERO  # 资助减免: meals served that aid, not the student, pays for
    refunded: Decimal = ZERO  # 退还缺餐伙食费
    costs: dict[str, Decimal] = field(default_factory=dict)  # category → amount
    carried: Decimal = ZERO  # 累计结余: this month's balance and every earlier one's

    @property
    def income(self) -> Decimal:
        return self.collected + self.aided - self.refunded

    @property
    def cost(self) -> Decimal:
        return sum(self.costs.values(), ZERO)

    @property
    def balance(self) -> Decimal:
        return self.income - self.cost

    def cost_lines(self, order: Sequence[str]) -> list[tuple[str, Decimal]]:
        """Each cost heading with its amount, in `order`, then any other the month has (an
        admin may add headings to the expense form)."""
        known = [(c, self.costs.get(c, ZERO)) for c in order]
        return known + [(c, a) for c, a in sorted(self.costs.items()) if c not in order]


def accounts(school_id: int) -> list[MonthAccount]:
    """Every month the canteen's books have a row for, newest first, net of cancellations."""
    fees = (
        MealFeeEntry.objects.filter(school_id=school_id)
        .values("month")
        .annotate(collected=Sum("collected"), aided=Sum("waived"), refunded=Sum("refund"))
    )
    costs = (
        CanteenExpenseEntry.objects.filter(school_id=school_id)
        .values("month", "category")
        .annotate(amount=Sum("amount"))
    )
    months: dict[str, MonthAccount] = defaultdict(lambda: MonthAccount(""))
    for row in fees:
        m = months[row["month"]]
        m.collected, m.aided, m.refunded = row["collected"], row["aided"], row["refunded"]
    for row in costs:
        if row["amount"]:
            months[row["month"]].costs[row["category"]] = row["amount"]
    carried = ZERO
    kept = []
    for month in sorted(months):
        m = months[month]
        m.month = month
        carried += m.balance
        m.carried = carried
        if m.collected or m.aided or m.refunded or m.costs:
            kept.append(m)
    return kept[::-1]
