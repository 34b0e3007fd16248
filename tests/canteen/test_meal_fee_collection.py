"""Meal fees are charged at an approved standard within the bureau's cap (按核定标准收费), a
class's month at a time from its roll (包餐制按月收取), and refunded no more than was paid."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from school_logistics.canteen.standards import standard_for
from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import DocumentValidationError
from school_logistics.ledger.meal_fees import student_statement
from school_logistics.ledger.models import MealFeeEntry
from school_logistics.workflow import actions
from tests.canteen.test_meal_fee_refund import last_month, refund
from tests.workflow.conftest import pending

STANDARD = "Meal Fee Standard"
COLLECTION = "Meal Fee Collection"


def this_month() -> str:
    return timezone.localdate().strftime("%Y-%m")


def standard(users, *, month=None, rate="5.00", cap="6.00", days=20, submit=True) -> Document:
    doc = services.create_document(
        STANDARD,
        {
            "title": "学生伙食费标准",
            "effective_from": month or last_month(),
            "area": "城区",
            "cap_per_meal": cap,
            "meal_rate": rate,
            "billing_days": days,
            "basis": "区教育局通知",
        },
        actor=users["finance"],
    )
    if submit:
        services.submit_document(STANDARD, doc.name, actor=users["finance"])
    return doc


def collection(users, rows=None, *, class_name="七年级(1)班", month=None, **extra) -> Document:
    values = {"class_name": class_name, "month": month or last_month(), **extra}
    if rows is not None:
        values["students"] = rows
    return services.create_document(COLLECTION, values, actor=users["finance"])


def refused(call, *args, **kwargs) -> list[str]:
    with pytest.raises(DocumentValidationError) as exc:
        call(*args, **kwargs)
    return exc.value.messages()


def test_a_standard_above_the_bureaus_cap_is_refused(users):
    assert refused(standard, users, rate="6.50", cap="6.00") == [
        "每餐标准 ¥6.50 超过教育局城区学校上限 ¥6.00"
    ]
    doc = standard(users, submit=False)
    assert (doc.data["lunch_fee"], doc.data["full_fee"]) == ("100.00", "300.00")
    assert refused(standard, users)[0].startswith(f"{last_month()} 起执行的标准已有 {doc.name}")


@pytest.mark.workflows
def test_the_principal_approves_the_standard_before_it_is_in_force(users):
    doc = standard(users, submit=False)
    actions.start_approval(STANDARD, doc.name, actor=users["finance"])
    assert standard_for(doc.school_id, last_month()) is None
    actions.approve(pending(doc, users["principal"]).pk, actor=users["principal"])
    doc.refresh_from_db()
    assert (doc.docstatus, doc.workflow_state) == (DocStatus.SUBMITTED, "已批准")
    assert standard_for(doc.school_id, last_month()).name == doc.name


def test_the_latest_standard_in_force_by_the_month_applies(users):
    old = standard(users, month="2020-09", rate="4.00")
    new = standard(users, rate="5.00")
    school = old.school_id
    assert standard_for(school, "2020-08") is None
    assert standard_for(school, "2021-03").name == old.name
    assert standard_for(school, last_month()).name == new.name
    services.cancel_document(STANDARD, new.name, actor=users["finance"])
    assert standard_for(school, last_month()).name == old.name


def test_a_class_is_charged_from_its_roll_at_the_standard(users, students):
    standard(users)
    doc = collection(users)
    rows = [(r["student"], r["meal_plan"], r["amount_due"], r["amount_paid"])
            for r in doc.data["students"]]  # fmt: skip
    # The non-diner (S003) and the other class's student (S101) are not on it.
    assert rows == [("S001", "三餐", "300.00", "300.00"), ("S002", "午餐", "100.00", "100.00")]
    assert (doc.data["total_due"], doc.data["total_paid"], doc.data["arrears"]) == (
        "400.00", "400.00", "0.00",
    )  # fmt: skip
    assert doc.name.startswith("SF-") and doc.data["meal_rate"] == "5.00"


def test_a_short_payment_is_kept_as_arrears_and_an_overpayment_refused(users, students):
    standard(users)
    doc = collection(users)
    rows = doc.data["students"]
    rows[1].update(amount_paid="150.00")
    messages = refused(services.save_document, COLLECTION, doc.name, {"students": rows},
                       actor=users["finance"])  # fmt: skip
    assert messages == ["包餐学生第 2 行：实收 ¥150.00 超过应收 ¥100.00：只按核定标准收费"]
    rows[1].update(amount_paid="60.00", note="家长下周补交")
    doc = services.save_document(COLLECTION, doc.name, {"students": rows}, actor=users["finance"])
    assert (doc.data["total_paid"], doc.data["arrears"]) == ("360.00", "40.00")
    services.submit_document(COLLECTION, doc.name, actor=users["finance"])
    entries = MealFeeEntry.objects.filter(voucher=doc).order_by("student")
    assert [(e.student, e.charged, e.collected) for e in entries] == [
        ("S001", Decimal("300.00"), Decimal("300.00")),
        ("S002", Decimal("100.00"), Decimal("60.00")),
    ]
    assert [m.arrears for m in student_statement(doc.school_id, "S002")] == [Decimal("40.00")]


def test_without_an_approved_standard_nothing_is_charged(users, students):
    standard(users, submit=False)
    assert refused(collection, users) == [
        f"{last_month()} 没有执行中的伙食费标准：请先报校长审批伙食费标准"
    ]
    assert not Document.objects.filter(doctype=COLLECTION).exists()


def test_rows_must_be_diners_of_the_class(users, students):
    standard(users)
    messages = refused(collection, users, [{"student": "S003"}, {"student": "S101"}])
    assert messages == [
        "包餐学生第 1 行：学生“林三”不包餐，不收伙食费",
        "包餐学生第 2 行：学生“许一”不在七年级(1)班（所在班级：七年级(2)班）",
    ]
    assert refused(collection, users, class_name="八年级(1)班") == ["八年级(1)班 没有包餐学生"]
    assert refused(collection, users, class_name="九年级(9)班") == [
        "本校没有班级“九年级(9)班”，请先在“班级”中登记"
    ]


def test_a_class_month_is_charged_once(users, students):
    standard(users)
    first = collection(users)
    assert refused(collection, users)[0].startswith(
        f"七年级(1)班 {last_month()} 已有收缴单 {first.name}"
    )
    services.submit_document(COLLECTION, first.name, actor=users["finance"])
    # The student moved class; the new class's collection lists the month again.
    services.save_document("Student", "S001", {"class_name": "七年级(2)班"}, actor=users["canteen"])
    again = collection(users, class_name="七年级(2)班")
    assert [r["student"] for r in again.data["students"]] == ["S001", "S101"]
    messages = refused(services.submit_document, COLLECTION, again.name, actor=users["finance"])
    assert messages == [f"{last_month()} 已收过伙食费的学生不能再收：S001（{first.name}）"]
    assert not MealFeeEntry.objects.filter(voucher=again).exists()


def test_a_cancelled_collection_is_mirrored_and_the_month_can_be_charged_again(users, students):
    standard(users)
    first = collection(users)
    services.submit_document(COLLECTION, first.name, actor=users["finance"])
    services.cancel_document(COLLECTION, first.name, actor=users["finance"])
    assert student_statement(first.school_id, "S001") == []
    again = collection(users)
    services.submit_document(COLLECTION, again.name, actor=users["finance"])
    assert [(m.charged, m.collected) for m in student_statement(again.school_id, "S001")] == [
        (Decimal("300.00"), Decimal("300.00"))
    ]


def test_only_this_month_or_the_next_is_charged(users, students):
    standard(users)
    year, month = map(int, this_month().split("-"))
    later = f"{year + (month + 1) // 12}-{(month + 1) % 12 + 1:02d}"  # two months ahead
    assert refused(collection, users, month=later) == ["只能收取本月或下月的伙食费"]


def test_only_finance_collects(users, students):
    standard(users)
    with pytest.raises(PermissionDenied):
        services.create_document(
            COLLECTION, {"class_name": "七年级(1)班", "month": last_month()},
            actor=users["canteen"],
        )  # fmt: skip


def test_a_refund_follows_the_standards_rate(users, students):
    standard(users, rate="5.00")
    doc = refund(users, [("S001", 4)], meal_rate=None)
    assert (doc.data["meal_rate"], doc.data["students"][0]["refund_amount"]) == ("5.00", "20.00")
    assert doc.data["total_refund"] == "20.00"
    assert refused(refund, users, [("S002", 1)], meal_rate="6.50") == [
        f"七年级(1)班 {last_month()} 已有退费单 {doc.name}，同一班级每月只有一份",
        f"该月按伙食费标准 {standard_for(doc.school_id, last_month()).name} "
        "每餐 ¥5.00 退费（留空即可）",
    ]


def test_a_month_charged_here_is_refunded_no_more_than_was_paid(users, students):
    standard(users)
    doc = collection(users)
    rows = doc.data["students"]
    rows[1].update(amount_paid="0.00", note="缓缴")
    services.save_document(COLLECTION, doc.name, {"students": rows}, actor=users["finance"])
    services.submit_document(COLLECTION, doc.name, actor=users["finance"])
    # Refused when the class teacher saves it, by the student's name, before anyone approves.
    messages = refused(refund, users, [("S001", 3), ("S002", 2)], meal_rate=None)
    assert messages == ["退费不能超过该月实收的伙食费：林二 最多退 ¥0.00"]
    assert not Document.objects.filter(doctype="Meal Fee Refund").exists()
    back = refund(users, [("S001", 3)], meal_rate=None)
    services.submit_document("Meal Fee Refund", back.name, actor=users["teacher"])
    s001 = student_statement(doc.school_id, "S001")[0]
    assert (s001.collected, s001.refund, s001.net_paid) == (
        Decimal("300.00"), Decimal("15.00"), Decimal("285.00"),
    )  # fmt: skip


def test_the_books_page_shows_a_months_charges_arrears_and_refunds(client, users, students):
    standard(users)
    doc = collection(users)
    rows = doc.data["students"]
    rows[0].update(amount_paid="250.00", note="补交中")
    services.save_document(COLLECTION, doc.name, {"students": rows}, actor=users["finance"])
    services.submit_document(COLLECTION, doc.name, actor=users["finance"])
    back = refund(users, [("S002", 2)], meal_rate=None)
    services.submit_document("Meal Fee Refund", back.name, actor=users["teacher"])
    client.force_login(users["finance"])
    page = client.get(f"/app/meal-fees/?month={last_month()}").content.decode()
    assert 'id="meal-due-total">¥400.00<' in page and 'id="meal-paid-total">¥350.00<' in page
    assert 'id="meal-arrears-total">¥50.00<' in page and 'id="meal-refund-total">¥10.00<' in page
    statement = client.get("/app/student/S001").content.decode()
    assert 'id="statement-paid">250.00<' in statement
    assert 'id="statement-arrears">尚欠伙食费 ¥50.00<' in statement


def test_finances_home_lists_the_classes_still_to_collect(client, users, students):
    standard(users, month=this_month())
    client.force_login(users["finance"])
    home = client.get("/app/").content.decode()
    assert f"{this_month()} 伙食费：已收 0 / 2 个班" in home
    response = client.post(
        "/app/meal-fee-collection/new",
        {"class_name": "七年级(2)班", "month": this_month(),
         "posting_date": timezone.localdate().isoformat()},
    )  # fmt: skip
    assert response.status_code == 302
    doc = Document.objects.get(doctype=COLLECTION)
    assert [r["student"] for r in doc.data["students"]] == ["S101"]
    services.submit_document(COLLECTION, doc.name, actor=users["finance"])
    assert "已收 1 / 2 个班" in client.get("/app/").content.decode()
    client.force_login(users["teacher"])
    assert 'id="home-meal-fee-collection"' not in client.get("/app/").content.decode()
