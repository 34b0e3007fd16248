"""A hazard in a browser: 总务处 records an inspection, the worker fixes the hazard from a phone
and says what was done, the inspector re-checks it and closes it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from school_logistics.core.models import Document, User
from tests.assets.factories import make_room
from tests.browser.test_assets import pick, submit
from tests.browser.test_requisition_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.workflows]


def test_a_hazard_found_is_fixed_on_a_phone_and_closed_by_the_recheck(
    page: Any, phone: Any, live_server: Any, users: dict[str, User], shot: Any
) -> None:
    make_room(users["storekeeper"], "男生宿舍1号楼101", users["head"], purpose="宿舍")
    base = live_server.url
    sign_in(page, base, "purchaser")
    page.goto(f"{base}/app/safety-inspection/new")
    page.fill("#f-title", "12 月宿舍安全检查")
    page.select_option("#f-inspection_type", "月度安全检查")
    page.fill("#f-area", "学生宿舍")
    page.fill("#f-conclusion", "发现隐患 1 处")
    pick(page, "findings-0-location", "宿舍", "男生宿舍1号楼101")
    page.fill("#f-findings-0-hazard", "走廊应急照明灯不亮")
    page.select_option("#f-findings-0-severity", "较大")
    page.fill("#f-findings-0-responsible", "worker")
    page.fill("#f-findings-0-deadline", timezone.localdate().isoformat())
    page.click("#btn-save")
    page.wait_for_url(re.compile(r"/app/safety-inspection/AQJC-\d{4}-\d{4}$"))
    submit(page)
    fix = Document.objects.get(doctype="Hazard Rectification")

    # The worker, on a phone: the hazard waits in the inbox; they say what they did.
    sign_in(phone, base, "worker")
    phone.goto(f"{base}/app/hazard-rectification/{fix.name}")
    phone.fill("#f-measures", "更换应急灯 2 盏，试灯正常")
    phone.fill("#f-rectified_on", timezone.localdate().isoformat())
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.click("#btn-approve")
    phone.wait_for_selector(".desk-messages:has-text('整改完成')")
    shot(phone, "hazard-fixed-phone")

    # The inspector re-checks it and closes it.
    page.goto(f"{base}/app/hazard-rectification/{fix.name}")
    expect(page.locator("#btn-approve")).to_have_text(re.compile("复查合格"))
    page.click("#btn-approve")
    page.wait_for_selector(".desk-messages:has-text('复查合格')")
    fix.refresh_from_db()
    assert (fix.docstatus, fix.workflow_state) == (1, "已整改")
    assert fix.data["measures"] == "更换应急灯 2 盏，试灯正常"
