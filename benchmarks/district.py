"""学校后勤概览 at a district's size: the bureau's one page over many schools' books.

`--schools` schools, each with an approved meal fee standard, `--months` months of canteen
books (a fee row a student a month, the month's costs), budget lines, tenders, hazards and
repair tickets, added in bulk; then the overview is requested through Django's test client
as a bureau user who looks after every school: p50/p95 and statements per request. The page's
figures are checked against the ledgers (each school's income, costs and carried balance).

Run: .venv/bin/python benchmarks/district.py [--db sqlite|postgres] [--schools 40]
     [--students 600] [--months 12] [--requests 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchkit  # noqa: E402

FEE = Decimal("100.00")  # 午餐: 5.00 a meal, 20 days
COST_SHARE = Decimal("0.96")  # what a month's costs take of its fees


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--schools", type=int, default=40)
    parser.add_argument("--students", type=int, default=600, help="students a school")
    parser.add_argument("--months", type=int, default=12, help="months of canteen books")
    parser.add_argument("--requests", type=int, default=20, help="requests of the page")
    args = parser.parse_args()

    benchkit.configure(args.db)
    benchkit.setup_django()
    benchkit.fresh_database()
    try:
        bureau = district(args.schools, args.students, args.months)
        benchkit.time_pages(
            bureau,
            [("district_overview", "/app/district/")],
            args.requests,
            {"schools": args.schools, "students": args.students, "months": args.months},
        )
        check_figures(bureau)
    finally:
        benchkit.drop_sqlite_folder()


def district(schools: int, students: int, months: int):  # type: ignore[no-untyped-def]
    """The schools and their books, in bulk; return the bureau user looking after them."""
    from django.utils import timezone

    from school_logistics.core.models import Document, Role, School, User
    from school_logistics.core.roles import ensure_default_roles
    from school_logistics.core.values import months_back
    from school_logistics.ledger.models import CanteenExpenseEntry, MealFeeEntry

    t = time.perf_counter()
    ensure_default_roles()
    today = timezone.localdate()
    this_month = today.strftime("%Y-%m")
    books = months_back(this_month, months + 1)[1:]  # the closed months
    School.objects.bulk_create(
        School(name=f"清河区第{n + 1}中学", code=f"school-{n + 1}") for n in range(schools)
    )
    made = list(School.objects.order_by("pk"))
    bureau = User.objects.create_user(username="bureau", password="x", school=made[0])
    bureau.roles.set(Role.objects.filter(code="bureau"))
    bureau.other_schools.set(made[1:])
    docs: list[Document] = []
    fees: list[MealFeeEntry] = []
    costs: list[CanteenExpenseEntry] = []
    for n, school in enumerate(made):
        docs.append(Document(
            doctype="Meal Fee Standard", name=f"SFBZ-{n}", school=school, owner=bureau,
            modified_by=bureau, docstatus=1, title="伙食费标准",
            data={"effective_from": books[-1], "area": "城区", "meal_rate": "5.00",
                  "cap_per_meal": "6.00", "billing_days": 20},
        ))  # fmt: skip
        for k in range(3):
            docs.append(Document(
                doctype="Tender", name=f"TND-{n}-{k}", school=school, owner=bureau,
                modified_by=bureau, docstatus=1, title="招标", posting_date=today,
                grand_total=Decimal("12000.00"), data={"method": "询价" if k else "公开招标"},
            ))  # fmt: skip
            docs.append(Document(
                doctype="Hazard Rectification", name=f"YH-{n}-{k}", school=school, owner=bureau,
                modified_by=bureau, docstatus=0, title="隐患",
                posting_date=today - dt.timedelta(days=k * 7), data={"rectified_on": None},
            ))  # fmt: skip
        for k in range(20):
            docs.append(Document(
                doctype="Repair Ticket", name=f"REP-{n}-{k}", school=school, owner=bureau,
                modified_by=bureau, docstatus=k % 2, title="报修",
                posting_date=today - dt.timedelta(days=k % today.day), data={},
            ))  # fmt: skip
        for month in books:
            for s in range(students):
                fees.append(MealFeeEntry(
                    school=school, student=f"S{n}-{s}", student_name="学生", class_name="一班",
                    month=month, charged=FEE, collected=FEE, posting_date=today,
                    voucher_id=None, created_by=bureau,
                ))  # fmt: skip
            costs.append(CanteenExpenseEntry(
                school=school, month=month, category="食材", description="食材",
                amount=FEE * students * COST_SHARE, posting_date=today, voucher_id=None,
                created_by=bureau,
            ))  # fmt: skip
    Document.objects.bulk_create(docs, batch_size=2000)
    voucher = Document.objects.filter(doctype="Meal Fee Standard").first()
    for row in (*fees, *costs):
        row.voucher = voucher
    MealFeeEntry.objects.bulk_create(fees, batch_size=5000)
    CanteenExpenseEntry.objects.bulk_create(costs, batch_size=5000)
    print(
        f"# {schools} schools, {len(fees)} fee rows, {len(docs)} documents "
        f"in {time.perf_counter() - t:.1f} s",
        file=sys.stderr,
    )
    return bureau


def check_figures(bureau) -> None:  # type: ignore[no-untyped-def]
    """The page's figures are the ledgers': each school's last month and carried balance."""
    from django.db.models import Sum
    from django.utils import timezone

    from school_logistics.district import overview
    from school_logistics.district.views import schools_of
    from school_logistics.ledger.models import CanteenExpenseEntry, MealFeeEntry

    today = timezone.localdate()
    month = overview.closed_month(today)
    rows = overview.summaries(schools_of(bureau), today)
    for r in rows:
        paid = MealFeeEntry.objects.filter(school=r.school, month=month).aggregate(
            n=Sum("collected")
        )["n"]
        spent = CanteenExpenseEntry.objects.filter(school=r.school, month=month).aggregate(
            n=Sum("amount")
        )["n"]
        assert (r.canteen.income, r.canteen.cost) == (paid, spent), r
        assert r.standard is not None and r.tenders == 3 and r.overdue_hazards == 2, r
    print(f"# checked {len(rows)} schools' figures against the ledgers", file=sys.stderr)


if __name__ == "__main__":
    main()
