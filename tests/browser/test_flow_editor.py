"""The admin lowers the principal's threshold in the flow editor; a 4,000-yuan request now reaches them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from school_logistics.core import services
from school_logistics.core.models import Department, Document, School, User
from school_logistics.workflow import actions, flows
from school_logistics.workflow.models import Workflow
from tests.browser.test_requisition_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.workflows]
MR = "Material Requisition"


@pytest.fixture(autouse=True)
def fresh_parsed_flows() -> Iterator[None]:
    """Forget parsed versions around each test: rolled-back ids come back with other flows."""
    flows._parsed.cache_clear()
    yield
    flows._parsed.cache_clear()


@pytest.fixture
def item(transactional_db: None, users: dict[str, User], departments: dict[str, Department]):
    chinese = departments["语文组"]
    chinese.head = users["head"]
    chinese.save()
    return services.create_document(
        "Item",
        {"item_code": "E-PRN", "item_name": "激光打印机", "category": "办公用品", "uom": "台"},
        actor=users["storekeeper"],
    )


def save(page: Any) -> None:
    """Save the flow and wait until the page it answers with has loaded, its script included:
    the next steps then act on that page, not on the one before it.

    The button is pressed from the keyboard: a mouse click, aimed at where the sticky save bar
    was, was sometimes lost on a busy machine right after a full-page screenshot (the tab's log
    showed no POST at all), once in about five runs of the browser tests under load. It waits
    for the editor's script to enable the button: pressed before, the form posted no flow.
    """
    page.wait_for_selector("#btn-save-flow:enabled")  # the editor's script has run
    page.focus("#btn-save-flow")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def request_for(user: User, amount: str, item: Document) -> Document:
    return services.create_document(
        MR,
        {
            "department": "语文组",
            "purpose": "教研组打印机",
            "items": [{"item": item.name, "qty": "1", "rate": amount}],
        },
        actor=user,
    )


def test_admin_lowers_the_principal_threshold_and_a_4000_request_reaches_the_principal(
    page: Any,
    phone: Any,
    live_server: Any,
    item: Document,
    users: dict[str, User],
    school: School,
    shot: Any,
) -> None:
    base = live_server.url
    before = request_for(users["teacher"], "4000", item)
    running = actions.start_approval(MR, before.name, actor=users["teacher"])
    assert {s["key"]: s["status"] for s in running.route}["principal"] == "skipped"

    sign_in(page, base, "admin")
    page.goto(f"{base}/app/approvals/")
    page.click("#link-flows")
    page.wait_for_selector("#flow-rows")
    shot(page, "flow-list-desktop")
    page.click("#flow-rows a:has-text('物资申购单')")
    principal = page.locator('.flow-step[data-key="principal"]')
    assert principal.locator(".rule-value").input_value() == "5000"
    assert "合计金额 大于等于 5000" in page.locator("#flow-diagram").inner_text()

    # A typo is refused in place and nothing is saved.
    principal.locator(".rule-value").fill("三千")
    save(page)
    page.wait_for_selector("#flow-errors")
    assert "第 3 步“校长审批”" in page.locator("#flow-errors").inner_text()
    assert page.locator('.flow-step.step-invalid[data-key="principal"]').count() == 1
    assert not Workflow.objects.filter(doctype=MR, school=school).exists()
    shot(page, "flow-editor-error-desktop")

    principal = page.locator('.flow-step[data-key="principal"]')
    principal.locator(".rule-value").fill("3000")
    page.fill("#try-amount", "4000")
    page.select_option("#try-department", "语文组")
    page.fill("#try-requester", "teacher")
    page.click("#btn-try")
    page.wait_for_selector("#try-route")
    tried = page.locator("#try-route").inner_text()
    assert "校长审批" in tried and "跳过" not in tried
    assert "草稿" in page.locator("#flow-diagram").inner_text()

    save(page)
    page.wait_for_selector(".desk-messages:has-text('已保存为第 1 版')")
    assert "合计金额 大于等于 3000" in page.locator("#flow-diagram").inner_text()
    assert "本校流程" in page.locator("#flow-status").inner_text()
    shot(page, "flow-editor-desktop")

    # The teacher's new 4,000-yuan request now shows the principal on its route.
    fresh = request_for(users["teacher"], "4000", item)
    sign_in(phone, base, "teacher")
    phone.goto(f"{base}/app/material-requisition/{fresh.name}")
    preview = phone.locator("#route-preview").inner_text()
    assert "校长审批" in preview and "跳过" not in preview.split("校长审批")[1][:10]
    process = actions.start_approval(MR, fresh.name, actor=users["teacher"])
    assert {s["key"]: s["status"] for s in process.route}["principal"] == "active"
    running.refresh_from_db()
    assert running.version != process.version  # the earlier request stays on its version

    # The editor works one-handed on a phone too.
    phone.context.clear_cookies()
    sign_in(phone, base, "admin")
    phone.goto(f"{base}/app/approvals/flows/material-requisition/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shot(phone, "flow-editor-phone", full_page=False)
    phone.locator("#try").scroll_into_view_if_needed()
    shot(phone, "flow-editor-phone-full")


def test_admin_adds_moves_and_removes_steps_and_the_saved_version_follows(
    page: Any, live_server: Any, item: Document, users: dict[str, User], school: School
) -> None:
    base = live_server.url
    sign_in(page, base, "admin")
    page.goto(f"{base}/app/approvals/flows/material-requisition/")

    page.click("#btn-add-step")
    key = page.locator(".flow-step").last.get_attribute("data-key")
    added = page.locator(f'.flow-step[data-key="{key}"]')  # a new key, unlike "last" after moves
    added.locator(".step-label").fill("财务复核")
    added.locator(".entry-type").select_option("user")
    added.locator('[data-for="user"]').fill("finance")
    added.locator("[data-act='add-rule']").click()
    added.locator(".rule-op").select_option(">")
    added.locator(".rule-value").fill("10000")
    added.locator("[data-act='add-cc']").click()
    added.locator(".ccs .entry-type").select_option("role")
    added.locator('.ccs [data-for="role"]').select_option("principal")
    added.locator(".step-overdue").select_option("escalate")
    added.locator(".step-escalate").select_option("principal")
    added.locator(".step-sla").fill("8")
    added.locator("[data-act='up']").click()  # before the principal now
    assert "第 3 步" in added.locator(".step-no").inner_text()
    page.locator('.flow-step[data-key="dept_head"] [data-act="remove-step"]').click()
    save(page)
    page.wait_for_selector(".desk-messages:has-text('已保存为第 1 版')")

    saved = Workflow.objects.get(doctype=MR, school=school).latest().definition
    assert [s["label"] for s in saved["steps"]] == ["总务处审核", "财务复核", "校长审批"]
    review = saved["steps"][1]
    assert review["approvers"] == [{"type": "user", "value": "finance"}]
    assert review["condition"] == {"all": [{"field": "grand_total", "op": ">", "value": "10000"}]}
    assert review["cc"] == [{"type": "role", "value": "principal"}]
    assert (review["sla_hours"], review["overdue"], review["escalate_to_role"]) == (
        8,
        "escalate",
        "principal",
    )
    assert saved["steps"][0]["escalate_to_role"] == "principal"  # untouched steps round-trip
    assert "财务复核" in page.locator("#flow-diagram").inner_text()


def test_admin_edits_the_repair_flows_edges_and_bad_graphs_are_refused(
    page: Any, live_server: Any, item: Document, users: dict[str, User], school: School, shot: Any
) -> None:
    base = live_server.url
    sign_in(page, base, "admin")
    page.goto(f"{base}/app/approvals/flows/repair-ticket/")
    confirm = page.locator('.flow-step[data-key="confirm"]')
    assert confirm.locator(".step-reject-label").input_value() == "重新报修"
    assert confirm.locator(".step-on-reject").input_value() == "repair_urgent"
    diagram = page.locator("#flow-diagram")
    assert "重新报修 → 第 3 步 维修（紧急）" in diagram.inner_text()
    assert page.locator("#flow-diagram svg.edges path.reject").count() == 2  # the line and its head

    # Approving 维修 back to 派工 would go round for ever: refused, naming the step.
    page.locator('.flow-step[data-key="repair"] .step-on-approve').select_option("dispatch")
    save(page)
    page.wait_for_selector("#flow-errors")
    assert "循环" in page.locator("#flow-errors").inner_text()
    assert not Workflow.objects.filter(doctype="Repair Ticket", school=school).exists()

    # A step that submits the ticket cannot send it back to an unsubmitted step.
    page.locator('.flow-step[data-key="repair"] .step-on-approve').select_option("")
    confirm = page.locator('.flow-step[data-key="confirm"]')
    confirm.locator(".step-submit").check()
    save(page)
    page.wait_for_selector("#flow-errors")
    errors = page.locator("#flow-errors").inner_text()
    assert "第 5 步“报修人确认”" in errors and "不能再转到未提交的步骤" in errors
    shot(page, "flow-editor-graph-error")

    confirm = page.locator('.flow-step[data-key="confirm"]')
    confirm.locator(".step-submit").uncheck()
    confirm.locator(".step-approve-label").fill("确认已修好")
    confirm.locator(".step-state").fill("待报修人确认")
    page.locator('.flow-step[data-key="dispatch"] .step-on-approve').select_option("repair")
    page.fill("#flow-approved-state", "已修复")
    save(page)
    page.wait_for_selector(".desk-messages:has-text('已保存为第 1 版')")

    saved = Workflow.objects.get(doctype="Repair Ticket", school=school).latest().definition
    assert saved["approved_state"] == "已修复"
    steps = {s["key"]: s for s in saved["steps"]}
    assert steps["dispatch"]["on_approve"] == "repair"
    assert "on_approve" not in steps["repair"]  # the default is left out
    assert (steps["confirm"]["approve_label"], steps["confirm"]["state"]) == (
        "确认已修好",
        "待报修人确认",
    )
    assert (steps["confirm"]["reject_label"], steps["confirm"]["on_reject"]) == (
        "重新报修",
        "repair_urgent",
    )
    assert steps["confirm"]["editable_fields"] == ["satisfaction", "confirmation_note"]  # kept
    text = page.locator("#flow-diagram").inner_text()
    assert "已修复" in text and "状态：待报修人确认" in text and "派工 → 第 4 步 维修" in text
    assert page.locator("#flow-diagram svg.edges path.jump").count() == 2
    shot(page, "flow-editor-graph")


def test_an_english_speaking_admin_is_refused_a_looping_flow_in_english(
    transactional_db: None,
    page: Any,
    live_server: Any,
    users: dict[str, User],
    school: School,
    shot: Any,
) -> None:
    admin = users["admin"]
    admin.language = "en"
    admin.save()
    sign_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/app/approvals/flows/material-requisition/")
    general = page.locator('.flow-step[data-key="general_affairs"]')
    general.locator(".step-on-approve").select_option("dept_head")
    save(page)
    page.wait_for_selector("#flow-errors")
    errors = page.locator("#flow-errors").inner_text()
    assert "Step 1 “部门负责人审批”: approving goes round in a loop" in errors
    assert "no way out" in errors and "第" not in errors
    assert page.locator('.flow-step.step-invalid[data-key="dept_head"]').count() == 1
    assert not Workflow.objects.filter(doctype=MR, school=school).exists()
    shot(page, "flow-editor-error-english")
