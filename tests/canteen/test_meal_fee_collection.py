"""Meal fees are charged at an approved standard within the bureau's cap (按核定标准收费), a
class's month at a time from its roll (包餐制按月收取), and refunded no more than was paid."""

from __future__ import annotations

import re
import time
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from school_logistics.canteen.standards import standard_for
from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.values import months_back
from school_logistics.ledger.meal_fees import student_statement
from school_logistics.ledger.models import MealFeeEntry
from school_logistics.workflow import actions
from tests.canteen.test_meal_fee_refund import last_month, refund
from tests.concurrency import at_once
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
    rows = [{"student": s} for s in ("S001", "S002", "S003", "S101")]
    assert refused(collection, users, rows) == [
        "包餐学生第 3 行：学生“林三”不包餐，不收伙食费",
        "包餐学生第 4 行：学生“许一”不在七年级(1)班（所在班级：七年级(2)班）",
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
    # The student moved class: the new class's collection lists the others of its roll, and
    # does not ask for them.
    services.save_document("Student", "S001", {"class_name": "七年级(2)班"}, actor=users["canteen"])
    again = collection(users, class_name="七年级(2)班")
    assert [r["student"] for r in again.data["students"]] == ["S101"]
    services.delete_document(COLLECTION, again.name, actor=users["finance"])
    # Listed anyway, the month is charged once.
    again = collection(users, [{"student": "S001"}, {"student": "S101"}], class_name="七年级(2)班")
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
    with pytest.raises(DocumentValidationError) as exc:
        refund(users, [("S001", 3), ("S002", 2)], meal_rate=None)
    assert exc.value.errors == {  # on the student's row, where the count is typed
        "students.2.missed_meals": [
            "缺餐学生第 2 行：退费不能超过该月实收的伙食费：林二 最多退 ¥0.00"
        ]
    }
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


def two_months_ago() -> str:
    return months_back(last_month(), 2)[1]


def charged_last_month(users) -> Document:
    """Last month charged at ¥5.00 a meal, under a standard in force since the month before."""
    standard(users, month=two_months_ago(), rate="5.00")
    doc = collection(users)
    return services.submit_document(COLLECTION, doc.name, actor=users["finance"])


def test_a_new_rate_cannot_take_effect_in_a_month_already_charged(users, students):
    charged = charged_last_month(users)
    messages = refused(standard, users, month=last_month(), rate="5.50")
    assert messages == [
        f"{last_month()} 的伙食费已按每餐 ¥5.00 收取（收缴单 {charged.name}），已收费月份的标准"
        f"不能再改：新标准最早从 {this_month()} 起执行"
    ]
    assert Document.objects.filter(doctype=STANDARD).count() == 1
    # From the month it names, it is taken; last month is still refunded as it was charged.
    later = standard(users, month=this_month(), rate="5.50")
    assert standard_for(later.school_id, this_month()).name == later.name
    doc = refund(users, [("S001", 4)], meal_rate="5.00")
    assert (doc.data["meal_rate"], doc.data["total_refund"]) == ("5.00", "20.00")


@pytest.mark.workflows
def test_a_standard_waiting_for_approval_is_refused_once_its_month_is_charged(users, students):
    """Drafted before last month was charged, approved after: the principal's approval is
    refused, and the month keeps the rate it was charged at."""
    older = standard(users, month=two_months_ago(), rate="5.00", submit=False)
    actions.start_approval(STANDARD, older.name, actor=users["finance"])
    actions.approve(pending(older, users["principal"]).pk, actor=users["principal"])
    draft = standard(users, month=last_month(), rate="5.50", submit=False)
    actions.start_approval(STANDARD, draft.name, actor=users["finance"])
    charged = collection(users)
    services.submit_document(COLLECTION, charged.name, actor=users["finance"])
    messages = refused(actions.approve, pending(draft, users["principal"]).pk,
                       actor=users["principal"])  # fmt: skip
    assert messages == [
        f"{last_month()} 的伙食费已按每餐 ¥5.00 收取（收缴单 {charged.name}），已收费月份的标准"
        f"不能再改：新标准最早从 {this_month()} 起执行"
    ]
    draft.refresh_from_db()
    assert draft.docstatus == DocStatus.DRAFT
    assert standard_for(draft.school_id, last_month()).meal_rate == Decimal("5.00")


def test_a_charged_month_is_refunded_at_the_rate_it_was_charged_at(users, students):
    """The standard it was charged under cancelled, the month falls under an older rate; what
    the students paid for a meal is still what comes back."""
    old = standard(users, month=two_months_ago(), rate="4.00")
    charged_under = standard(users, month=last_month(), rate="5.00")
    charged = collection(users)
    services.submit_document(COLLECTION, charged.name, actor=users["finance"])
    services.cancel_document(STANDARD, charged_under.name, actor=users["finance"])
    assert standard_for(old.school_id, last_month()).name == old.name
    assert refused(refund, users, [("S001", 4)], meal_rate="4.00") == [
        f"该月按收缴单 {charged.name} 收费时的每餐 ¥5.00 退费（留空即可）"
    ]
    doc = refund(users, [("S001", 4)], meal_rate=None)
    assert (doc.data["meal_rate"], doc.data["total_refund"]) == ("5.00", "20.00")


def test_a_collection_lists_every_diner_of_the_class(users, students):
    """One collection a class a month: a pupil left off it would be neither charged nor owe."""
    standard(users)
    assert refused(collection, users, [{"student": "S001"}]) == [
        "七年级(1)班 还有包餐学生没有列入：林二（S002）。每班每月只有一份收缴单，"
        "全班包餐学生都要列入；未缴的实收填 0，并在备注写明原因"
    ]
    assert not Document.objects.filter(doctype=COLLECTION).exists()
    # Not paid yet: listed at 0 with why, and owed.
    doc = collection(
        users,
        [{"student": "S001"}, {"student": "S002", "amount_paid": "0", "note": "家长下周补交"}],
    )
    services.submit_document(COLLECTION, doc.name, actor=users["finance"])
    assert [m.arrears for m in student_statement(doc.school_id, "S002")] == [Decimal("100.00")]


def test_a_pupil_who_joins_the_class_before_it_is_collected_is_asked_for(users, students):
    standard(users)
    doc = collection(users)
    services.create_document(
        "Student",
        {"student_no": "S004", "student_name": "林四", "class_name": "七年级(1)班",
         "meal_plan": "午餐"},
        actor=users["canteen"],
    )  # fmt: skip
    assert refused(services.submit_document, COLLECTION, doc.name, actor=users["finance"]) == [
        "七年级(1)班 还有包餐学生没有列入：林四（S004）。每班每月只有一份收缴单，"
        "全班包餐学生都要列入；未缴的实收填 0，并在备注写明原因"
    ]
    assert not MealFeeEntry.objects.exists()


def test_a_short_payment_needs_its_reason(users, students):
    standard(users)
    doc = collection(users)
    rows = doc.data["students"]
    rows[1].update(amount_paid="60.00", note=" ")
    with pytest.raises(DocumentValidationError) as exc:
        services.save_document(COLLECTION, doc.name, {"students": rows}, actor=users["finance"])
    assert exc.value.errors == {
        "students.2.note": [
            "包餐学生第 2 行：实收 ¥60.00 少于应收 ¥100.00，请在备注写明原因（如：家长下周补交）"
        ]
    }
    assert Document.objects.get(pk=doc.pk).data["total_paid"] == "400.00"
    rows[1].update(note="家长下周补交")
    saved = services.save_document(COLLECTION, doc.name, {"students": rows}, actor=users["finance"])
    assert saved.data["arrears"] == "40.00"


def test_the_form_says_why_on_the_short_payers_row(client, users, students):
    standard(users)
    doc = collection(users)
    client.force_login(users["finance"])
    rows = doc.data["students"]
    post = {"class_name": "七年级(1)班", "month": last_month(),
            "posting_date": timezone.localdate().isoformat(), "students-present": "1"}  # fmt: skip
    for i, row in enumerate(rows):
        post.update({f"students-{i}-name": row["name"], f"students-{i}-student": row["student"],
                     f"students-{i}-amount_paid": "60.00" if i == 1 else "",
                     f"students-{i}-note": ""})  # fmt: skip
    response = client.post(f"/app/meal-fee-collection/{doc.name}", post)
    assert response.status_code == 400
    assert re.search(
        r'id="f-students-1-note"[^>]*>\s*<div class="invalid-feedback d-block">实收 ¥60.00 少于应收',
        response.content.decode(),
        re.S,
    )


def test_the_refund_form_shows_what_is_left_to_refund_on_the_students_row(client, users, students):
    standard(users)
    doc = collection(users)
    rows = doc.data["students"]
    rows[1].update(amount_paid="50.00", note="家长下周补交")
    services.save_document(COLLECTION, doc.name, {"students": rows}, actor=users["finance"])
    services.submit_document(COLLECTION, doc.name, actor=users["finance"])
    client.force_login(users["teacher"])
    post = {
        "class_name": "七年级(1)班", "month": last_month(), "students-present": "1",
        "students-0-student": "S001", "students-0-missed_meals": "3",
        "students-1-student": "S002", "students-1-missed_meals": "11",
        "posting_date": timezone.localdate().isoformat(),
    }  # fmt: skip
    response = client.post("/app/meal-fee-refund/new", post)
    assert response.status_code == 400
    assert re.search(
        r'id="f-students-1-missed_meals"[^>]*>\s*<div class="invalid-feedback d-block">'
        r"退费不能超过该月实收的伙食费：林二 最多退 ¥50.00</div>",
        response.content.decode(),
    )
    assert not Document.objects.filter(doctype="Meal Fee Refund").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_standard_approved_while_its_month_is_charged_never_leaves_the_month_at_two_rates(
    users, students, monkeypatch
):
    """The approval and the collection, both read before either writes, are taken one after
    the other: the month is charged at the standard in force when it is charged."""
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass")
    standard(users, month=two_months_ago(), rate="5.00")
    new_rate = standard(users, month=last_month(), rate="5.50", submit=False)
    charge = collection(users)
    store = services._store

    def slow_store(*args: Any, **kwargs: Any) -> None:
        time.sleep(0.3)  # between each one's reads and its writes
        store(*args, **kwargs)

    monkeypatch.setattr(services, "_store", slow_store)
    outcomes = at_once(
        lambda: services.submit_document(STANDARD, new_rate.name, actor=users["finance"]),
        lambda: services.submit_document(COLLECTION, charge.name, actor=users["finance"]),
    )
    assert outcomes == ["done", "refused"]
    in_force = standard_for(charge.school_id, last_month())
    charged = MealFeeEntry.objects.filter(month=last_month()).values_list("student", "charged")
    fees = {"S001": in_force.monthly_fee("三餐"), "S002": in_force.monthly_fee("午餐")}
    assert all(fees[student] == amount for student, amount in charged)
