"""The canteen's own books (学生食堂独立核算): costs posted by approved 食堂支出单, each month's
meal fee income against them, and the public notice of closed months (校务公开)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from school_logistics.canteen.models import PublishedMonth
from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus
from school_logistics.ledger import canteen
from school_logistics.ledger.models import CanteenExpenseEntry
from school_logistics.workflow import actions
from tests.canteen.test_meal_fee_collection import (
    collection,
    refused,
    standard,
    this_month,
)
from tests.canteen.test_meal_fee_refund import last_month, refund
from tests.workflow.conftest import pending

EXPENSE = "Canteen Expense"


def expense(users, items, *, month=None, submit=True) -> Document:
    doc = services.create_document(
        EXPENSE,
        {
            "title": "食堂成本",
            "month": month or last_month(),
            "items": [{"category": c, "description": d, "amount": a} for c, d, a in items],
        },
        actor=users["canteen"],
    )
    if submit:
        doc = services.submit_document(EXPENSE, doc.name, actor=users["canteen"])
    return doc


@pytest.fixture
def fees(users, students) -> None:
    """Last month: 400.00 charged and paid by 七年级(1)班, 10.00 refunded to one student."""
    standard(users)
    doc = collection(users)
    services.submit_document("Meal Fee Collection", doc.name, actor=users["finance"])
    back = refund(users, [("S002", 2)], meal_rate=None)
    services.submit_document("Meal Fee Refund", back.name, actor=users["teacher"])


def test_an_expense_posts_each_line_and_a_cancellation_mirrors_them(users):
    doc = expense(users, [("食材", "大米", "300.00"), ("水电燃气", "燃气费", "50.00")])
    rows = CanteenExpenseEntry.objects.filter(voucher=doc).order_by("id")
    assert [(e.month, e.category, e.amount) for e in rows] == [
        (last_month(), "食材", Decimal("300.00")),
        (last_month(), "水电燃气", Decimal("50.00")),
    ]
    services.cancel_document(EXPENSE, doc.name, actor=users["finance"])
    assert canteen.accounts(doc.school_id) == []
    assert CanteenExpenseEntry.objects.filter(voucher=doc).count() == 4


def test_bad_expenses_are_refused(users):
    year, month = map(int, this_month().split("-"))
    next_month = f"{year + month // 12}-{month % 12 + 1:02d}"
    assert refused(expense, users, [("食材", "大米", "300.00")], month=next_month) == [
        "不能计入未来的月份"
    ]
    assert refused(expense, users, [("食材", "退货", "-20.00")]) == [
        "支出明细第 1 行：金额必须大于 0"
    ]
    assert not Document.objects.filter(doctype=EXPENSE).exists()


def test_a_months_account_sets_income_against_costs_and_carries_the_balance(users, fees):
    expense(users, [("食材", "大米", "300.00"), ("人员工资", "工资", "80.00")])
    expense(users, [("食材", "蔬菜", "40.00")], month=this_month())
    school = Document.objects.filter(doctype=EXPENSE).first().school_id
    now, before = canteen.accounts(school)
    assert (before.month, before.collected, before.refunded, before.income) == (
        last_month(), Decimal("400.00"), Decimal("10.00"), Decimal("390.00"),
    )  # fmt: skip
    assert before.costs == {"食材": Decimal("300.00"), "人员工资": Decimal("80.00")}
    assert (before.balance, before.carried) == (Decimal("10.00"), Decimal("10.00"))
    assert (now.month, now.balance, now.carried) == (
        this_month(),
        Decimal("-40.00"),
        Decimal("-30.00"),
    )


def test_the_canteen_reads_its_accounts_and_a_teacher_may_not(client, users, fees):
    expense(users, [("食材", "大米", "300.00")])
    client.force_login(users["canteen"])
    page = client.get(f"/app/meal-fees/accounts/?month={last_month()}").content.decode()
    assert 'id="account-income">390.00<' in page and 'id="account-cost">300.00<' in page
    assert 'id="account-balance">90.00<' in page
    assert 'href="/canteen-accounts/' in page
    client.force_login(users["teacher"])
    assert client.get("/app/meal-fees/accounts/").status_code == 403


def test_the_public_notice_shows_the_months_finance_published(client, users, fees, school):
    expense(users, [("食材", "大米", "300.00")])
    expense(users, [("食材", "蔬菜", "40.00")], month=this_month())
    public = f"/canteen-accounts/{school.code}/"
    assert "学校尚未公示食堂收支" in Client().get(public).content.decode()

    client.force_login(users["canteen"])  # keeps the books, does not publish them
    assert (
        client.post("/app/meal-fees/accounts/publish", {"month": last_month()}).status_code == 403
    )
    client.force_login(users["finance"])
    client.post("/app/meal-fees/accounts/publish", {"month": this_month()})  # still running
    assert not PublishedMonth.objects.exists()
    client.post("/app/meal-fees/accounts/publish", {"month": last_month()})
    notice = PublishedMonth.objects.get()
    assert (notice.month, notice.published_by) == (last_month(), users["finance"])
    page = Client().get(public).content.decode()
    assert f"{last_month()} 收支表" in page and 'id="account-balance">90.00<' in page
    assert this_month() not in page  # the month still running is not published
    assert "林二" not in page  # no student is named
    desk = client.get(f"/app/meal-fees/accounts/?month={last_month()}").content.decode()
    assert 'id="btn-withdraw"' in desk and "已公示" in desk

    client.post("/app/meal-fees/accounts/publish", {"month": last_month(), "withdraw": "1"})
    assert "学校尚未公示食堂收支" in Client().get(public).content.decode()
    assert Client().get("/canteen-accounts/no-such-school/").status_code == 404


@pytest.mark.workflows
def test_finance_checks_an_expense_before_it_is_on_the_books(users):
    doc = expense(users, [("食材", "大米", "300.00")], submit=False)
    actions.start_approval(EXPENSE, doc.name, actor=users["canteen"])
    assert not CanteenExpenseEntry.objects.exists()
    actions.approve(pending(doc, users["finance"]).pk, actor=users["finance"])
    doc.refresh_from_db()
    assert (doc.docstatus, doc.workflow_state) == (DocStatus.SUBMITTED, "已入账")
    assert CanteenExpenseEntry.objects.filter(voucher=doc).count() == 1
