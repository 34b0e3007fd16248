"""Cancelling a document that waits at a step that submitted it ends its approval run.

No action of the flow can take such a document out (it is neither withdrawn nor returned to its
requester, and its rejections lead to other submitted steps), so the cancel right ends the run:
a trail line, the inbox emptied, the requester and the waiting approvers told; the desk, the API
and the service behave alike.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus
from school_logistics.core.services import DocumentStateError
from school_logistics.notify.models import Notification
from school_logistics.workflow import actions
from school_logistics.workflow.models import (
    ApprovalLog,
    ApprovalProcess,
    ApprovalTask,
    ProcessStatus,
    TaskStatus,
)
from tests.api.conftest import ApiClient
from tests.core.doctypes import LIFECYCLE
from tests.workflow.conftest import pending, requisition
from tests.workflow.test_graph import trail_of
from tests.workflow.test_modes import use_flow

pytestmark = [pytest.mark.workflows, pytest.mark.usefixtures("heads")]


def run_of(doc: Document) -> ApprovalProcess:
    return ApprovalProcess.objects.get(document=doc, is_current=True)


def assert_closed_by_cancel(doc: Document, users, recorder) -> None:
    doc = Document.objects.get(pk=doc.pk)
    process = run_of(doc)
    assert doc.docstatus == DocStatus.CANCELLED
    assert (process.status, process.current_step) == (ProcessStatus.CANCELLED, "")
    assert not ApprovalTask.objects.filter(
        document=doc, status__in=[TaskStatus.PENDING, TaskStatus.WAITING]
    ).exists()
    assert trail_of(doc)[-1] == ("验收", "作废", "")
    assert ApprovalLog.objects.get(document=doc, action="cancel").actor == users["teacher"]
    assert recorder.hooks().count("on_cancel") == 1
    told = Notification.objects.filter(document=doc, event="cancelled")
    # The approver whose task went away is told; the requester cancelled it themself.
    assert {n.user.username for n in told} == {"storekeeper"}
    assert "已作废" in told.get().subject


def test_cancelling_mid_flow_closes_the_run_and_approving_is_then_refused(
    users, recorder, accepting
):
    task = ApprovalTask.objects.get(document=accepting, status=TaskStatus.PENDING)
    services.cancel_document(LIFECYCLE, accepting.name, actor=users["teacher"])
    assert_closed_by_cancel(accepting, users, recorder)

    logs = ApprovalLog.objects.filter(document=accepting).count()
    with pytest.raises(DocumentStateError, match="单据已作废"):
        actions.approve(task.pk, actor=users["storekeeper"], comment="合格")
    assert ApprovalLog.objects.filter(document=accepting).count() == logs
    assert run_of(accepting).status == ProcessStatus.CANCELLED
    assert not ApprovalTask.objects.filter(assignee=users["storekeeper"], status="pending")


def test_cancelling_from_the_desk_closes_the_run(users, recorder, accepting):
    client = Client()
    client.force_login(users["teacher"])
    url = f"/app/engine-lifecycle-test/{accepting.name}"
    response = client.post(f"{url}/cancel")
    assert response.status_code == 302
    assert_closed_by_cancel(accepting, users, recorder)
    client.force_login(users["storekeeper"])
    page = client.get(url).content.decode()
    assert 'id="btn-approve"' not in page
    assert '<span class="status-badge status-cancelled" id="approval-status">已作废</span>' in page


def test_cancelling_through_the_api_closes_the_run(users, recorder, accepting):
    reply = ApiClient(users["teacher"]).post(
        "/api/method/frappe.client.cancel", {"doctype": LIFECYCLE, "name": accepting.name}
    )
    assert reply.status_code == 200, reply.content
    assert reply.json()["message"]["docstatus"] == DocStatus.CANCELLED
    assert_closed_by_cancel(accepting, users, recorder)


def test_an_approver_without_the_cancel_right_cannot_cancel_and_nothing_changes(
    users, recorder, accepting
):
    with pytest.raises(PermissionDenied):
        services.cancel_document(LIFECYCLE, accepting.name, actor=users["storekeeper"])
    doc = Document.objects.get(pk=accepting.pk)
    assert (doc.docstatus, doc.workflow_state) == (DocStatus.SUBMITTED, "待验收")
    assert run_of(doc).status == ProcessStatus.RUNNING
    assert ApprovalTask.objects.get(document=doc, status=TaskStatus.PENDING).step == "accept"
    assert not ApprovalLog.objects.filter(document=doc, action="cancel").exists()


def test_cancelling_an_approved_document_tells_everyone_who_signed_it(users, recorder, accepting):
    """The run stays 已通过, the trail says who cancelled it, and the approvers hear of it:
    what they signed for (a refund, a claim) is taken back."""
    purchaser = ApprovalTask.objects.get(document=accepting, status=TaskStatus.APPROVED).assignee
    task = ApprovalTask.objects.get(document=accepting, status=TaskStatus.PENDING)
    actions.approve(task.pk, actor=users["storekeeper"])
    services.cancel_document(LIFECYCLE, accepting.name, actor=users["teacher"])
    doc = Document.objects.get(pk=accepting.pk)
    assert doc.docstatus == DocStatus.CANCELLED
    assert run_of(doc).status == ProcessStatus.APPROVED
    line = ApprovalLog.objects.get(document=doc, action="cancel")
    assert line.actor == users["teacher"]
    told = Notification.objects.filter(document=doc, event="voided")
    assert set(told.values_list("user__username", flat=True)) == {
        purchaser.username,
        "storekeeper",
    }
    assert "已通过的" in told.first().subject and "已被作废" in told.first().subject
    assert not Notification.objects.filter(document=doc, event="cancelled").exists()


def test_someone_else_cancelling_tells_the_requester_and_the_waiting_approvers(users, item):
    use_flow(
        {"key": "head", "label": "部门负责人审批", "approvers": [{"type": "department_head"}]},
        {
            "key": "accept",
            "label": "验收",
            "docstatus": 1,
            "approvers": [{"type": "role", "value": "storekeeper"}],
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
    )
    doc = requisition(users["teacher"], "800", item)
    actions.start_approval("Material Requisition", doc.name, actor=users["teacher"])
    actions.approve(pending(doc, users["head"]).pk, actor=users["head"])
    assert Document.objects.get(pk=doc.pk).docstatus == DocStatus.SUBMITTED

    services.cancel_document("Material Requisition", doc.name, actor=users["purchaser"])
    assert run_of(doc).status == ProcessStatus.CANCELLED
    told = Notification.objects.filter(document=doc, event="cancelled")
    assert {n.user.username for n in told} == {"teacher", "storekeeper"}
    assert ApprovalLog.objects.get(document=doc, action="cancel").actor == users["purchaser"]
