"""The whole requisition chain in a browser: teacher → head → 总务处 → principal (≥ 5,000)."""

from __future__ import annotations

from typing import Any

import pytest

from school_logistics.core import services
from school_logistics.core.models import Department, Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.workflow.models import ApprovalTask, TaskStatus
from tests.browser.test_requisition_journey import pick_item, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.workflows]


@pytest.fixture
def draft(transactional_db: None, users: dict[str, User], departments: dict[str, Department]):
    chinese = departments["语文组"]
    chinese.head = users["head"]
    chinese.save()
    item = services.create_document(
        "Item",
        {"item_code": "E-PROJ", "item_name": "投影仪", "category": "办公用品", "uom": "台"},
        actor=users["storekeeper"],
    )
    return services.create_document(
        "Material Requisition",
        {
            "department": "语文组",
            "purpose": "多媒体教室更换投影仪",
            "items": [{"item": item.name, "qty": "2", "rate": "3200"}],
        },
        actor=users["teacher"],
    )


def sign_out(page: Any, base: str) -> None:
    page.context.clear_cookies()


def test_requisition_runs_the_whole_chain_with_phone_inbox(
    page: Any, phone: Any, live_server: Any, draft: Document, users: dict[str, User], shot: Any
) -> None:
    base = live_server.url
    url = f"{base}/app/material-requisition/{draft.name}"
    sign_in(page, base, "teacher")
    page.goto(url)
    preview = page.locator("#route-preview").inner_text()
    assert "部门负责人审批" in preview and "校长审批" in preview  # 6,400 yuan: the principal too
    assert page.locator("#btn-submit").count() == 0  # no direct submit on a governed form
    shot(page, "approval-route-preview")
    page.click("#btn-start-approval")
    page.wait_for_selector("#approval-status:has-text('审批中')")

    for who in ("head", "purchaser"):
        sign_out(page, base)
        sign_in(page, base, who)
        page.goto(url)
        page.fill("#decision-comment", "同意采购")
        page.click("#btn-approve")
        page.wait_for_selector(".desk-messages:has-text('已同意')")

    # The principal approves from a phone, in the inbox, with one thumb.
    sign_in(phone, base, "principal")
    phone.goto(f"{base}/app/approvals/")
    assert "1" in phone.locator("#tab-todo .count").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert "¥6,400.00" in phone.locator("#inbox-rows .amount").inner_text()
    # The row's comment box is wide enough to type in beside (or above) its three buttons.
    comment = phone.locator("#inbox-rows input[name=comment]")
    box = comment.bounding_box()
    assert box and box["width"] >= 200 and box["height"] >= 40, box
    comment.fill("预算内，同意")
    shot(phone, "approval-inbox-phone", full_page=False)
    phone.locator("#inbox-rows form button", has_text="同意").click()
    phone.wait_for_selector(".desk-messages:has-text('已同意')")

    draft.refresh_from_db()
    assert draft.docstatus == DocStatus.SUBMITTED
    assert draft.workflow_state == "已通过"
    assert not ApprovalTask.objects.filter(document=draft, status=TaskStatus.PENDING).exists()

    page.goto(url)
    trail = page.locator("#approval-trail").inner_text()
    for line in ("提交", "部门负责人审批", "总务处审核", "校长审批", "预算内，同意"):
        assert line in trail
    shot(page, "approval-trail-desktop")


def test_teacher_fills_a_new_requisition_on_a_phone_and_sends_it_for_approval_in_one_tap(
    phone: Any, live_server: Any, draft: Document, users: dict[str, User], shot: Any
) -> None:
    base = live_server.url
    sign_in(phone, base, "teacher")
    phone.goto(f"{base}/app/material-requisition/new")
    route = phone.locator("#route-preview")
    route.wait_for()  # planned as the form opens, from what it holds so far
    assert "部门负责人审批" in route.inner_text() and "校长审批 · 跳过" in route.inner_text()
    principal_skipped = (
        "document.querySelector('#route-preview').innerText.includes('校长审批 · 跳过')"
    )
    phone.fill("#f-purpose", "录播教室更换投影仪")
    pick_item(phone, 0, "投影", "投影仪")
    phone.fill("#f-items-0-qty", "1")
    phone.fill("#f-items-0-rate", "3200")
    phone.click(".desk-grid[data-prefix=items] .grid-add")
    phone.fill("#f-items-1-qty", "1")  # no item picked yet: the row's amount still counts
    phone.fill("#f-items-1-rate", "3200")
    phone.press("#f-items-1-rate", "Tab")  # the route is planned again when a field changes
    phone.wait_for_function(f"!{principal_skipped}")  # 6,400 yuan: the principal approves too
    phone.locator("#f-items-1-rate").locator("xpath=ancestor::tr").locator(".row-remove").click()
    phone.wait_for_function(principal_skipped)  # the row is gone, and so is the principal
    phone.fill("#f-items-0-qty", "2")  # 6,400 yuan in one row
    phone.press("#f-items-0-qty", "Tab")
    phone.wait_for_function(f"!{principal_skipped}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.locator("#new-route").scroll_into_view_if_needed()
    shot(phone, "requisition-new-phone-route", full_page=False)
    phone.click("#btn-save-start")
    phone.wait_for_selector(".desk-messages:has-text('已提交审批')")
    shot(phone, "requisition-sent-phone", full_page=False)

    sent = Document.objects.exclude(pk=draft.pk).get(doctype="Material Requisition")
    assert phone.url.endswith(sent.name)
    assert sent.workflow_state == "部门负责人审批" and sent.grand_total == 6400
    task = ApprovalTask.objects.get(document=sent, status=TaskStatus.PENDING)
    assert task.assignee == users["head"]
