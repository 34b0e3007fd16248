"""Aid approved after a month was paid, beside a missed-meal refund of that month: the two
refunds are told apart, the aid gives back its whole share, and 欠费 is what is still owed —
never negative, never netted against another student's overpayment."""

from __future__ import annotations

import re
from decimal import Decimal

from school_logistics.core import services
from school_logistics.ledger import canteen
from school_logistics.ledger.meal_fees import month_lines, student_statement
from school_logistics.ledger.models import MealFeeEntry
from tests.canteen.test_meal_fee_collection import COLLECTION, collection, standard
from tests.canteen.test_meal_fee_refund import last_month, refund
from tests.canteen.test_student_aid import aid

REFUND = "Meal Fee Refund"
D = Decimal


def paid_in_full(users, class_name="七年级(1)班", rows=None) -> None:
    doc = collection(users, rows, class_name=class_name)
    services.submit_document(COLLECTION, doc.name, actor=users["finance"])


def missed_meals(users, student: str, meals: int) -> None:
    """The class teacher's month-end refund, at the standard's 5.00 a meal."""
    back = refund(users, [(student, meals)], meal_rate=None)
    services.submit_document(REFUND, back.name, actor=users["teacher"])


def test_late_aid_gives_back_its_whole_share_beside_a_missed_meal_refund(users, students):
    """Paid 100, 5 back for a missed meal, then aid of 50: 50 more back, 45 kept."""
    standard(users)  # 午餐 100.00 a month, 5.00 a meal
    paid_in_full(users)
    missed_meals(users, "S002", 1)
    granted = aid(users, "S002", waiver="50")
    (row,) = MealFeeEntry.objects.filter(voucher=granted)
    assert (row.charged, row.waived, row.refund) == (D("-50.00"), D("50.00"), D("50.00"))
    (month,) = student_statement(granted.school_id, "S002")
    assert (month.charged, month.collected, month.refund, month.aid_refund) == (
        D("50.00"), D("100.00"), D("5.00"), D("50.00"),
    )  # fmt: skip
    assert (month.net_paid, month.arrears, month.overpaid) == (D("45.00"), D(0), D(0))


def test_the_order_of_the_aid_and_the_missed_meal_refund_does_not_matter(users, students):
    standard(users)
    paid_in_full(users)
    granted = aid(users, "S002", waiver="50")
    missed_meals(users, "S002", 1)
    (month,) = student_statement(granted.school_id, "S002")
    assert (month.refund, month.aid_refund, month.net_paid) == (D("5.00"), D("50.00"), D("45.00"))


def test_late_aid_gives_back_no_more_than_the_student_still_has_in(users, students):
    standard(users)
    paid_in_full(users)
    missed_meals(users, "S002", 12)  # 60.00 back of the 100.00 paid
    granted = aid(users, "S002", waiver="50")
    (month,) = student_statement(granted.school_id, "S002")
    assert (month.refund, month.aid_refund, month.net_paid) == (D("60.00"), D("40.00"), D(0))
    assert (month.arrears, month.overpaid) == (D(0), D(0))


def test_arrears_are_what_is_still_owed_and_never_net_against_an_overpayment(users, students):
    """七年级(2)班 owes 20; 七年级(1)班's aided student was given back what they overpaid."""
    standard(users)
    paid_in_full(users)
    paid_in_full(
        users, "七年级(2)班", [{"student": "S101", "amount_paid": "80.00", "note": "下周补交"}]
    )
    aid(users, "S002", waiver="50")
    school = users["finance"].school_id
    lines, total = month_lines(school, last_month())
    by_class = {line.key: line.fees for line in lines}
    assert (by_class["七年级(1)班"].arrears, by_class["七年级(2)班"].arrears) == (D(0), D("20.00"))
    assert (total.arrears, total.aid_refund, total.refund, total.overpaid) == (
        D("20.00"), D("50.00"), D(0), D(0),
    )  # fmt: skip
    students_of_1 = {
        line.key: line.fees for line in month_lines(school, last_month(), "七年级(1)班")[0]
    }
    s002 = students_of_1["S002"]
    assert (s002.charged, s002.collected, s002.arrears, s002.aid_refund) == (
        D("50.00"), D("100.00"), D(0), D("50.00"),
    )  # fmt: skip


def test_the_books_pages_tell_the_two_refunds_apart(client, users, students):
    standard(users)
    paid_in_full(users)
    paid_in_full(
        users, "七年级(2)班", [{"student": "S101", "amount_paid": "80.00", "note": "下周补交"}]
    )
    missed_meals(users, "S002", 1)
    aid(users, "S002", waiver="50")
    client.force_login(users["finance"])
    page = client.get(f"/app/meal-fees/?month={last_month()}").content.decode()
    assert 'id="meal-arrears-total">¥20.00<' in page
    assert 'id="meal-refund-total">¥5.00<' in page
    assert 'id="meal-aid-refund-total">¥50.00<' in page
    assert re.search(r">¥?[-−]\d", page) is None  # no negative figure anywhere
    one = client.get(f"/app/meal-fees/?month={last_month()}&class_name=七年级(1)班")
    assert 'id="meal-arrears-total">¥0.00<' in one.content.decode()
    (account,) = canteen.accounts(users["finance"].school_id)
    assert (account.collected, account.aided, account.refunded, account.aid_refunded) == (
        D("480.00"), D("50.00"), D("5.00"), D("50.00"),
    )  # fmt: skip
    assert account.income == D("475.00")
    accounts = client.get(f"/app/meal-fees/accounts/?month={last_month()}").content.decode()
    assert 'id="account-refunded">5.00<' in accounts
    assert 'id="account-aid-refunded">50.00<' in accounts
    statement = client.get("/app/student/S002").content.decode()
    assert 'id="statement-total">5.00<' in statement
    assert 'id="statement-aid-refund">50.00<' in statement
    assert 'id="statement-arrears"' not in statement
