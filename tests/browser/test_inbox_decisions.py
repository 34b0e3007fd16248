"""Deciding from the inbox's list in a browser: 同意所选 asks first, a missing reason is said on
its card, and 转交 picks a person by name."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from school_logistics.core import services
from school_logistics.core.models import Department, Document, User
from school_logistics.workflow import actions
from school_logistics.workflow.models import ApprovalTask, TaskStatus
from tests.browser.test_requisition_journey import sign_in
from tests.workflow.test_modes import use_flow

pytestmark = [pytest.mark.browser, pytest.mark.workflows]
MR = "Material Requisition"


def waiting_for_head(users: dict[str, User], departments: dict[str, Department], *amounts: str):
    """Requisitions of the teacher's, one a row worth each amount, all waiting for the head."""
    chinese = departments["语文组"]
    chinese.head = users["head"]
    chinese.save()
    item = services.create_document(
        "Item",
        {"item_code": "E-PROJ", "item_name": "投影仪", "category": "办公用品", "uom": "台"},
        actor=users["storekeeper"],
    )
    docs = []
    for amount in amounts:
        doc = services.create_document(
            MR,
            {
                "department": "语文组",
                "purpose": "多媒体教室设备",
                "items": [{"item": item.name, "qty": "1", "rate": amount}],
            },
            actor=users["teacher"],
        )
        actions.start_approval(MR, doc.name, actor=users["teacher"])
        docs.append(doc)
    return docs


def heads_pending(docs: list[Document], users: dict[str, User]) -> int:
    return ApprovalTask.objects.filter(
        document__in=docs, assignee=users["head"], status=TaskStatus.PENDING
    ).count()


def test_batch_approval_asks_with_the_count_and_total_first(
    page: Any,
    live_server: Any,
    transactional_db: None,
    users: dict[str, User],
    departments: dict[str, Department],
    shot: Any,
) -> None:
    docs = waiting_for_head(users, departments, "39000", "150", "80")
    base = live_server.url
    sign_in(page, base, "head")
    page.goto(f"{base}/app/approvals/")
    for doc in docs[:2]:
        row = page.locator(".inbox-row", has_text=doc.name)
        row.locator("input[name=task]").check()

    page.click("#btn-batch-approve")
    dialog = page.locator("#confirmModal")
    dialog.locator(".confirm-text").wait_for()
    assert dialog.locator(".confirm-text").inner_text() == "确认同意 2 份单据（合计 ¥39,150.00）？"
    shot(page, "inbox-batch-confirm", full_page=False)
    dialog.get_by_role("button", name="取消").click()
    dialog.wait_for(state="hidden")
    assert heads_pending(docs, users) == 3  # nothing approved on the first tap

    page.locator(".inbox-row", has_text=docs[2].name).locator("input[name=task]").check()
    page.click("#btn-batch-approve")
    dialog.locator(".confirm-text:has-text('3 份单据')").wait_for()
    assert "合计 ¥39,230.00" in dialog.locator(".confirm-text").inner_text()
    dialog.locator(".confirm-ok").click()
    page.wait_for_selector(".desk-messages:has-text('已同意 3 条')")
    assert heads_pending(docs, users) == 0


def test_a_return_without_a_reason_is_refused_on_its_card_where_the_user_is(
    phone: Any,
    live_server: Any,
    transactional_db: None,
    users: dict[str, User],
    departments: dict[str, Department],
    shot: Any,
) -> None:
    docs = waiting_for_head(users, departments, *(str(100 + n) for n in range(8)))
    base = live_server.url
    sign_in(phone, base, "head")
    phone.goto(f"{base}/app/approvals/")
    last = phone.locator(".inbox-row").last
    last.scroll_into_view_if_needed()
    scrolled = phone.evaluate("window.scrollY")
    assert scrolled > 0
    url = phone.url

    last.get_by_role("button", name="退回").click()
    error = last.locator(".decide-error")
    error.wait_for()
    assert error.inner_text() == "请填写退回理由"
    assert last.locator("input[name=comment]").evaluate("el => el === document.activeElement")
    assert phone.url == url and phone.evaluate("window.scrollY") == scrolled
    assert phone.locator(".desk-messages").count() == 0
    assert all(e.is_hidden() for e in phone.locator(".decide-error").all()[:-1])  # only there
    shot(phone, "inbox-return-needs-reason-phone", full_page=False)
    assert heads_pending(docs, users) == 8

    last.locator("input[name=comment]").fill("请补充规格")
    assert error.is_hidden()  # typing clears it
    last.get_by_role("button", name="退回").click()
    phone.wait_for_selector(".desk-messages:has-text('已退回')")
    assert heads_pending(docs, users) == 7


def test_transfer_picks_a_colleague_by_the_name_shown(
    page: Any,
    live_server: Any,
    transactional_db: None,
    users: dict[str, User],
    departments: dict[str, Department],
    shot: Any,
) -> None:
    users["colleague"].full_name = "语文组教师乙（演示）"
    users["colleague"].save()
    [doc] = waiting_for_head(users, departments, "100")
    base = live_server.url
    sign_in(page, base, "head")
    page.goto(f"{base}/app/material-requisition/{doc.name}")
    page.get_by_text("更多：退回到某一步、转交、加签").click()
    person = page.locator("#decision-user")
    person.click()
    person.press_sequentially("教师乙", delay=30)
    options = page.locator(".link-menu:not([hidden]) button")
    page.wait_for_function(  # the list opened on focus, then narrowed to what was typed
        "document.querySelectorAll('.link-menu:not([hidden]) button').length === 1"
    )
    option = options.first
    assert option.locator(".lm-label").inner_text() == "语文组教师乙（演示）"
    assert "语文组 · colleague" in option.inner_text()
    shot(page, "transfer-picker", full_page=False)
    option.click()
    assert person.input_value() == "语文组教师乙（演示）"
    assert page.locator("#decision-form .link-value").input_value() == "colleague"
    url = page.url
    person.press("Enter")  # the form's first button is 同意: Enter must not send it
    page.wait_for_timeout(500)
    assert page.url == url
    assert ApprovalTask.objects.get(document=doc, assignee=users["head"]).status == "pending"

    page.get_by_role("button", name="转交").click()
    page.wait_for_selector(".desk-messages:has-text('已转交')")
    task = ApprovalTask.objects.get(document=doc, status=TaskStatus.PENDING)
    assert task.assignee == users["colleague"]


def test_a_comment_typed_on_a_card_goes_with_it_to_the_document_page(
    page: Any,
    live_server: Any,
    transactional_db: None,
    users: dict[str, User],
    departments: dict[str, Department],
) -> None:
    """A step decided on its page (it asks for a field) keeps what was typed on the card."""
    use_flow(
        {
            "key": "head",
            "label": "部门负责人审批",
            "approvers": [{"type": "department_head"}],
            "editable_fields": ["budget_line"],
            "required_fields": ["budget_line"],
        }
    )
    (doc,) = waiting_for_head(users, departments, "150")
    sign_in(page, live_server.url, "head")
    page.goto(live_server.url + "/app/approvals/")
    assert page.locator("#btn-batch-approve").count() == 0  # nothing here to approve at once
    page.fill("form.decide input[name=comment]", "用途清楚，同意")
    page.click("a[data-carry-comment]")
    page.wait_for_url(re.compile(rf"/app/material-requisition/{doc.name}\?comment="))
    expect(page.locator("#decision-comment")).to_have_value("用途清楚，同意")
