"""我已处理: one row per decision, each saying what was decided, when, and how the run ended."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from school_logistics.core import services
from school_logistics.workflow import actions
from tests.workflow.conftest import pending, requisition, send_and_approve
from tests.workflow.test_modes import use_flow

pytestmark = [pytest.mark.workflows, pytest.mark.usefixtures("heads")]
MR = "Material Requisition"
DONE = "/app/approvals/?tab=done"


def rows_of(body: str) -> list[str]:
    """Split the inbox list into its rows' HTML."""
    start = body.index('id="inbox-rows"')
    return body[start:].split('class="list-group-item inbox-row"')[1:]


def page(user) -> str:
    client = Client()
    client.force_login(user)
    return client.get(DONE).content.decode()


def test_a_document_decided_twice_shows_each_decision_with_its_time(users, item):
    """Returned, then approved after the resubmission: two rows that no longer look alike."""
    doc = requisition(users["teacher"], "100", item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    returned = pending(doc, users["head"])
    actions.return_for_revision(returned.pk, actor=users["head"], comment="请补充规格")
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    approved = pending(doc, users["head"])
    actions.approve(approved.pk, actor=users["head"])
    returned.refresh_from_db()
    approved.refresh_from_db()

    rows = rows_of(page(users["head"]))

    assert len(rows) == 2 and all(doc.name in row for row in rows)
    newest, older = rows  # newest decision first
    assert 'class="decision decision-approved">同意<' in newest
    assert 'class="decision decision-returned">退回<' in older
    assert "请补充规格" in older and "请补充规格" not in newest
    assert "结果：审批中" in newest and "结果：已退回" in older
    for row, task in ((newest, approved), (older, returned)):
        assert task.acted_at is not None  # shown in local time, as the trail shows it
        assert f">{timezone.localtime(task.acted_at):%Y-%m-%d %H:%M}</time>" in row


def test_a_step_with_its_own_verb_shows_that_verb(users, item):
    use_flow(
        {
            "key": "dispatch",
            "label": "派工",
            "approvers": [{"type": "role", "value": "purchaser"}],
            "approve_label": "派工",
            "reject_label": "不予维修",
        }
    )
    doc = requisition(users["teacher"], "100", item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    actions.approve(pending(doc, users["purchaser"]).pk, actor=users["purchaser"])

    (row,) = rows_of(page(users["purchaser"]))

    assert 'class="decision decision-approved">派工<' in row
    assert "结果：已通过" in row


def test_decisions_show_only_on_the_done_tab(users, item):
    doc = requisition(users["teacher"], "100", item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    client = Client()
    client.force_login(users["head"])
    todo = client.get("/app/approvals/").content.decode()
    assert doc.name in todo and 'class="decision ' not in todo
    client.force_login(users["teacher"])
    mine = client.get("/app/approvals/?tab=mine").content.decode()
    assert doc.name in mine and 'class="decision ' not in mine


def test_a_document_cancelled_after_its_approval_reads_cancelled_not_approved(users, item):
    """我发起的 and 我已处理 say what became of the document, not only of its run."""
    doc = requisition(users["teacher"], "100", item)
    send_and_approve(doc, users["teacher"])
    services.cancel_document(MR, doc.name, actor=users["teacher"])
    client = Client()
    client.force_login(users["teacher"])
    (mine,) = rows_of(client.get("/app/approvals/?tab=mine").content.decode())
    assert "· 已作废" in mine and "已通过" not in mine
    (done,) = rows_of(page(users["head"]))
    assert "结果：已作废" in done
    form = client.get(f"/app/material-requisition/{doc.name}").content.decode()
    assert "单据已作废" in form
