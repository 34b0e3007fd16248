"""Meal fees (伙食费) at a school's size: collections through the services, and the fee pages
over a year of books.

1. `meal_fee_collection`: one class's 伙食费收缴单 for the month, saved empty (its rows come from
   the class's roll, each student's fee from the standard) and submitted (a ledger row per
   student), timed per document; one JSON line in the shape of the route benchmark's.
2. Volume: `--months` earlier months of every student's fees (charged, paid, some refunded)
   and the canteen's costs added in bulk, then 伙食费台账 (the month by class), one class's
   students, 食堂收支, a student's page with their 结算清单 and a class's term statements
   requested through Django's test client: p50/p95 and statements per request.
After each part the books are checked: every student is charged once a month, at the fee of
their plan, and paid no more than charged.

Run: .venv/bin/python benchmarks/meal_fees.py [--db sqlite|postgres] [--classes 40]
     [--students 45] [--months 10] [--requests 20]
"""

from __future__ import annotations

import argparse
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchkit  # noqa: E402

PLANS = ("午餐", "午餐", "三餐", "午餐", "不包餐")
FEES = {"午餐": Decimal("100.00"), "三餐": Decimal("300.00")}  # 5.00 a meal, 20 days


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--classes", type=int, default=40, help="classes, one collection each")
    parser.add_argument("--students", type=int, default=45, help="students a class")
    parser.add_argument("--months", type=int, default=10, help="earlier months on the books")
    parser.add_argument("--requests", type=int, default=20, help="requests per page")
    args = parser.parse_args()

    benchkit.configure(args.db)
    benchkit.setup_django()
    benchkit.fresh_database()
    try:
        finance = school(args.classes, args.students)
        month = this_month()
        collections(finance, args.classes, month)
        check_books()
        volume(finance, month, args.months)
        check_books()
        pages(finance, month, args.requests, args.classes * args.students)
    finally:
        benchkit.drop_sqlite_folder()


def this_month() -> str:
    from django.utils import timezone

    return timezone.localdate().strftime("%Y-%m")


def class_name(k: int) -> str:
    return f"{7 + k // 20}年级({k % 20 + 1})班"


def school(classes: int, students: int):  # type: ignore[no-untyped-def]
    """The school's finance officer, a standard in force for a year, and the class rolls
    (through the services, not timed); return the finance officer."""
    from school_logistics.core import services
    from school_logistics.core.models import Role, User
    from school_logistics.core.values import months_back

    keeper, _teacher = benchkit.school_people()
    finance = User.objects.create_user(
        username="finance", password="x", school=keeper.school, full_name="会计甲"
    )
    finance.roles.set(Role.objects.filter(code__in=["finance", "canteen_manager"]))
    start = months_back(this_month(), 13)[-1]
    standard = services.create_document(
        "Meal Fee Standard",
        {"title": "伙食费标准", "effective_from": start, "area": "城区", "cap_per_meal": "6.00",
         "meal_rate": "5.00", "billing_days": 20, "basis": "区教育局通知"},
        actor=finance,
    )  # fmt: skip
    principal = User.objects.create_user(
        username="principal", password="x", school=keeper.school, full_name="校长甲"
    )
    principal.roles.set(Role.objects.filter(code="principal"))
    approve_standard(standard, finance, principal)
    t = time.perf_counter()
    for k in range(classes):
        services.create_document("School Class", {"class_name": class_name(k)}, actor=finance)
        for i in range(students):
            services.create_document(
                "Student",
                {"student_no": f"{k:03d}{i:03d}", "student_name": f"学生{k}-{i}",
                 "class_name": class_name(k), "meal_plan": PLANS[i % len(PLANS)]},
                actor=finance,
            )  # fmt: skip
    print(f"# {classes * students} students in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    return finance


def approve_standard(standard, finance, principal) -> None:  # type: ignore[no-untyped-def]
    """The standard goes through its flow: the principal approves it."""
    from school_logistics.workflow import actions
    from school_logistics.workflow.models import ApprovalTask, TaskStatus

    actions.start_approval("Meal Fee Standard", standard.name, actor=finance)
    task = ApprovalTask.objects.get(
        document=standard, assignee=principal, status=TaskStatus.PENDING
    )
    actions.approve(task.pk, actor=principal)


def collections(finance, classes: int, month: str) -> None:  # type: ignore[no-untyped-def]
    from school_logistics.core import services

    warmup = min(2, classes // 10)

    def collect(k: int, counter: benchkit.QueryCounter) -> None:
        counter.enter("collect")
        doc = services.create_document(
            "Meal Fee Collection", {"class_name": class_name(k), "month": month}, actor=finance
        )
        services.submit_document("Meal Fee Collection", doc.name, actor=finance)

    benchkit.emit(benchkit.run("meal_fee_collection", list(range(classes)), warmup, collect))


def volume(finance, month: str, months: int) -> None:  # type: ignore[no-untyped-def]
    """Earlier months' fees of every charged student, and the canteen's costs, in bulk."""
    from school_logistics.core.values import months_back
    from school_logistics.ledger.models import CanteenExpenseEntry, MealFeeEntry

    t = time.perf_counter()
    current = list(MealFeeEntry.objects.filter(month=month))
    voucher = current[0].voucher
    earlier = months_back(month, months + 1)[1:]
    rows = []
    for m in earlier:
        for e in current:
            rows.append(MealFeeEntry(
                school_id=e.school_id, student=e.student, student_name=e.student_name,
                class_name=e.class_name, month=m, charged=e.charged, collected=e.collected,
                posting_date=e.posting_date, voucher=voucher, created_by=finance,
            ))  # fmt: skip
            if int(e.student[-2:]) % 7 == 0:  # some missed meals, refunded
                rows.append(MealFeeEntry(
                    school_id=e.school_id, student=e.student, student_name=e.student_name,
                    class_name=e.class_name, month=m, missed_meals=3, refund=Decimal("15.00"),
                    posting_date=e.posting_date, voucher=voucher, created_by=finance,
                ))  # fmt: skip
    MealFeeEntry.objects.bulk_create(rows, batch_size=2000)
    CanteenExpenseEntry.objects.bulk_create(
        [
            CanteenExpenseEntry(
                school_id=finance.school_id,
                month=m,
                category=category,
                description=category,
                amount=Decimal(amount),
                posting_date=voucher.posting_date or current[0].posting_date,
                voucher=voucher,
                created_by=finance,
            )  # fmt: skip
            for m in earlier
            for category, amount in (("食材", "90000"), ("水电燃气", "8000"), ("人员工资", "30000"))
        ]
    )
    print(f"# {len(rows)} fee rows over {months} months in {time.perf_counter() - t:.1f} s",
          file=sys.stderr)  # fmt: skip


def pages(finance, month: str, requests: int, students: int) -> None:  # type: ignore[no-untyped-def]
    from school_logistics.ledger.models import MealFeeEntry

    first = MealFeeEntry.objects.filter(month=month).order_by("student").first()
    assert first is not None
    benchkit.time_pages(
        finance,
        [
            ("meal_fees_month", f"/app/meal-fees/?month={month}"),
            ("meal_fees_class", f"/app/meal-fees/?month={month}&class_name={first.class_name}"),
            ("canteen_accounts", "/app/meal-fees/accounts/"),
            ("student_statement", f"/app/student/{first.student}"),
            (
                "term_statements",
                f"/app/meal-fees/statements/?month={month}&class_name={first.class_name}",
            ),
        ],  # fmt: skip
        requests,
        {"students": students},
    )


def check_books() -> None:
    """Each student charged once a month at their plan's fee, paid no more than charged."""
    from django.db.models import Sum

    from school_logistics.core.models import Document
    from school_logistics.ledger.models import MealFeeEntry

    plans = {
        name: data["meal_plan"]
        for name, data in Document.objects.filter(doctype="Student").values_list("name", "data")
    }
    months = (
        MealFeeEntry.objects.values("student", "month")
        .annotate(due=Sum("charged"), paid=Sum("collected"))
        .order_by()
    )
    count = 0
    for row in months:
        assert row["due"] == FEES[plans[row["student"]]], row
        assert 0 <= row["paid"] <= row["due"], row
        count += 1
    print(f"# books checked: {count} student-months charged once", file=sys.stderr)


if __name__ == "__main__":
    main()
