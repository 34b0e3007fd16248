"""区县教育局's view of its schools' logistics: each school's meal fee standard against the
bureau's cap, last month's canteen books as published (独立核算: income, costs, balance), the year's budget
use and tenders, hazards past their deadline, this month's repairs and the boarders each
dormitory life teacher looks after. Every figure is read
off the ledgers and the indexed columns in one query per kind, whatever the number of schools."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from school_logistics.canteen.models import PublishedMonth
from school_logistics.core.models import Document, School, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.values import month_window
from school_logistics.ledger.models import BudgetBin, CanteenExpenseEntry, MealFeeEntry

ZERO = Decimal(0)
LIFE_TEACHER = "life_teacher"
# A month's canteen balance above this share of its income is worth a look: a canteen is run
# at cost (非营利), so a large surplus may mean meals below the fee paid.
SURPLUS_WATCH = Decimal("0.05")
TURNED_DOWN = ("已拒绝", "已撤回")
# 生活老师与寄宿生 150:1: at least one life teacher for every 150 boarders or part of it.
BOARDERS_PER_LIFE_TEACHER = 150


@dataclass(frozen=True)
class FeeStandard:
    name: str
    area: str
    meal_rate: Decimal
    cap: Decimal


@dataclass
class Canteen:
    income: Decimal = ZERO  # 伙食费实收 and aid, less refunds
    cost: Decimal = ZERO
    carried: Decimal = ZERO  # every month's balance up to this one

    @property
    def balance(self) -> Decimal:
        return self.income - self.cost

    @property
    def balance_share(self) -> Decimal | None:
        return self.balance / self.income if self.income else None

    @property
    def watch(self) -> bool:
        share = self.balance_share
        return share is not None and share > SURPLUS_WATCH


@dataclass
class SchoolSummary:
    school: School
    standard: FeeStandard | None = None
    canteen: Canteen = field(default_factory=Canteen)
    allotted: Decimal = ZERO
    used: Decimal = ZERO
    tenders: int = 0
    public_tenders: int = 0
    awarded: Decimal = ZERO
    overdue_hazards: int = 0
    repairs: int = 0
    repairs_done: int = 0
    boarders: int = 0
    life_teachers: int = 0

    @property
    def life_teachers_needed(self) -> int:
        return -(-self.boarders // BOARDERS_PER_LIFE_TEACHER)  # rounded up

    @property
    def short_of_life_teachers(self) -> bool:
        return self.life_teachers < self.life_teachers_needed

    @property
    def budget_share(self) -> int | None:
        return int(self.used * 100 / self.allotted) if self.allotted else None


def _in_force(ids: Sequence[int], month: str) -> dict[int, FeeStandard]:
    """Each school's approved meal fee standard in force in the month."""
    found: dict[int, tuple[str, FeeStandard]] = {}
    rows = Document.objects.filter(
        doctype="Meal Fee Standard", school_id__in=ids, docstatus=DocStatus.SUBMITTED
    ).values_list("school_id", "name", "data")
    for school_id, name, data in rows:
        since = data.get("effective_from") or ""
        if since > month or (school_id in found and found[school_id][0] >= since):
            continue
        found[school_id] = (
            since,
            FeeStandard(
                name,
                data.get("area") or "",
                Decimal(str(data.get("meal_rate") or 0)),
                Decimal(str(data.get("cap_per_meal") or 0)),
            ),
        )
    return {school_id: standard for school_id, (_since, standard) in found.items()}


def _late_rows(ids: Sequence[int], month: str) -> Q | None:
    """Ledger rows of a public month up to `month` booked after it was published (食堂收支公示):
    they count in the month they were booked in, as on the canteen's own 食堂收支. None when
    no such month is public. One query; the rows are found by their (school, month) index."""
    published = PublishedMonth.objects.filter(school_id__in=ids, month__lte=month)
    late = None
    for school_id, public, at in published.values_list("school_id", "month", "published_at"):
        one = Q(school_id=school_id, month=public, created__gt=at)
        late = one if late is None else late | one
    return late


def _canteens(ids: Sequence[int], month: str) -> dict[int, Canteen]:
    """Each school's canteen month, and its balance carried to the month's end, as published:
    the books by month, less the late rows where their month would put them, plus those booked
    in the month (the late rows are few: they are read apart, not tested row by row)."""
    canteens: dict[int, Canteen] = {i: Canteen() for i in ids}
    late = _late_rows(ids, month)
    start, end = month_window(month)
    booked_in = Q(created__gte=start, created__lt=end)
    booked_after = Q(created__gte=end)

    def income(only: Q | None = None) -> Any:
        return (
            Sum("collected", filter=only) + Sum("waived", filter=only) - Sum("refund", filter=only)
        )

    fees = MealFeeEntry.objects.filter(school_id__in=ids, month__lte=month)
    for row in fees.values("school_id").annotate(total=income(), this=income(Q(month=month))):
        c = canteens[row["school_id"]]
        c.income = row["this"] or ZERO
        c.carried += row["total"] or ZERO
    if late is not None:
        corrections = (
            fees.filter(late)
            .values("school_id")
            .annotate(
                gone=income(booked_after), mine=income(Q(month=month)), added=income(booked_in)
            )
        )
        for row in corrections:
            c = canteens[row["school_id"]]
            c.income += (row["added"] or ZERO) - (row["mine"] or ZERO)
            c.carried -= row["gone"] or ZERO
    costs = CanteenExpenseEntry.objects.filter(school_id__in=ids, month__lte=month)
    for row in costs.values("school_id").annotate(
        total=Sum("amount"), this=Sum("amount", filter=Q(month=month))
    ):
        c = canteens[row["school_id"]]
        c.cost = row["this"] or ZERO
        c.carried -= row["total"] or ZERO
    if late is not None:
        corrections = (
            costs.filter(late)
            .values("school_id")
            .annotate(
                gone=Sum("amount", filter=booked_after),
                mine=Sum("amount", filter=Q(month=month)),
                added=Sum("amount", filter=booked_in),
            )
        )
        for row in corrections:
            c = canteens[row["school_id"]]
            c.cost += (row["added"] or ZERO) - (row["mine"] or ZERO)
            c.carried += row["gone"] or ZERO
    return canteens


def closed_month(today: dt.date) -> str:
    """The last month whose books are closed: the one before this."""
    return (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")


def summaries(schools: Sequence[School], today: dt.date) -> list[SchoolSummary]:
    """The schools' figures: last month's canteen books (the month closed), this year's
    budgets and tenders, this month's repairs, and hazards whose deadline has passed."""
    ids = [s.pk for s in schools]
    last_month = closed_month(today)
    out = {s.pk: SchoolSummary(s) for s in schools}
    for school_id, standard in _in_force(ids, today.strftime("%Y-%m")).items():
        out[school_id].standard = standard
    for school_id, canteen in _canteens(ids, last_month).items():
        out[school_id].canteen = canteen
    budgets = (
        BudgetBin.objects.filter(school_id__in=ids, fiscal_year=today.year)
        .values("school_id")
        .annotate(allotted=Sum("allotted"), committed=Sum("committed"), spent=Sum("spent"))
    )
    for row in budgets:
        s = out[row["school_id"]]
        s.allotted = row["allotted"] or ZERO
        s.used = (row["committed"] or ZERO) + (row["spent"] or ZERO)
    documents = Document.objects.filter(school_id__in=ids)
    tenders = (
        documents.filter(
            doctype="Tender", docstatus=DocStatus.SUBMITTED, posting_date__year=today.year
        )
        .values("school_id")
        .annotate(
            n=Count("id"),
            public=Count("id", filter=Q(data__method="公开招标")),
            total=Sum("grand_total"),
        )
    )
    for row in tenders:
        s = out[row["school_id"]]
        s.tenders, s.public_tenders, s.awarded = row["n"], row["public"], row["total"] or ZERO
    overdue = (
        documents.filter(doctype="Hazard Rectification", posting_date__lt=today)
        # Not yet put right: one rectified and waiting for its re-check is not late.
        .filter(Q(data__rectified_on__isnull=True) | Q(data__rectified_on=None))
        .exclude(docstatus=DocStatus.CANCELLED)
        .exclude(workflow_state__in=TURNED_DOWN)
        .values("school_id")
        .annotate(n=Count("id"))
    )
    for row in overdue:
        out[row["school_id"]].overdue_hazards = row["n"]
    repairs = (
        documents.filter(
            doctype="Repair Ticket",
            posting_date__gte=today.replace(day=1),
            posting_date__lte=today,
        )
        .exclude(docstatus=DocStatus.CANCELLED)
        .exclude(workflow_state__in=TURNED_DOWN)
        .values("school_id")
        .annotate(n=Count("id"), done=Count("id", filter=Q(docstatus=DocStatus.SUBMITTED)))
    )
    for row in repairs:
        s = out[row["school_id"]]
        s.repairs, s.repairs_done = row["n"], row["done"]
    boarders = (
        documents.filter(doctype="Student", data__is_boarding=1)
        .values("school_id")
        .annotate(n=Count("id"))
    )
    for row in boarders:
        out[row["school_id"]].boarders = row["n"]
    life_teachers = (
        User.objects.filter(school_id__in=ids, is_active=True, roles__code=LIFE_TEACHER)
        .values("school_id")
        .annotate(n=Count("id", distinct=True))
    )
    for row in life_teachers:
        out[row["school_id"]].life_teachers = row["n"]
    return [out[s.pk] for s in schools]
