"""Countersign (会签), any-one (或签), sequential (依次), CC by role, and auto-approve when overdue."""

from __future__ import annotations

import pytest

from school_logistics.core.models import Role
from school_logistics.core.models.document import DocStatus
from school_logistics.workflow import actions
from school_logistics.workflow.models import (
    ApprovalLog,
    ApprovalTask,
    TaskStatus,
    Workflow,
    WorkflowVersion,
)
from school_logistics.workflow.sweep import sweep_overdue_tasks
from school_logistics.workflow.trail import approval_trail
from tests.workflow.conftest import pending, requisition

pytestmark = [pytest.mark.workflows, pytest.mark.usefixtures("heads")]
MR = "Material Requisition"


@pytest.fixture
def committee(users):
    """Two purchasers: the 总务处 step then has two possible approvers."""
    users["storekeeper"].roles.add(Role.objects.get(code="purchaser"))
    return users


def use_flow(*steps, **flow):
    """Make the requisition flow a new version with these steps (documents started later use it)."""
    workflow = Workflow.objects.get(doctype=MR, school=None)
    number = workflow.latest().number + 1
    WorkflowVersion.objects.create(
        workflow=workflow, number=number, definition={"doctype": MR, "steps": list(steps), **flow}
    )


def step(key, mode, **extra):
    return {
        "key": key,
        "label": key,
        "approvers": [{"type": "role", "value": "purchaser"}],
        "mode": mode,
        **extra,
    }


def open_tasks(doc):
    return {
        t.assignee.username: t
        for t in ApprovalTask.objects.filter(document=doc, status=TaskStatus.PENDING)
    }


def test_countersign_needs_everyone(committee, item):
    use_flow(step("board", "all"))
    doc = requisition(committee["teacher"], "100", item)
    actions.start_approval(MR, doc.name, actor=committee["teacher"])
    assert set(open_tasks(doc)) == {"purchaser", "storekeeper"}
    actions.approve(open_tasks(doc)["purchaser"].pk, actor=committee["purchaser"])
    doc.refresh_from_db()
    assert doc.docstatus == DocStatus.DRAFT  # still waiting for the second
    actions.approve(open_tasks(doc)["storekeeper"].pk, actor=committee["storekeeper"])
    doc.refresh_from_db()
    assert doc.docstatus == DocStatus.SUBMITTED


def test_countersign_one_rejection_rejects(committee, item):
    use_flow(step("board", "all"))
    doc = requisition(committee["teacher"], "100", item)
    actions.start_approval(MR, doc.name, actor=committee["teacher"])
    actions.approve(open_tasks(doc)["purchaser"].pk, actor=committee["purchaser"])
    actions.reject(
        open_tasks(doc)["storekeeper"].pk, actor=committee["storekeeper"], comment="不需要"
    )
    doc.refresh_from_db()
    assert doc.workflow_state == "已拒绝"
    assert not open_tasks(doc)


def test_any_one_closes_the_others_tasks(committee, item):
    use_flow(step("board", "any"))
    doc = requisition(committee["teacher"], "100", item)
    actions.start_approval(MR, doc.name, actor=committee["teacher"])
    tasks = open_tasks(doc)
    actions.approve(tasks["storekeeper"].pk, actor=committee["storekeeper"])
    tasks["purchaser"].refresh_from_db()
    assert tasks["purchaser"].status == TaskStatus.CLOSED
    doc.refresh_from_db()
    assert doc.docstatus == DocStatus.SUBMITTED


def test_sequential_asks_one_after_another(committee, item):
    use_flow(step("board", "sequential"))
    doc = requisition(committee["teacher"], "100", item)
    actions.start_approval(MR, doc.name, actor=committee["teacher"])
    assert set(open_tasks(doc)) == {"purchaser"}  # the first by role order; the second waits
    waiting = ApprovalTask.objects.get(document=doc, status=TaskStatus.WAITING)
    assert waiting.assignee == committee["storekeeper"]
    actions.approve(open_tasks(doc)["purchaser"].pk, actor=committee["purchaser"])
    assert set(open_tasks(doc)) == {"storekeeper"}
    actions.approve(open_tasks(doc)["storekeeper"].pk, actor=committee["storekeeper"])
    doc.refresh_from_db()
    assert doc.docstatus == DocStatus.SUBMITTED


def test_condition_on_department_routes_the_canteen_elsewhere(users, item, departments):
    use_flow(
        step(
            "canteen_check",
            "any",
            condition={"all": [{"field": "department", "op": "==", "value": "食堂"}]},
        ),
        {"key": "head", "label": "部门负责人审批", "approvers": [{"type": "department_head"}]},
    )
    doc = requisition(users["teacher"], "100", item)  # 语文组: the canteen step is skipped
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    assert set(open_tasks(doc)) == {"head"}
    assert ApprovalLog.objects.filter(document=doc, action="skip", step="canteen_check").exists()


def test_overdue_step_may_approve_itself_when_the_admin_allows(users, item):
    use_flow(
        {
            "key": "head",
            "label": "部门负责人审批",
            "approvers": [{"type": "department_head"}],
            "sla_hours": 8,
            "overdue": "auto_approve",
        }
    )
    doc = requisition(users["teacher"], "100", item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    task = pending(doc, users["head"])
    sweep_overdue_tasks(task.due_at.replace(year=task.due_at.year + 1))
    doc.refresh_from_db()
    assert doc.docstatus == DocStatus.SUBMITTED
    assert ApprovalLog.objects.filter(document=doc, action="timeout_approve").exists()
    assert [e.action for e in approval_trail(doc)][-1] == "超时自动同意"


def test_auto_approve_that_cannot_pass_reminds_instead(users, item):
    """A step whose own fields are empty cannot approve itself: the sweep reminds and says why."""
    use_flow(
        {
            "key": "head",
            "label": "部门负责人审批",
            "approvers": [{"type": "department_head"}],
            "sla_hours": 8,
            "overdue": "auto_approve",
            "editable_fields": ["budget_line"],
            "required_fields": ["budget_line"],
        }
    )
    doc = requisition(users["teacher"], "100", item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    task = pending(doc, users["head"])
    assert sweep_overdue_tasks(task.due_at.replace(year=task.due_at.year + 1)) == 1
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING
    assert "无法自动同意" in ApprovalLog.objects.get(document=doc, action="remind").comment
