"""The canteen's own books (学生食堂独立核算): its costs, posted by approved 食堂支出单, and each
month's account — meal fees paid and the part aid pays, less refunds, against those costs —
read off the ledgers.

A month made public (公示) keeps its figures: a row of it booked later — a late aid, a late
expense, a cancellation — is a correction on the account of the month it was booked in, as
books are corrected by new entries dated when they are made."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

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
class Amounts:
    """Meal fee income and costs of the canteen's account, for a month or a correction."""

    collected: Decimal = ZERO  # 伙食费实收
    aided: Decimal = ZERO  # 资助减免: meals served that aid, not the student, pays for
    refunded: Decimal = ZERO  # 退还缺餐伙食费
    aid_refunded: Decimal = ZERO  # 资助退还: what students paid before aid came, given back
    costs: dict[str, Decimal] = field(default_factory=dict)  # category → amount

    @property
    def income(self) -> Decimal:
        return self.collected + self.aided - self.refunded - self.aid_refunded

    @property
    def cost(self) -> Decimal:
        return sum(self.costs.values(), ZERO)

    @property
    def is_empty(self) -> bool:
        return not (
            self.collected or self.aided or self.refunded or self.aid_refunded or self.costs
        )


@dataclass
class Correction(Amounts):
    """Rows of an earlier month booked after that month was made public (公示): its figures
    stay as published, and the change is on the books of the month it was booked in."""

    month: str = ""  # the month the rows are of


@dataclass
class MonthAccount(Amounts):
    """One month of the canteen's account: its own rows, and the corrections booked in it."""

    month: str = ""
    corrections: list[Correction] = field(default_factory=list)  # oldest month first
    corrected_in: list[str] = field(default_factory=list)  # months that carry its corrections
    carried: Decimal = ZERO  # 累计结余: this month's balance and every earlier one's

    @property
    def income(self) -> Decimal:
        return super().income + sum((c.income for c in self.corrections), ZERO)

    @property
    def cost(self) -> Decimal:
        return super().cost + sum((c.cost for c in self.corrections), ZERO)

    @property
    def balance(self) -> Decimal:
        return self.income - self.cost

    @property
    def corrected_months(self) -> list[str]:
        """The earlier months whose corrections this month carries."""
        return [c.month for c in self.corrections]

    def cost_lines(self, order: Sequence[str]) -> list[tuple[str, Decimal]]:
        """Each cost heading with its amount, in `order`, then any other the month has (an
        admin may add headings to the expense form)."""
        known = [(c, self.costs.get(c, ZERO)) for c in order]
        return known + [(c, a) for c, a in sorted(self.costs.items()) if c not in order]


AID = "Student Aid"


def _late(published: Mapping[str, dt.datetime]) -> Q | None:
    """Rows of a published month booked after it was published (None: no month is)."""
    late = None
    for month, when in published.items():
        one = Q(month=month, created__gt=when)
        late = one if late is None else late | one
    return late


def _add_fees(
    into: Amounts, collected: Decimal, aided: Decimal, refund: Decimal, aid: bool
) -> None:
    into.collected += collected
    into.aided += aided
    if aid:
        into.aid_refunded += refund
    else:
        into.refunded += refund


def accounts(
    school_id: int, *, published: Mapping[str, dt.datetime] | None = None
) -> list[MonthAccount]:
    """Every month the canteen's books have a row for, newest first, net of cancellations.

    `published`: the months made public, with when. A row of such a month booked after it was
    published counts in the month it was booked (a correction), so what was published stays.
    """
    late = _late(published or {})
    months: dict[str, MonthAccount] = defaultdict(MonthAccount)
    fees = MealFeeEntry.objects.filter(school_id=school_id)
    expenses = CanteenExpenseEntry.objects.filter(school_id=school_id)
    on_time = (fees, expenses) if late is None else (fees.exclude(late), expenses.exclude(late))
    for row in (
        on_time[0]
        .values("month")
        .annotate(
            collected=Sum("collected"),
            aided=Sum("waived"),
            refunded=Sum("refund", filter=~Q(voucher__doctype=AID)),
            aid_refunded=Sum("refund", filter=Q(voucher__doctype=AID)),
        )
    ):
        m = months[row["month"]]
        m.collected, m.aided = row["collected"], row["aided"]
        m.refunded, m.aid_refunded = row["refunded"] or ZERO, row["aid_refunded"] or ZERO
    for row in on_time[1].values("month", "category").annotate(amount=Sum("amount")):
        if row["amount"]:
            months[row["month"]].costs[row["category"]] = row["amount"]
    if late is not None:
        _book_corrections(months, fees.filter(late), expenses.filter(late))
    carried = ZERO
    kept = []
    for month in sorted(months):
        m = months[month]
        m.month = month
        carried += m.balance
        m.carried = carried
        if not m.is_empty or m.corrections:
            kept.append(m)
    return kept[::-1]


def _book_corrections(
    months: dict[str, MonthAccount],
    fees: QuerySet[MealFeeEntry],
    expenses: QuerySet[CanteenExpenseEntry],
) -> None:
    """Put each late row in the month it was booked, as a correction of its own month."""
    found: dict[tuple[str, str], Correction] = {}

    def correction(of_month: str, created: dt.datetime) -> Correction:
        booked = timezone.localtime(created).strftime("%Y-%m")
        if (booked, of_month) not in found:
            found[booked, of_month] = Correction(month=of_month)
        return found[booked, of_month]

    for month, created, collected, aided, refund, doctype in fees.values_list(
        "month", "created", "collected", "waived", "refund", "voucher__doctype"
    ):
        _add_fees(correction(month, created), collected, aided, refund, doctype == AID)
    for month, created, category, amount in expenses.values_list(
        "month", "created", "category", "amount"
    ):
        costs = correction(month, created).costs
        costs[category] = costs.get(category, ZERO) + amount
    for (booked, of_month), c in sorted(found.items()):
        c.costs = {k: v for k, v in c.costs.items() if v}
        if not c.is_empty:
            months[booked].corrections.append(c)
            months[of_month].corrected_in.append(booked)
