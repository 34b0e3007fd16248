"""Decisions taken from the inbox's list: a refusal names its document, and 同意所选 approves
only what the list offers to approve at once."""

from __future__ import annotations

import pytest
from django.test import Client

from school_logistics.core import extensions
from school_logistics.core.registry import get_meta
from school_logistics.workflow import actions
from school_logistics.workflow.models import ApprovalTask, TaskStatus
from tests.workflow.conftest import pending, requisition
from tests.workflow.test_modes import use_flow

pytestmark = [pytest.mark.workflows, pytest.mark.usefixtures("heads")]
MR = "Material Requisition"
INBOX = "/app/approvals/"


def started(users, item, amount: str = "100"):
    doc = requisition(users["teacher"], amount, item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    return doc


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_return_without_a_reason_from_the_list_names_its_document(users, item):
    docs = [started(users, item) for _ in range(3)]
    task = pending(docs[1], users["head"])
    response = signed_in(users["head"]).post(
        f"/app/approvals/task/{task.pk}/return", {"comment": " ", "next": INBOX}, follow=True
    )
    label = get_meta(MR).label
    assert f"{label} {docs[1].name}：请填写退回理由" in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING


def test_the_list_asks_for_a_reason_on_the_card_before_sending(users, item):
    """approvals.js reads what to say from the buttons: 退回 and 拒绝 need a reason, 同意 not."""
    started(users, item)
    body = signed_in(users["head"]).get(INBOX).content.decode()
    row = body[body.index('class="list-group-item inbox-row"') :]
    assert 'data-needs-reason="请填写拒绝理由"' in row
    assert 'data-needs-reason="请填写退回理由"' in row
    assert 'class="decide-error" role="alert" hidden' in row
    assert "workflow/approvals.js" in body


def test_batch_approval_is_confirmed_with_the_count_and_total(users, item):
    started(users, item, "150")
    body = signed_in(users["head"]).get(INBOX).content.decode()
    assert 'data-ask-total="确认同意 {n} 份单据（合计 ¥{total}）？"' in body
    assert 'data-ask-count="确认同意 {n} 份单据？"' in body
    assert 'data-amount="150.00"' in body


def test_batch_approval_refuses_what_the_list_sends_to_the_page_and_names_it(
    users, item, monkeypatch
):
    """A document with a warning to read first has no tick box; posted anyway, it is refused."""
    plain, warned = started(users, item), started(users, item)
    monkeypatch.setattr(
        extensions,
        "decision_warnings",
        [lambda documents: {d.pk: "疑似拆分采购" for d in documents if d.pk == warned.pk}],
    )
    ids = [pending(plain, users["head"]).pk, pending(warned, users["head"]).pk]
    response = signed_in(users["head"]).post(
        "/app/approvals/batch-approve", {"task": ids, "next": INBOX}, follow=True
    )
    body = response.content.decode()
    assert "已同意 1 条" in body
    assert f"{get_meta(MR).label} {warned.name}：请打开单据，在单据页面审批" in body
    assert pending(warned, users["head"])  # still waiting for the head
    assert not ApprovalTask.objects.filter(
        document=plain, assignee=users["head"], status=TaskStatus.PENDING
    ).exists()


def test_batch_approval_names_the_document_of_each_refused_task(users, item):
    """Each refusal names its document: the message alone did not say which one."""
    doc = started(users, item)
    task = pending(doc, users["head"])
    actions.approve(task.pk, actor=users["head"])
    response = signed_in(users["head"]).post(
        "/app/approvals/batch-approve", {"task": [task.pk], "next": INBOX}, follow=True
    )
    body = response.content.decode()
    assert f"{get_meta(MR).label} {doc.name}：此审批已被处理，无需重复操作" in body


def test_batch_approval_sends_a_step_that_asks_for_fields_to_its_page(users, item):
    use_flow(
        {
            "key": "head",
            "label": "部门负责人审批",
            "approvers": [{"type": "department_head"}],
            "editable_fields": ["budget_line"],
            "required_fields": ["budget_line"],
        }
    )
    doc = started(users, item)
    task = pending(doc, users["head"])
    response = signed_in(users["head"]).post(
        "/app/approvals/batch-approve", {"task": [task.pk], "next": INBOX}, follow=True
    )
    body = response.content.decode()
    assert f"{get_meta(MR).label} {doc.name}：请打开单据，在单据页面审批" in body
    assert "budget_line:" not in body
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING


def test_an_inbox_of_steps_decided_on_their_pages_offers_no_batch_approval(users, item):
    """Only rows the list may approve carry a tick box, and 同意所选 shows only beside them."""
    use_flow(
        {
            "key": "head",
            "label": "部门负责人审批",
            "approvers": [{"type": "department_head"}],
            "editable_fields": ["budget_line"],
            "required_fields": ["budget_line"],
        }
    )
    started(users, item)
    body = signed_in(users["head"]).get(INBOX).content.decode()
    assert 'id="btn-batch-approve"' not in body and 'name="task"' not in body
    use_flow({"key": "head", "label": "部门负责人审批", "approvers": [{"type": "department_head"}]})
    started(users, item)
    body = signed_in(users["head"]).get(INBOX).content.decode()
    assert 'id="btn-batch-approve"' in body and body.count('name="task"') == 2
