"""The 总务处 filters the requisition list by a requester picked by name, on a phone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from school_logistics.core import services
from school_logistics.core.models import User
from tests.browser.test_requisition_journey import items, sign_in  # noqa: F401 - a fixture
from tests.conftest import make_user

pytestmark = pytest.mark.browser


def requisition(user: User, purpose: str) -> str:
    doc = services.create_document(
        "Material Requisition",
        {"purpose": purpose, "items": [{"item": "P-A4", "qty": "1", "rate": "120"}]},
        actor=user,
    )
    return doc.name


@pytest.mark.usefixtures("items")
def test_a_requester_picked_by_name_narrows_the_list(
    phone: Any, live_server: Any, users: dict[str, User], shot: Any
) -> None:
    teacher = users["teacher"]
    other = make_user(
        "t-zhao", teacher.school, "teacher", department=teacher.department, full_name="示例赵老师"
    )
    namesake = make_user(
        "t-zhao2",
        teacher.school,
        "teacher",
        department=teacher.department,
        full_name="示例赵老师二",
    )
    mine = requisition(teacher, "期中考试用纸")
    theirs = requisition(other, "卫生大扫除")
    namesakes = requisition(namesake, "运动会号码布")
    base = live_server.url
    sign_in(phone, base, "purchaser")
    phone.goto(f"{base}/app/material-requisition/")
    rows = phone.locator("#list-results .cell-name a")
    expect(rows).to_have_count(3)

    phone.click(".filter-toggle")
    requester = phone.locator("#flt-requested_by")
    requester.click()
    requester.press_sequentially("赵老", delay=30)
    phone.locator('body > .link-menu button[data-value="t-zhao"]').click()
    expect(requester).to_have_value("示例赵老师")  # the name people know
    expect(phone.locator("input.link-value[name=requested_by]")).to_have_value("t-zhao")
    expect(rows).to_have_count(1)  # that teacher only, not t-zhao2
    expect(rows).to_have_text([theirs])
    assert "requested_by=t-zhao" in phone.url  # the filtered list can be bookmarked or shared
    shot(phone, "list-filter-requester-phone")

    # Opened from that address, the box shows the same; typing again searches what is typed.
    phone.reload()
    expect(requester).to_have_value("示例赵老师")
    expect(rows).to_have_text([theirs])
    requester.press("End")
    requester.press("Backspace")
    expect(rows).to_have_count(2)  # 示例赵老 names both teachers

    # Typed without picking, the name people see finds everyone holding it.
    phone.goto(f"{base}/app/material-requisition/?requested_by=" + "示例赵")
    expect(rows).to_have_count(2)
    assert {theirs, namesakes} == set(rows.all_inner_texts())
    assert mine not in phone.locator("#list-results").inner_text()
