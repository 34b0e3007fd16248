"""伙食费资助: aid reaches the right students (精准资助) — on a meal plan, within the plan's fee,
a term at most, one aid a month — and, once approved, is taken off what each month charges."""

from __future__ import annotations

from decimal import Decimal

import pytest

from school_logistics.canteen.aid import months_between
from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import DocumentValidationError
from school_logistics.ledger import canteen
from school_logistics.ledger.meal_fees import student_statement
from school_logistics.workflow import actions
from tests.canteen.test_meal_fee_collection import collection, refused, standard
from tests.canteen.test_meal_fee_refund import last_month
from tests.workflow.conftest import pending

AID = "Student Aid"


def aid(users, student="S002", *, first=None, last=None, waiver="60", submit=True) -> Document:
    doc = services.create_document(
        AID,
        {"student": student, "from_month": first or last_month(), "to_month": last or last_month(),
         "monthly_waiver": waiver, "category": "低保家庭", "reason": "父亲因病丧失劳动能力"},
        actor=users["teacher"],
    )  # fmt: skip
    return services.submit_document(AID, doc.name, actor=users["teacher"]) if submit else doc


def test_months_between_counts_across_the_new_year():
    assert months_between("2026-11", "2027-02") == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert months_between("2026-11", "2026-10") == []


def test_an_approved_aid_is_taken_off_the_months_fee(users, students):
    standard(users)  # 午餐 100.00 a month
    granted = aid(users, waiver="60")
    assert granted.data["total_amount"] == "60.00"
    doc = collection(users)
    rows = {
        r["student"]: (r["waiver"], r["amount_due"], r["amount_paid"]) for r in doc.data["students"]
    }
    assert rows == {"S001": ("0.00", "300.00", "300.00"), "S002": ("60.00", "40.00", "40.00")}
    services.submit_document("Meal Fee Collection", doc.name, actor=users["finance"])
    (month,) = student_statement(doc.school_id, "S002")
    assert (month.waived, month.charged, month.collected) == (
        Decimal("60.00"), Decimal("40.00"), Decimal("40.00"),
    )  # fmt: skip


def test_aid_goes_only_to_the_right_students_for_the_right_amounts(users, students):
    standard(users)
    assert refused(aid, users, "S003") == ["该生不包餐，没有伙食费可减免"]
    assert refused(aid, users, "S002", waiver="120") == ["每月减免不能超过午餐的月收费 ¥100.00"]
    year, month = map(int, last_month().split("-"))
    later = f"{year + (month + 6 - 1) // 12}-{(month + 6 - 1) % 12 + 1:02d}"  # 7 months in all
    assert len(months_between(last_month(), later)) == 7
    assert refused(aid, users, last=later) == ["一次最多资助 6 个月（一个学期），下学期请重新申请"]
    first = aid(users, submit=False)
    messages = refused(aid, users)
    assert messages == [
        f"该生 {last_month()} ~ {last_month()} 已有资助申请 {first.name}，月份不能重叠"
    ]


@pytest.mark.workflows
def test_finance_checks_and_the_principal_approves_an_aid(users, students):
    rule = standard(users, submit=False)
    actions.start_approval("Meal Fee Standard", rule.name, actor=users["finance"])
    actions.approve(pending(rule, users["principal"]).pk, actor=users["principal"])
    doc = aid(users, submit=False)
    actions.start_approval(AID, doc.name, actor=users["teacher"])
    actions.approve(pending(doc, users["finance"]).pk, actor=users["finance"])
    actions.approve(pending(doc, users["principal"]).pk, actor=users["principal"])
    doc.refresh_from_db()
    assert (doc.docstatus, doc.workflow_state) == (DocStatus.SUBMITTED, "已批准")


def test_the_statement_shows_the_aid(client, users, students):
    standard(users)
    aid(users, waiver="60")
    doc = collection(users)
    services.submit_document("Meal Fee Collection", doc.name, actor=users["finance"])
    client.force_login(users["finance"])
    page = client.get("/app/student/S002").content.decode()
    assert 'id="statement-waived">60.00<' in page


def test_the_canteens_account_counts_what_aid_pays(client, users, students):
    standard(users)
    aid(users, waiver="60")
    doc = collection(users)
    services.submit_document("Meal Fee Collection", doc.name, actor=users["finance"])
    (month,) = canteen.accounts(doc.school_id)
    assert (month.collected, month.aided, month.income) == (
        Decimal("340.00"), Decimal("60.00"), Decimal("400.00"),
    )  # fmt: skip
    client.force_login(users["finance"])
    page = client.get("/app/meal-fees/accounts/").content.decode()
    assert 'id="account-aided">60.00<' in page and 'id="account-income">400.00<' in page


def test_aid_approved_after_the_month_was_charged_gives_back_what_was_overpaid(users, students):
    standard(users)  # 午餐 100.00 a month
    doc = collection(users)
    services.submit_document("Meal Fee Collection", doc.name, actor=users["finance"])
    granted = aid(users, waiver="60")  # S002 paid 100.00 before the aid was approved
    (month,) = student_statement(doc.school_id, "S002")
    assert (month.waived, month.charged, month.collected, month.aid_refund, month.refund) == (
        Decimal("60.00"), Decimal("40.00"), Decimal("100.00"), Decimal("60.00"), Decimal(0),
    )  # fmt: skip
    assert month.net_paid == month.charged  # settled: nothing owed, nothing overpaid
    assert (month.arrears, month.overpaid) == (Decimal(0), Decimal(0))
    (account,) = canteen.accounts(doc.school_id)
    assert account.income == Decimal("400.00")  # 300 + 100 paid, aid 60 in, 60 given back
    # A missed-meal refund of the month is still possible, up to what the student paid net.
    refund = services.create_document(
        "Meal Fee Refund",
        {"class_name": "七年级(1)班", "month": last_month(),
         "students": [{"student": "S002", "missed_meals": 4}]},
        actor=users["teacher"],
    )  # fmt: skip
    services.submit_document("Meal Fee Refund", refund.name, actor=users["teacher"])
    # The collection stands under the aid's rows: it is cancelled only after the aid.
    with pytest.raises(DocumentValidationError, match="请先作废资助"):
        services.cancel_document("Meal Fee Collection", doc.name, actor=users["finance"])
    services.cancel_document(AID, granted.name, actor=users["finance"])
    (month,) = student_statement(doc.school_id, "S002")
    assert (month.waived, month.charged) == (Decimal("0.00"), Decimal("100.00"))


def test_aid_for_a_student_who_has_not_paid_lowers_what_is_owed(users, students):
    standard(users)
    doc = collection(users, [{"student": "S001"}, {"student": "S002", "amount_paid": "0",
                                                   "note": "家庭困难，缓缴"}])  # fmt: skip
    services.submit_document("Meal Fee Collection", doc.name, actor=users["finance"])
    aid(users, waiver="60")
    (month,) = student_statement(doc.school_id, "S002")
    assert (month.charged, month.collected, month.refund, month.arrears) == (
        Decimal("40.00"), Decimal("0.00"), Decimal("0.00"), Decimal("40.00"),
    )  # fmt: skip
