"""A repair ticket's costs as logistics staff fill them in: what the form shows is what is saved."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from school_logistics.core import services
from school_logistics.core.models import Document, User
from school_logistics.workflow import actions
from school_logistics.workflow.models import ApprovalTask, TaskStatus
from tests.browser.test_requisition_journey import items, sign_in  # noqa: F401  (items: fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def classroom(users: dict[str, User]) -> None:
    services.create_document(
        "Location",
        {"location_name": "七年级(1)班教室", "purpose": "教室", "building": "明德楼"},
        actor=users["storekeeper"],
    )


def pick(page: Any, selector: str, typed: str, label: str) -> None:
    field = page.locator(selector)
    field.click()
    field.press_sequentially(typed, delay=30)
    page.locator("body > .link-menu button", has_text=label).first.click()


@pytest.mark.usefixtures("items")
def test_total_cost_counts_labour_while_typing_and_matches_the_saved_ticket(
    page: Any, live_server: Any, classroom: None, shot: Any
) -> None:
    base = live_server.url
    sign_in(page, base, "purchaser")
    page.goto(f"{base}/app/repair-ticket/new")
    page.fill("#f-subject", "三楼男厕水龙头漏水")
    pick(page, "#f-location", "七年级", "七年级(1)班教室")
    # The room shows by its name, its code goes in the hidden input beside it.
    expect(page.locator("#f-location")).to_have_value("七年级(1)班教室")
    room = Document.objects.get(doctype="Location").name
    expect(page.locator("input.link-value[name=location]")).to_have_value(room)
    page.select_option("#f-category", "水电")
    page.fill("#f-description", "水龙头关不紧，一直滴水")
    page.fill("#f-labour_cost", "50")
    pick(page, "#f-parts-0-item", "拖把", "拖把")
    page.fill("#f-parts-0-qty", "2")

    # Parts and labour: the total is the DocType's formula, the one the server runs on save.
    # A part is priced at once at the item's reference price, as the server would price it.
    parts = page.locator('.desk-grid[data-prefix="parts"]')
    total = page.locator("[data-fieldname=total_cost] .readonly-value")
    expect(page.locator("#f-parts-0-rate")).to_have_value("25.00")
    expect(total).to_have_text("100.00")
    page.fill("#f-parts-0-rate", "12.5")
    expect(parts.locator("[data-field=amount] .cell-value")).to_have_text("25.00")
    expect(parts.locator("[data-total-for=amount] .total-value")).to_have_text("25.00")
    expect(total).to_have_text("75.00")
    page.fill("#f-labour_cost", "")
    expect(total).to_have_text("25.00")
    page.fill("#f-labour_cost", "80")
    expect(total).to_have_text("105.00")
    shot(page, "repair-ticket-costs")

    page.click("#btn-save")
    page.wait_for_url(re.compile(r"/app/repair-ticket/[^/]+$"))
    ticket = Document.objects.get(doctype="Repair Ticket")
    assert ticket.grand_total == Decimal("105.00")
    assert (ticket.data["location"], ticket.data["location_name"]) == (room, "七年级(1)班教室")
    expect(total).to_have_text("105.00")


@pytest.mark.workflows
def test_the_worker_types_the_repair_record_and_presses_complete_at_once(
    phone: Any, live_server: Any, users: dict[str, User], classroom: None, shot: Any
) -> None:
    """完工 sends the record typed above it: nothing typed is lost for want of 保存 first."""
    location = Document.objects.get(doctype="Location").name
    ticket = services.create_document(
        "Repair Ticket",
        {
            "subject": "302 教室日光灯不亮",
            "location": location,
            "category": "水电",
            "description": "讲台上方两支灯管不亮",
            "reported_on": (timezone.now() - dt.timedelta(hours=5)).isoformat(),
        },
        actor=users["teacher"],
    )
    actions.start_approval(ticket.doctype, ticket.name, actor=users["teacher"])
    services.save_document(
        ticket.doctype, ticket.name, {"assigned_to": "worker"}, actor=users["purchaser"]
    )
    dispatch = ApprovalTask.objects.get(document=ticket, assignee=users["purchaser"])
    actions.approve(dispatch.pk, actor=users["purchaser"])

    base = live_server.url
    sign_in(phone, base, "worker")
    phone.goto(f"{base}/app/repair-ticket/{ticket.name}")
    done_at = timezone.localtime() - dt.timedelta(hours=1)
    phone.fill("#f-completed_on", done_at.strftime("%Y-%m-%dT%H:%M"))
    phone.fill("#f-labour_cost", "80")
    phone.fill("#decision-comment", "已更换灯管")
    phone.click("#btn-approve")
    expect(phone.locator(".desk-messages")).to_contain_text("已完工")
    shot(phone, "repair-completed-at-once")
    stored = Document.objects.get(pk=ticket.pk).data
    assert stored["labour_cost"] == "80.00"
    assert stored["completed_on"]
    repair = ApprovalTask.objects.get(document=ticket, assignee=users["worker"])
    assert (repair.status, repair.comment) == (TaskStatus.APPROVED, "已更换灯管")
