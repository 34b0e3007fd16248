"""A designed form's rules on a submitted document: a table shown when a box is ticked stays
shown once the box is read-only text (是), so approvers see the rows they approve."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from school_logistics.core import services as core
from school_logistics.core.models import User
from school_logistics.designer import services
from tests.browser.test_requisition_journey import sign_in

pytestmark = [pytest.mark.browser]


@pytest.fixture
def booking(users: dict[str, User]) -> None:
    admin = users["admin"]
    services.create_doctype(
        {"name": "Booking Item", "label": "借用物品", "istable": 1, "module": "assets",
         "fields": [{"fieldname": "item", "fieldtype": "Data", "label": "物品", "reqd": 1}]},
        actor=admin,
    )  # fmt: skip
    services.create_doctype(
        {"name": "Room Booking", "label": "教室借用", "module": "assets", "autoname": "JS-.####",
         "is_submittable": 1, "fields": [
            {"fieldname": "purpose", "fieldtype": "Data", "label": "用途", "reqd": 1},
            {"fieldname": "needs_items", "fieldtype": "Check", "label": "需要借用物品"},
            {"fieldname": "items", "fieldtype": "Table", "label": "物品明细",
             "options": "Booking Item",
             "depends_on": {"all": [{"field": "needs_items", "op": "==", "value": "1"}]}},
        ]},
        actor=admin,
    )  # fmt: skip


@pytest.mark.usefixtures("booking")
def test_a_table_shown_by_a_ticked_box_stays_shown_once_submitted(
    page: Any, live_server: Any, users: dict[str, User], shot: Any
) -> None:
    teacher = users["teacher"]
    doc = core.create_document(
        "Room Booking",
        {"purpose": "教研活动", "needs_items": 1, "items": [{"item": "投影仪"}]},
        actor=teacher,
    )
    core.submit_document("Room Booking", doc.name, actor=teacher)
    sign_in(page, live_server.url, "teacher")
    page.goto(f"{live_server.url}/app/room-booking/{doc.name}")
    page.wait_for_load_state("networkidle")  # the form's rules have run
    table = page.locator('.desk-field[data-fieldname="items"]')
    expect(table).not_to_have_class(re.compile(r"\brule-hidden\b"))
    expect(table).to_be_visible()
    expect(table).to_contain_text("投影仪")
    shot(page, "designed-form-submitted-table")
