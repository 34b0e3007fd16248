"""Workflow fixtures: the demo-like school with department heads, and helpers to act on tasks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from school_logistics.core import controllers, services
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.workflow import actions
from school_logistics.workflow.models import ApprovalTask, TaskStatus, Workflow, WorkflowVersion
from tests.core.doctypes import LIFECYCLE, install_all
from tests.core.doctypes.hooks import RecordingController

pytestmark = pytest.mark.workflows


@pytest.fixture
def item(users: dict[str, User]) -> Document:
    return services.create_document(
        "Item",
        {"item_code": "P-A4", "item_name": "A4复印纸", "uom": "箱", "category": "办公用品"},
        actor=users["admin"],
    )


def requisition(user: User, amount: str, item: Document, **extra: Any) -> Document:
    """Create a draft requisition of one row worth `amount`."""
    return services.create_document(
        "Material Requisition",
        {
            "department": user.department.name if user.department else "",
            "purpose": "教学用纸",
            "items": [{"item": item.name, "qty": "1", "rate": amount}],
            **extra,
        },
        actor=user,
    )


def pending(document: Document, user: User) -> ApprovalTask:
    return ApprovalTask.objects.get(document=document, assignee=user, status=TaskStatus.PENDING)


def send_and_approve(document: Document, actor: User) -> None:
    """Submit a draft as its 提交 button does; under a flow, each pending approver agrees in
    turn until the run ends."""
    services.send_document(document.doctype, document.name, actor=actor)
    waiting = ApprovalTask.objects.filter(document=document, status=TaskStatus.PENDING)
    while task := waiting.order_by("pk").first():
        actions.approve(task.pk, actor=task.assignee)


def total(document: Document) -> Decimal:
    document.refresh_from_db()
    return document.grand_total or Decimal(0)


# A step that submits the document on entry: 验收 after 总务处审核, 整改 when it fails.
ACCEPTANCE = {
    "doctype": LIFECYCLE,
    "approved_state": "已验收",
    "steps": [
        {
            "key": "review",
            "label": "总务处审核",
            "approvers": [{"type": "role", "value": "purchaser"}],
        },
        {
            "key": "accept",
            "label": "验收",
            "state": "待验收",
            "docstatus": 1,
            "approvers": [{"type": "role", "value": "storekeeper"}],
            "editable_fields": ["progress_note"],
            "approve_label": "验收合格",
            "reject_label": "验收不合格",
            "on_approve": "end",
            "on_reject": "redo",
        },
        {
            "key": "redo",
            "label": "整改",
            "docstatus": 1,
            "approvers": [{"type": "role", "value": "purchaser"}],
            "on_approve": "accept",
            "on_reject": "accept",
        },
    ],
}


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> RecordingController:
    """The lifecycle test DocType on the acceptance flow, with a controller that counts hooks."""
    install_all()
    controller = RecordingController()
    monkeypatch.setitem(controllers._controllers, LIFECYCLE, controller)
    workflow = Workflow.objects.create(doctype=LIFECYCLE, label="验收流程")
    WorkflowVersion.objects.create(workflow=workflow, number=1, definition=ACCEPTANCE)
    return controller


@pytest.fixture
def accepting(users, recorder) -> Document:
    """A document past 总务处审核, now waiting for 验收 (so already submitted)."""
    doc = services.create_document(
        LIFECYCLE, {"subject": "采购投影仪", "amount": "3200"}, actor=users["teacher"]
    )
    actions.start_approval(LIFECYCLE, doc.name, actor=users["teacher"])
    assert Document.objects.get(pk=doc.pk).docstatus == DocStatus.DRAFT
    actions.approve(pending(doc, users["purchaser"]).pk, actor=users["purchaser"])
    return Document.objects.get(pk=doc.pk)
