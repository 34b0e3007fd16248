"""A budget in a browser: finance draws it up and sends it, the principal approves, and
预算执行 and the requisition's page show what is left."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from school_logistics.core import services
from school_logistics.core.models import Document, User
from school_logistics.workflow import actions
from school_logistics.workflow.models import ApprovalTask, TaskStatus
from tests.browser.test_requisition_journey import items, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.workflows]


@pytest.mark.usefixtures("items")
def test_finance_sends_a_budget_and_the_requisition_shows_what_is_left(
    page: Any, live_server: Any, users: dict[str, User], shot: Any
) -> None:
    base = live_server.url
    year = timezone.localdate().year
    sign_in(page, base, "finance")
    page.goto(f"{base}/app/budget/new")
    page.fill("#f-fiscal_year", str(year))
    page.fill("#f-department", "语文组")
    page.fill("#f-budget_line", "办公用品费")
    page.fill("#f-amount", "1000")
    page.click("#btn-save-start")
    page.wait_for_selector(".desk-messages:has-text('已提交审批')")
    budget = Document.objects.get(doctype="Budget")
    assert budget.title == f"语文组 {year} 年 办公用品费"
    task = ApprovalTask.objects.get(document=budget, status=TaskStatus.PENDING)
    actions.approve(task.pk, actor=users["principal"])

    page.get_by_role("navigation", name="导航").get_by_role("link", name="预算执行").click()
    row = page.locator("#budget-table tr", has_text="办公用品费")
    expect(row).to_contain_text("1,000.00")
    shot(page, "budget-use")

    users["teacher"].school.refresh_from_db(fields=["has_budgets"])
    draft = services.create_document(
        "Material Requisition",
        {
            "purpose": "办公室用纸",
            "budget_line": "办公用品费",
            "items": [{"item": "P-A4", "qty": "10", "rate": "120"}],
        },
        actor=users["teacher"],
    )
    page.context.clear_cookies()
    sign_in(page, base, "teacher")
    page.goto(f"{base}/app/material-requisition/{draft.name}")
    panel = page.locator("#budget-panel")
    expect(panel).to_contain_text("1,000.00")
    expect(panel).to_contain_text("超出所选科目的可用额度")  # 1,200 yuan asked, 1,000 left
