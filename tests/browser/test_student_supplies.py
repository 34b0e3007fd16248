"""A class teacher's uniform order on a phone: saved with the class only it lists the class;
the parents' answers go in from the reply slips; at 发放登记 every student who ordered must get
the full quantity before the order closes (按生按量足额发放)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from school_logistics.core import services
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.workflow import actions
from school_logistics.workflow.models import ApprovalTask, TaskStatus
from tests.browser.test_requisition_journey import sign_in
from tests.canteen.factories import make_classes
from tests.purchasing.test_student_supplies import ROLL, awarded_tender

pytestmark = [pytest.mark.browser, pytest.mark.workflows]


@pytest.fixture
def tender(transactional_db: None, users: dict[str, User]) -> str:
    make_classes(users["canteen"], {"七年级(1)班": users["teacher"]})
    for no, name in ROLL:
        services.create_document(
            "Student",
            {"student_no": no, "student_name": name, "class_name": "七年级(1)班"},
            actor=users["canteen"],
        )
    return awarded_tender(users)


def approve_pending(doc: Document, user: User) -> None:
    task = ApprovalTask.objects.get(document=doc, assignee=user, status=TaskStatus.PENDING)
    actions.approve(task.pk, actor=user)


def test_a_class_teacher_orders_uniforms_and_issues_them_in_full(
    phone: Any, live_server: Any, users: dict[str, User], tender: str, shot: Any
) -> None:
    base = live_server.url
    sign_in(phone, base, "teacher")
    phone.goto(f"{base}/app/student-supply-order/new")
    phone.fill("#f-item_name", "秋季校服（运动套装）")
    phone.select_option("#f-category", "校服")
    phone.fill("#f-term", "2026年秋季")
    phone.select_option("#f-class_name", "七年级(1)班")
    phone.fill("#f-tender", tender)
    phone.fill("#f-unit_price", "118")
    phone.fill("#f-per_student", "2")
    phone.click("#btn-save")
    phone.wait_for_url(re.compile(r"/app/student-supply-order/ZD-\d{4}-\d{4}$"))
    expect(phone.locator("#f-students-2-student")).to_have_value("S003")

    for idx, (consent, size) in enumerate(
        (("同意", "160/80A"), ("不同意", ""), ("同意", "165/84A"))
    ):
        phone.select_option(f"#f-students-{idx}-consent", consent)
        phone.fill(f"#f-students-{idx}-size", size)
    phone.click("#btn-save")
    phone.wait_for_selector(".desk-messages:has-text('已保存')")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    doc = Document.objects.get(doctype="Student Supply Order")
    assert (doc.data["consented"], doc.data["total_amount"]) == (2, "472.00")

    phone.click("#btn-start-approval")
    phone.wait_for_selector(".desk-messages:has-text('已提交审批')")
    approve_pending(doc, users["purchaser"])
    approve_pending(doc, users["principal"])
    services.save_document(
        doc.doctype, doc.name, {"delivered_on": timezone.localdate()}, actor=users["purchaser"]
    )
    approve_pending(doc, users["purchaser"])

    phone.goto(f"{base}/app/student-supply-order/{doc.name}")
    phone.fill("#f-issued_on", timezone.localdate().isoformat())
    phone.fill("#f-students-0-issued", "2")
    phone.fill("#f-students-2-issued", "1")  # one set short
    phone.click("#btn-approve")
    expect(phone.locator(".invalid-feedback, .alert-danger").first).to_contain_text(
        "林三 应发 2，实发 1"
    )
    # The address bar shows the order's page again, not the action's: a refresh posts nothing.
    assert phone.url.endswith(f"/app/student-supply-order/{doc.name}")
    shot(phone, "supply-order-short-phone")
    doc.refresh_from_db()
    assert doc.docstatus == DocStatus.DRAFT and doc.data["issued_on"] is None

    phone.fill("#f-students-2-issued", "2")
    phone.click("#btn-approve")
    expect(phone.locator(".desk-messages")).to_contain_text("发放完毕")
    doc.refresh_from_db()
    assert (doc.docstatus, doc.workflow_state) == (DocStatus.SUBMITTED, "已发放")
    assert [r["issued"] for r in doc.data["students"]] == [2, None, 2]
