"""校产 in a browser: the storekeeper registers a projector in the lab, moves it to a classroom,
and the classroom's keeper finds it on a phone among what they keep."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from school_logistics.core.models import Document, User
from school_logistics.ledger.models import AssetBin
from tests.assets.factories import make_room, register_asset
from tests.browser.test_requisition_journey import sign_in

pytestmark = [pytest.mark.browser]


@pytest.fixture
def rooms(transactional_db: None, users: dict[str, User]) -> dict[str, Document]:
    keeper = users["storekeeper"]
    return {
        "lab": make_room(keeper, "物理实验室", users["head"], purpose="功能室"),
        "class": make_room(keeper, "七年级(1)班教室", users["teacher"]),
    }


def pick(page: Any, field: str, typed: str, label: str) -> None:
    """Type into a link field and choose the match from the search dropdown."""
    box = page.locator(f"#f-{field}")
    box.click()
    box.press_sequentially(typed, delay=30)
    page.locator("body > .link-menu button", has_text=label).first.click()


def submit(page: Any) -> None:
    page.click("#btn-submit")
    page.locator("#confirmModal .confirm-ok").click()
    page.wait_for_selector("#doc-status:has-text('已提交')")


def test_an_asset_registered_and_moved_is_found_by_its_new_keeper_on_a_phone(
    page: Any, phone: Any, live_server: Any, rooms: dict[str, Document], shot: Any
) -> None:
    base = live_server.url
    sign_in(page, base, "storekeeper")
    page.goto(f"{base}/app/asset/new")
    page.fill("#f-asset_name", "便携投影仪")
    page.select_option("#f-category", "电教设备")
    page.fill("#f-qty", "1")
    page.fill("#f-uom", "台")
    page.fill("#f-unit_price", "3600")
    pick(page, "location", "物理", "物理实验室")
    page.click("#btn-save")
    page.wait_for_url(re.compile(r"/app/asset/ZC-\d{4}-\d{4}$"))
    card = Document.objects.get(doctype="Asset")
    assert card.data["custodian"] == "head"  # the lab's keeper, taken from the room
    submit(page)
    expect(page.locator("#asset-now")).to_contain_text("物理实验室")

    # Moved to the classroom: its keeper takes it over.
    page.goto(f"{base}/app/asset-movement/new")
    page.fill("#f-reason", "投影仪调往七年级(1)班公开课使用")
    pick(page, "target_location", "七年级", "七年级(1)班教室")
    pick(page, "items-0-asset", "投影", "便携投影仪")
    page.click("#btn-save")
    page.wait_for_url(re.compile(r"/app/asset-movement/ZCDB-\d{4}-\d{4}$"))
    expect(page.locator("#main")).to_contain_text("物理实验室")  # where it came from
    submit(page)
    b = AssetBin.objects.get(asset=card.name)
    assert (b.location, b.custodian, b.value) == (rooms["class"].name, "teacher", Decimal("3600"))

    page.get_by_role("navigation", name="导航").get_by_role("link", name="校产台账").click()
    row = page.locator("#asset-table tr", has_text="便携投影仪")
    expect(row).to_contain_text("七年级(1)班教室")
    shot(page, "asset-register")
    row.get_by_role("link").click()
    expect(page.locator("#asset-history tbody tr")).to_have_count(3)  # in, out, in

    # The classroom's keeper, on a phone: what they keep, from their home page.
    sign_in(phone, base, "teacher")
    phone.locator("#home-kept-assets").get_by_role("link").click()
    expect(phone.locator("h1")).to_contain_text("我保管的校产")
    expect(phone.locator("#asset-results")).to_contain_text("便携投影仪")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shot(phone, "asset-kept-phone")


@pytest.mark.workflows
def test_a_teacher_borrows_on_a_phone_and_the_storekeeper_lends_and_takes_it_back(
    page: Any, phone: Any, live_server: Any, users: dict[str, User], rooms: dict[str, Document]
) -> None:
    keeper = users["storekeeper"]
    projector = register_asset(keeper, rooms["lab"], "便携投影仪", "1", "3600", uom="台")
    base = live_server.url
    sign_in(phone, base, "teacher")
    phone.goto(f"{base}/app/asset-loan/new")
    phone.fill("#f-purpose", "公开课借用投影仪")
    phone.fill("#f-due_date", "2030-01-10")
    phone.locator("#f-items-0-asset").fill(projector.name)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.click("#btn-save-start")
    phone.wait_for_selector(".desk-messages:has-text('已提交审批')")
    loan = Document.objects.get(doctype="Asset Loan")

    sign_in(page, base, "storekeeper")
    page.goto(f"{base}/app/asset-loan/{loan.name}")
    expect(page.locator("#btn-approve")).to_have_text(re.compile("借出"))
    page.click("#btn-approve")
    page.wait_for_selector("#loan-status:has-text('借出中')")
    page.select_option("#return-condition", "损坏")
    page.fill("#return-note", "镜头有划痕")
    page.click("#btn-return")
    page.wait_for_selector(".desk-messages:has-text('损坏的校产已报修')")
    expect(page.locator("#loan-status")).to_contain_text("归还（损坏）：镜头有划痕")
    ticket = Document.objects.get(doctype="Repair Ticket")
    assert ticket.data["asset"] == projector.name and ticket.workflow_state == "总务处派工"
