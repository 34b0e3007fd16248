"""The meal fee ledger: approved refunds post per student, a month is refunded once, a
cancelled refund is mirrored; the canteen's books by month and a student's 结算清单."""

from __future__ import annotations

from decimal import Decimal

import pytest

from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.core.validation import DocumentValidationError
from school_logistics.ledger.meal_fees import student_statement
from school_logistics.ledger.models import MealFeeEntry
from school_logistics.workflow import actions
from school_logistics.workflow.models import ApprovalTask, TaskStatus
from tests.canteen.test_meal_fee_refund import last_month, refund
from tests.workflow.conftest import send_and_approve

DT = "Meal Fee Refund"


def pending_task(document: Document) -> ApprovalTask | None:
    waiting = ApprovalTask.objects.filter(document=document, status=TaskStatus.PENDING)
    return waiting.order_by("pk").first()


def approved(users, rows, **extra) -> Document:
    doc = refund(users, rows, **extra)
    return services.submit_document(DT, doc.name, actor=users["teacher"])


def test_an_approved_refund_posts_each_students_refund(users, students):
    doc = approved(users, [("S001", 4), ("S002", 2)])
    rows = MealFeeEntry.objects.filter(voucher=doc).order_by("student")
    assert [(e.student, e.student_name, e.missed_meals, e.refund) for e in rows] == [
        ("S001", "林一", 4, Decimal("26.00")),
        ("S002", "林二", 2, Decimal("13.00")),
    ]
    assert {(e.class_name, e.month) for e in rows} == {("七年级(1)班", last_month())}


def test_a_students_month_is_refunded_once_whatever_the_class(users, students):
    first = approved(users, [("S001", 4)])
    # The student moved class; the new class teacher lists the month again.
    services.save_document("Student", "S001", {"class_name": "七年级(2)班"}, actor=users["canteen"])
    with pytest.raises(DocumentValidationError) as refused:
        refund(users, [("S001", 2), ("S101", 1)], actor="colleague", class_name="七年级(2)班")
    assert refused.value.errors == {
        "students.1.student": [
            f"缺餐学生第 1 行：{last_month()} 已退过费的学生不能再退：林一（{first.name}）"
        ]
    }
    assert Document.objects.filter(doctype=DT).count() == 1


@pytest.mark.workflows
def test_two_refunds_of_one_students_month_in_approval_at_once_post_once(users, students, heads):
    """Both sent while neither was approved: the books refuse the second at its last approval."""
    first = refund(users, [("S001", 4)])
    services.save_document("Student", "S001", {"class_name": "七年级(2)班"}, actor=users["canteen"])
    second = refund(users, [("S001", 2), ("S101", 1)], actor="colleague", class_name="七年级(2)班")
    services.send_document(DT, second.name, actor=users["colleague"])
    services.save_document("Student", "S001", {"class_name": "七年级(1)班"}, actor=users["canteen"])
    send_and_approve(first, users["teacher"])
    with pytest.raises(DocumentValidationError) as refused:
        while task := pending_task(second):
            actions.approve(task.pk, actor=task.assignee)
    assert refused.value.errors == {
        "students.1.student": [
            f"缺餐学生第 1 行：{last_month()} 已退过费的学生不能再退：林一（{first.name}）"
        ]
    }
    assert not MealFeeEntry.objects.filter(voucher=second).exists()


def test_a_cancelled_refund_is_mirrored_and_the_month_can_be_refunded_again(users, students):
    first = approved(users, [("S001", 4)])
    services.cancel_document(DT, first.name, actor=users["finance"])
    assert student_statement(first.school_id, "S001") == []
    again = approved(users, [("S001", 3)], remarks="重新核对后")
    assert [(m.missed_meals, m.refund) for m in student_statement(again.school_id, "S001")] == [
        (3, Decimal("19.50"))
    ]
    assert MealFeeEntry.objects.filter(student="S001").count() == 3


def test_the_canteen_reads_the_month_by_class_and_by_student(client, users, students):
    approved(users, [("S001", 4), ("S002", 2)])
    client.force_login(users["canteen"])
    page = client.get("/app/meal-fees/").content.decode()
    assert "七年级(1)班" in page and 'id="meal-refund-total">¥39.00<' in page
    one = client.get(f"/app/meal-fees/?month={last_month()}&class_name=七年级(1)班")
    assert "林一" in one.content.decode() and "26.00" in one.content.decode()
    statement = client.get("/app/student/S001").content.decode()
    assert 'id="statement-total">26.00<' in statement


def test_a_class_teacher_reads_only_their_own_refunds(client, users, students):
    approved(users, [("S001", 4)])
    client.force_login(users["teacher"])
    assert client.get("/app/meal-fees/").status_code == 403
    assert "结算清单" not in client.get("/app/student/S001").content.decode()


def test_a_refunded_student_cannot_be_deleted(users, students):
    from school_logistics.core.services import DocumentStateError

    approved(users, [("S001", 4)])
    with pytest.raises(DocumentStateError, match="已有伙食费收退记录，不能删除"):
        services.delete_document("Student", "S001", actor=users["canteen"])
    services.delete_document("Student", "S002", actor=users["canteen"])  # never refunded


@pytest.mark.parametrize("asked", ["garbage", "2026-13", "2026-1"])
def test_a_malformed_month_is_ignored_and_said_so(client, users, students, asked):
    approved(users, [("S001", 4)])
    client.force_login(users["canteen"])
    page = client.get("/app/meal-fees/", {"month": asked}).content.decode()
    assert f"{asked} 伙食费" not in page
    assert f"{last_month()} 伙食费" in page  # the month shown is the latest on the books
    assert f"月份“{asked}”格式不正确（应为 YYYY-MM），已忽略该条件" in page
    assert 'id="meal-refund-total">¥26.00<' in page
    accounts = client.get("/app/meal-fees/accounts/", {"month": asked}).content.decode()
    assert f"月份“{asked}”格式不正确" in accounts
