"""Approvals and printing through Frappe's method names: the same rules as the desk."""

from __future__ import annotations

import pytest

from school_logistics.core.models.document import DocStatus
from school_logistics.workflow.models import ApprovalTask, TaskStatus
from tests.api.conftest import REQ, make_requisition, server_messages

pytestmark = [pytest.mark.workflows, pytest.mark.usefixtures("heads", "items")]
M = "/api/method/"


def transitions(client, doc) -> list[str]:
    reply = client.post(
        M + "frappe.model.workflow.get_transitions", {"doc": {"doctype": REQ, "name": doc.name}}
    )
    assert reply.status_code == 200
    return [t["action_code"] for t in reply.json()["message"]]


def apply(client, doc, action, **extra):
    return client.post(
        M + "frappe.model.workflow.apply_workflow",
        {"doc": {"doctype": REQ, "name": doc.name}, "action": action, **extra},
    )


def test_requisition_runs_through_apply_workflow(api, users):
    doc = make_requisition(users["teacher"], rate="600")  # 6,000: the principal too
    assert transitions(api("teacher"), doc) == ["start"]
    reply = apply(api("teacher"), doc, "Submit")
    assert reply.json()["message"]["workflow_state"] == "部门负责人审批"
    assert transitions(api("teacher"), doc) == ["withdraw"]
    assert transitions(api("head"), doc) == ["approve", "reject", "return"]
    apply(api("head"), doc, "Approve", comment="同意")
    assert transitions(api("teacher"), doc) == []  # approved once: no longer withdrawable
    apply(api("purchaser"), doc, "同意")
    reply = apply(api("principal"), doc, "approve")
    message = reply.json()["message"]
    assert message["docstatus"] == DocStatus.SUBMITTED and message["workflow_state"] == "已通过"
    trail = api("teacher").get(M + "school_logistics.approvals.trail", doctype=REQ, name=doc.name)
    assert [e["action"] for e in trail.json()["message"]] == ["提交", "同意", "同意", "同意"]


def test_acting_without_a_task_is_refused_and_changes_nothing(api, users):
    doc = make_requisition(users["teacher"])
    apply(api("teacher"), doc, "Submit")
    reply = apply(api("purchaser"), doc, "Approve")
    assert reply.status_code == 403
    assert ApprovalTask.objects.filter(document=doc, status=TaskStatus.PENDING).count() == 1


def test_reject_without_reason_is_a_validation_error(api, users):
    doc = make_requisition(users["teacher"])
    apply(api("teacher"), doc, "Submit")
    reply = apply(api("head"), doc, "Reject")
    assert reply.status_code == 417
    assert any("理由" in m for m in server_messages(reply))
    assert apply(api("head"), doc, "Reject", comment="预算不足").status_code == 200


def test_unknown_action_and_unknown_document(api, users, outsider_api):
    doc = make_requisition(users["teacher"])
    assert apply(api("teacher"), doc, "launch").status_code == 417
    assert apply(outsider_api, doc, "Submit").status_code == 404


def test_inbox_counts_and_rows_for_the_approver(api, users):
    doc = make_requisition(users["teacher"])
    apply(api("teacher"), doc, "Submit")
    reply = api("head").get(M + "school_logistics.approvals.inbox", tab="todo")
    message = reply.json()["message"]
    assert message["counts"]["todo"] == 1
    [row] = message["rows"]
    assert row["name"] == doc.name and row["step"] == "部门负责人审批"


def test_inbox_pages_like_a_frappe_list(api, users):
    docs = [make_requisition(users["teacher"]) for _ in range(3)]
    for doc in docs:
        apply(api("teacher"), doc, "Submit")
    head = api("head")

    def names(**paging):
        reply = head.get(M + "school_logistics.approvals.inbox", tab="todo", **paging)
        assert reply.status_code == 200, reply.content
        return [r["name"] for r in reply.json()["message"]["rows"]]

    everything = names()
    assert sorted(everything) == sorted(d.name for d in docs)
    assert (
        names(limit_page_length="2") + names(limit_start="2", limit_page_length="2") == everything
    )
    for bad in ({"limit_start": "x"}, {"limit_page_length": "0"}, {"limit_page_length": "201"}):
        reply = head.get(M + "school_logistics.approvals.inbox", tab="todo", **bad)
        assert reply.status_code == 417 and "limit_" in reply.json()["exception"]


def test_transfer_and_urge_through_the_api(api, users):
    doc = make_requisition(users["teacher"])
    apply(api("teacher"), doc, "Submit")
    reply = api("head").post(
        M + "school_logistics.approvals.transfer",
        {"doctype": REQ, "name": doc.name, "user": "colleague"},
    )
    assert reply.status_code == 200
    assert (
        ApprovalTask.objects.get(document=doc, status=TaskStatus.PENDING).assignee
        == users["colleague"]
    )
    assert (
        api("teacher")
        .post(M + "school_logistics.approvals.urge", {"doctype": REQ, "name": doc.name})
        .status_code
        == 200
    )


def test_download_pdf_gives_the_voucher(api, users):
    doc = make_requisition(users["teacher"])
    reply = api("teacher").get(
        M + "frappe.utils.print_format.download_pdf", doctype=REQ, name=doc.name
    )
    assert reply.status_code == 200
    assert reply["Content-Type"] == "application/pdf"
    assert reply.content.startswith(b"%PDF")
    assert (
        api("colleague")
        .get(M + "frappe.utils.print_format.download_pdf", doctype=REQ, name=doc.name)
        .status_code
        == 404
    )


def test_a_steps_own_verbs_are_its_transitions_and_are_accepted(api, users):
    from tests.workflow.test_graph import JUMP_FLOW
    from tests.workflow.test_modes import use_flow

    def offered(client) -> dict[str, str]:
        reply = client.post(
            M + "frappe.model.workflow.get_transitions", {"doc": {"doctype": REQ, "name": doc.name}}
        )
        return {t["action_code"]: t["action"] for t in reply.json()["message"]}

    use_flow(*JUMP_FLOW["steps"])
    doc = make_requisition(users["teacher"])
    apply(api("teacher"), doc, "Submit")
    assert offered(api("purchaser")) == {"approve": "派单", "reject": "拒绝", "return": "退回"}
    reply = apply(api("purchaser"), doc, "派单")
    assert reply.json()["message"]["workflow_state"] == "校长审批"
    assert offered(api("principal"))["reject"] == "打回整改"
    reply = apply(api("principal"), doc, "打回整改", comment="请补充报价")
    assert reply.json()["message"]["workflow_state"] == "整改"


def test_approve_saves_the_fields_the_step_asks_for_from_the_doc_given(api, users):
    """Frappe's apply_workflow saves the doc it is sent; here, the fields the step asks for."""
    from tests.workflow.test_modes import step, use_flow

    use_flow(step("总务处核价", "any", editable_fields=["budget_line"]))
    doc = make_requisition(users["teacher"])
    apply(api("teacher"), doc, "Submit")
    given = {"doctype": REQ, "name": doc.name, "budget_line": "教务处 教学设备"}
    refused = api("purchaser").post(
        M + "frappe.model.workflow.apply_workflow",
        {"doc": {**given, "budget_line": "x" * 200}, "action": "Approve"},
    )
    assert refused.status_code == 417  # too long: neither saved nor approved
    assert ApprovalTask.objects.get(document=doc).status == TaskStatus.PENDING
    reply = api("purchaser").post(
        M + "frappe.model.workflow.apply_workflow", {"doc": given, "action": "Approve"}
    )
    assert reply.status_code == 200
    assert reply.json()["message"]["budget_line"] == "教务处 教学设备"
    assert ApprovalTask.objects.get(document=doc).status == TaskStatus.APPROVED


def test_submit_saves_the_doc_given_and_approve_refuses_what_the_step_does_not_ask(api, users):
    from tests.workflow.test_modes import step, use_flow

    use_flow(step("总务处核价", "any", editable_fields=["budget_line"]))
    doc = make_requisition(users["teacher"])
    given = {"doctype": REQ, "name": doc.name, "purpose": "期末考试用纸"}
    reply = api("teacher").post(
        M + "frappe.model.workflow.apply_workflow", {"doc": given, "action": "Submit"}
    )
    assert reply.json()["message"]["purpose"] == "期末考试用纸"
    assert reply.json()["message"]["workflow_state"] == "总务处核价"
    echoed = api("purchaser").get(f"/api/resource/{REQ}/{doc.name}").json()["data"]
    reply = api("purchaser").post(
        M + "frappe.model.workflow.apply_workflow",
        {"doc": {**echoed, "purpose": "改成别的", "budget_line": "办公"}, "action": "Approve"},
    )
    assert reply.status_code in (409, 417)
    assert any("不能修改" in m for m in server_messages(reply))
    doc.refresh_from_db()
    assert (doc.data["purpose"], doc.data.get("budget_line")) == ("期末考试用纸", None)
    assert ApprovalTask.objects.get(document=doc).status == TaskStatus.PENDING
    # The whole document echoed back unchanged, with the step's field filled in: approved.
    reply = api("purchaser").post(
        M + "frappe.model.workflow.apply_workflow",
        {"doc": {**echoed, "budget_line": "办公"}, "action": "Approve"},
    )
    assert reply.status_code == 200, server_messages(reply)
    assert ApprovalTask.objects.get(document=doc).status == TaskStatus.APPROVED
