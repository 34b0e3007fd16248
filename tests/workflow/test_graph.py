"""Flows as graphs: named edges on approve and reject, steps that submit, and bad graphs refused."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from school_logistics.core import services
from school_logistics.core.models import Document, Version
from school_logistics.core.models.document import DocStatus
from school_logistics.core.services import DocumentStateError
from school_logistics.core.validation import DocumentValidationError
from school_logistics.workflow import actions, requester
from school_logistics.workflow.definition import FlowError, parse_flow
from school_logistics.workflow.models import (
    ApprovalLog,
    ApprovalTask,
    ProcessStatus,
    TaskStatus,
)
from school_logistics.workflow.routing import plan_route
from school_logistics.workflow.trail import approval_trail
from tests.core.doctypes import LIFECYCLE
from tests.workflow.conftest import pending, requisition
from tests.workflow.test_modes import use_flow

pytestmark = [pytest.mark.workflows, pytest.mark.usefixtures("heads")]
MR = "Material Requisition"
FIELDS = {"grand_total", "amount", "progress_note"}


def s(key: str, **extra: Any) -> dict[str, Any]:
    return {
        "key": key,
        "label": key.upper(),
        "approvers": [{"type": "role", "value": "x"}],
        **extra,
    }


def refused(*steps: dict[str, Any], on_submit: frozenset[str] | None = None, **flow: Any) -> str:
    with pytest.raises(FlowError) as exc:
        parse_flow({"steps": list(steps), **flow}, FIELDS, set(), on_submit_fields=on_submit)
    return str(exc.value)


BIG = {"all": [{"field": "grand_total", "op": ">=", "value": "5000"}]}


# --- bad graphs are refused with a message naming the step -------------------------------------


def test_edge_to_an_unknown_step_is_refused():
    assert refused(s("a", on_approve="nowhere")) == "第 1 步“A”：同意后转到的步骤“nowhere”不存在"
    assert refused(s("a", on_reject="gone")) == "第 1 步“A”：拒绝后转到的步骤“gone”不存在"


def test_step_nothing_leads_to_is_refused():
    message = refused(s("a", on_approve="end"), s("b"))
    assert message.startswith("第 2 步“B”：从流程开始无法到达这一步")


def test_step_after_a_conditional_one_is_reachable_because_it_may_be_skipped():
    flow = parse_flow(
        {"steps": [s("a", on_approve="b"), s("b", condition=BIG), s("c")]},
        FIELDS,
        set(),
    )
    assert [st.key for st in flow.steps] == ["a", "b", "c"]


def test_loop_with_no_exit_is_refused():
    message = refused(s("a"), s("b", on_approve="a"))
    assert "循环" in message and "A → B → A" in message and "到不了结束" in message


def test_submitted_step_cannot_end_in_rejection():
    message = refused(s("a", docstatus=1))
    assert message.startswith("第 1 步“A”：单据在此步已提交，拒绝不能结束流程")


def test_submitted_step_cannot_lead_back_to_a_draft_step():
    message = refused(s("a"), s("b", docstatus=1, on_reject="a"))
    assert message == "第 2 步“B”：单据在此步已提交，不能再转到未提交的步骤“A”"
    message = refused(s("a", docstatus=1, on_reject="b"), s("b"))
    assert message == "第 1 步“A”：单据在此步已提交，不能再转到未提交的步骤“B”"


def test_submitted_step_may_only_edit_fields_allowed_after_submit():
    step = s("a", docstatus=1, on_reject="b", editable_fields=["amount", "progress_note"])
    message = refused(step, s("b", docstatus=1), on_submit=frozenset({"progress_note"}))
    assert "提交后不允许修改" in message and "amount" in message and "progress_note" not in message


def test_rejection_that_could_skip_to_the_end_is_refused():
    message = refused(s("a", on_reject="b"), s("b", condition=BIG))
    assert message.startswith("第 1 步“A”：拒绝后转到的步骤可能都因条件不满足而跳过")


def test_step_state_cannot_pose_as_a_closed_state():
    assert "已拒绝" in refused(s("a", state="已拒绝"))


# --- route planning follows the edges ----------------------------------------------------------

JUMP_FLOW = {
    "steps": [
        {
            "key": "check",
            "label": "总务处审核",
            "approvers": [{"type": "role", "value": "purchaser"}],
            "approve_label": "派单",
            "on_approve": "principal",
        },
        {
            "key": "rework",
            "label": "整改",
            "approvers": [{"type": "role", "value": "storekeeper"}],
            "on_approve": "principal",
        },
        {
            "key": "principal",
            "label": "校长审批",
            "approvers": [{"type": "role", "value": "principal"}],
            "reject_label": "打回整改",
            "on_reject": "rework",
        },
    ]
}


def test_route_follows_approve_edges_and_lists_reject_only_steps_last(users):
    flow = parse_flow(JUMP_FLOW, FIELDS, set())
    plan = plan_route(
        flow,
        {"grand_total": Decimal("100")},
        requester=users["teacher"],
        school=users["teacher"].school,
        department=users["teacher"].department,
    )
    assert [(p.step.key, p.status) for p in plan] == [
        ("check", "active"),
        ("principal", "active"),
        ("rework", "off"),
    ]
    assert plan[2].approvers == [users["storekeeper"]]


# --- the engine follows the edges --------------------------------------------------------------


def trail_of(doc: Document) -> list[tuple[str, str, str]]:
    return [(e.step, e.action, e.comment) for e in approval_trail(doc)]


def test_approve_jumps_to_the_named_step_and_reject_reroutes(users, item):
    use_flow(*JUMP_FLOW["steps"])
    doc = requisition(users["teacher"], "100", item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    actions.approve(pending(doc, users["purchaser"]).pk, actor=users["purchaser"])
    doc.refresh_from_db()
    assert doc.workflow_state == "校长审批"
    assert not ApprovalTask.objects.filter(document=doc, step="rework").exists()

    task = pending(doc, users["principal"])
    with pytest.raises(DocumentValidationError):
        actions.reject(task.pk, actor=users["principal"], comment="")
    process = actions.reject(task.pk, actor=users["principal"], comment="预算依据不足")
    doc.refresh_from_db()
    assert process.status == ProcessStatus.RUNNING
    assert (doc.workflow_state, doc.docstatus) == ("整改", DocStatus.DRAFT)
    assert pending(doc, users["storekeeper"]).step == "rework"

    actions.approve(pending(doc, users["storekeeper"]).pk, actor=users["storekeeper"])
    process = actions.approve(pending(doc, users["principal"]).pk, actor=users["principal"])
    doc.refresh_from_db()
    assert process.status == ProcessStatus.APPROVED
    assert (doc.workflow_state, doc.docstatus) == ("已通过", DocStatus.SUBMITTED)
    assert trail_of(doc)[1:] == [
        ("总务处审核", "派单", ""),
        ("校长审批", "打回整改", "预算依据不足"),
        ("整改", "同意", ""),
        ("校长审批", "同意", ""),
    ]


def route_states(client, doc: Document) -> dict[str, str]:
    """Return each step's state on the document's route diagram, as the page draws it."""
    page = client.get(f"/app/material-requisition/{doc.name}").content.decode()
    route = page[page.index('aria-label="审批路线"') :]
    route = route[: route.index("</ol>")]
    found = re.findall(
        r'<li class="state-([a-z]+)">.*?<div class="step-label">([^<·]+)', route, re.S
    )
    return {label.strip(): state for state, label in found}


def test_a_step_that_sent_the_document_back_shows_pending_again_until_reached(client, users, item):
    use_flow(*JUMP_FLOW["steps"])
    doc = requisition(users["teacher"], "100", item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    actions.approve(pending(doc, users["purchaser"]).pk, actor=users["purchaser"])
    client.force_login(users["teacher"])
    assert route_states(client, doc) == {"总务处审核": "done", "校长审批": "current"}

    actions.reject(pending(doc, users["principal"]).pk, actor=users["principal"], comment="补充")
    assert route_states(client, doc) == {
        "总务处审核": "done",
        "校长审批": "todo",  # it comes back here once 整改 is done: not green
        "整改": "current",
    }
    actions.approve(pending(doc, users["storekeeper"]).pk, actor=users["storekeeper"])
    assert route_states(client, doc) == {
        "总务处审核": "done",
        "校长审批": "current",
        "整改": "done",
    }
    actions.approve(pending(doc, users["principal"]).pk, actor=users["principal"])
    assert set(route_states(client, doc).values()) == {"done"}


def test_steps_after_an_earlier_step_returned_to_show_pending_again(client, users, item):
    doc = requisition(users["teacher"], "100", item)  # 部门负责人审批 → 总务处审核
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    actions.approve(pending(doc, users["head"]).pk, actor=users["head"])
    task = pending(doc, users["purchaser"])
    actions.return_for_revision(
        task.pk, actor=users["purchaser"], comment="请部门再确认", to_step="dept_head"
    )
    client.force_login(users["teacher"])
    states = route_states(client, doc)
    assert (states["部门负责人审批"], states["总务处审核"]) == ("current", "todo")


def test_approve_to_end_finishes_early_in_the_flows_own_final_state(users, item):
    check, rework = JUMP_FLOW["steps"][:2]
    use_flow(
        {**check, "on_approve": "end", "on_reject": "rework"},
        {**rework, "on_approve": "end"},
        approved_state="已批准",
    )
    doc = requisition(users["teacher"], "9000", item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    process = actions.approve(pending(doc, users["purchaser"]).pk, actor=users["purchaser"])
    doc.refresh_from_db()
    assert process.status == ProcessStatus.APPROVED
    assert (doc.workflow_state, doc.docstatus) == ("已批准", DocStatus.SUBMITTED)
    assert ApprovalTask.objects.filter(document=doc).count() == 1


def test_inbox_row_and_document_show_the_steps_own_verbs(client, users, item):
    use_flow(*JUMP_FLOW["steps"])
    doc = requisition(users["teacher"], "100", item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    client.force_login(users["purchaser"])
    assert ">派单</button>" in client.get("/app/approvals/").content.decode()
    page = client.get(f"/app/material-requisition/{doc.name}").content.decode()
    assert "派单</button>" in page


# --- a step that submits the document on entry (验收 after approval) ---------------------------


def submits(doc: Document) -> int:
    return Version.objects.filter(document=doc, action="submit").count()


def test_entering_a_submitting_step_submits_once(users, recorder, accepting):
    assert (accepting.docstatus, accepting.workflow_state) == (DocStatus.SUBMITTED, "待验收")
    assert recorder.hooks().count("on_submit") == 1
    assert submits(accepting) == 1
    task = pending(accepting, users["storekeeper"])
    assert task.step == "accept"
    process = actions.approve(task.pk, actor=users["storekeeper"], comment="到货齐全")
    doc = Document.objects.get(pk=accepting.pk)
    assert process.status == ProcessStatus.APPROVED
    assert (doc.docstatus, doc.workflow_state) == (DocStatus.SUBMITTED, "已验收")
    assert recorder.hooks().count("on_submit") == 1 and submits(doc) == 1
    assert trail_of(doc)[-1] == ("验收", "验收合格", "到货齐全")


def test_submitted_step_edits_only_fields_allowed_after_submit(users, accepting):
    keeper = users["storekeeper"]
    services.save_document(LIFECYCLE, accepting.name, {"progress_note": "已到货"}, actor=keeper)
    before = Document.objects.get(pk=accepting.pk).data
    with pytest.raises(DocumentStateError):
        services.save_document(LIFECYCLE, accepting.name, {"amount": "1"}, actor=keeper)
    with pytest.raises(DocumentStateError):
        services.save_document(LIFECYCLE, accepting.name, {"amount": "1"}, actor=users["teacher"])
    after = Document.objects.get(pk=accepting.pk).data
    assert after == before and after["progress_note"] == "已到货"


def test_submitted_document_cannot_be_withdrawn_or_returned_to_its_requester(users, accepting):
    with pytest.raises(DocumentStateError, match="已提交"):
        requester.withdraw(LIFECYCLE, accepting.name, actor=users["teacher"])
    task = pending(accepting, users["storekeeper"])
    with pytest.raises(DocumentStateError, match="不能退回给申请人"):
        actions.return_for_revision(task.pk, actor=users["storekeeper"], comment="不对")
    with pytest.raises(DocumentStateError, match="之前的审批步骤"):
        actions.return_for_revision(
            task.pk, actor=users["storekeeper"], comment="不对", to_step="review"
        )
    assert pending(accepting, users["storekeeper"]).pk == task.pk
    assert not ApprovalLog.objects.filter(document=accepting, action__in=["withdraw", "return"])
    assert Document.objects.get(pk=accepting.pk).docstatus == DocStatus.SUBMITTED


def test_failed_acceptance_goes_to_rework_and_back_without_resubmitting(users, recorder, accepting):
    actions.reject(
        pending(accepting, users["storekeeper"]).pk,
        actor=users["storekeeper"],
        comment="镜头有划痕",
    )
    doc = Document.objects.get(pk=accepting.pk)
    assert (doc.docstatus, doc.workflow_state) == (DocStatus.SUBMITTED, "整改")
    actions.approve(pending(doc, users["purchaser"]).pk, actor=users["purchaser"])
    assert pending(doc, users["storekeeper"]).step == "accept"
    assert Document.objects.get(pk=doc.pk).workflow_state == "待验收"
    assert recorder.hooks().count("on_submit") == 1 and submits(doc) == 1
    assert ("验收", "验收不合格", "镜头有划痕") in trail_of(doc)
    assert ApprovalTask.objects.get(document=doc, step="accept", status=TaskStatus.REJECTED)


def test_lists_and_the_form_show_the_step_a_submitted_document_waits_at(client, users, accepting):
    """Submitted on entering 验收, it is still in approval; once done it shows its final state."""
    waiting = '<span class="status-badge status-in-approval">审批中：待验收</span>'
    client.force_login(users["teacher"])
    form = f"/app/engine-lifecycle-test/{accepting.name}"
    assert waiting in client.get("/app/engine-lifecycle-test/").content.decode()
    assert waiting in client.get("/app/").content.decode()  # recent documents
    page = client.get(form).content.decode()
    assert 'status-in-approval" id="doc-status">审批中：待验收</span>' in page

    actions.approve(pending(accepting, users["storekeeper"]).pk, actor=users["storekeeper"])
    done = '<span class="status-badge status-submitted">已验收</span>'
    assert done in client.get("/app/engine-lifecycle-test/").content.decode()
    page = client.get(form).content.decode()
    assert 'status-submitted" id="doc-status">已验收</span>' in page
    assert "审批中：" not in page


def test_a_step_may_open_only_some_cells_of_a_table_and_after_submit_only_those_allowed():
    from school_logistics.workflow.flows import on_submit_fields, table_fields

    order = "Student Supply Order"
    assert {"students", "students.consent", "students.issued"} <= table_fields(order)
    assert "students.quantity" not in table_fields(order)  # worked out, never typed
    # Once closed only 已缴费 may change, so a step after submission may open that cell alone.
    assert {"students.paid"} == {f for f in on_submit_fields(order) if f.startswith("students")}
    assert "students.bogus" not in table_fields(order)


# --- a step that allows no rejection -----------------------------------------------------------


def test_a_step_without_reject_has_no_reject_edge_to_check():
    flow = parse_flow({"steps": [s("a", allow_reject=False), s("b")]}, FIELDS, set())
    assert [st.allow_reject for st in flow.steps] == [False, True]
    # A submitted step needs somewhere for a rejection to go, unless it allows none.
    flow = parse_flow({"steps": [s("a", docstatus=1, allow_reject=False)]}, FIELDS, set())
    assert flow.steps[0].allow_reject is False


@pytest.mark.parametrize("what", [{"reject_label": "退回派工"}, {"on_reject": "a"}])
def test_a_step_without_reject_refuses_a_reject_button_or_target(what):
    message = refused(s("a"), s("b", allow_reject=False, **what))
    assert message == "第 2 步“B”：此步不允许拒绝，不能设置拒绝按钮名称或拒绝后转到的步骤"
