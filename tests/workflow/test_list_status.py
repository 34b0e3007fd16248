"""The list's 状态 filter under an approval flow picks what the rows' badges say: a sent
requisition is 审批中, not a 草稿, and returned or rejected ones are apart."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from school_logistics.core import services
from school_logistics.core.models import Document, User
from school_logistics.workflow import actions
from school_logistics.workflow.requester import withdraw
from tests.workflow.conftest import pending, requisition, send_and_approve

pytestmark = [pytest.mark.workflows, pytest.mark.usefixtures("heads")]
MR = "Material Requisition"


def sent(user: User, item: Document, amount: str = "300") -> Document:
    doc = requisition(user, amount, item)
    services.send_document(MR, doc.name, actor=user)
    return doc


def listed(user: User, status: str) -> set[str]:
    client = Client()
    client.force_login(user)
    page = client.get("/app/material-requisition/", {"docstatus": status}).content.decode()
    return set(re.findall(r"REQ-\d{4}-\d{4,}", page))


def test_each_status_lists_the_requisitions_its_badge_names(users, item):
    teacher, head = users["teacher"], users["head"]
    draft = requisition(teacher, "100", item)
    waiting = sent(teacher, item)
    withdrawn = sent(teacher, item)
    withdraw(MR, withdrawn.name, actor=teacher)
    returned = sent(teacher, item)
    actions.return_for_revision(pending(returned, head).pk, actor=head, comment="请补充用途")
    rejected = sent(teacher, item)
    actions.reject(pending(rejected, head).pk, actor=head, comment="本学期不需要")
    approved = requisition(teacher, "200", item)
    send_and_approve(approved, teacher)

    assert listed(teacher, "0") == {draft.name, withdrawn.name}
    assert listed(teacher, "approval") == {waiting.name}
    assert listed(teacher, "returned") == {returned.name}
    assert listed(teacher, "rejected") == {rejected.name}
    assert listed(teacher, "1") == {approved.name}
    assert listed(teacher, "") == {
        d.name for d in (draft, waiting, withdrawn, returned, rejected, approved)
    }


def test_a_form_without_a_flow_keeps_the_plain_choices(users):
    client = Client()
    client.force_login(users["admin"])
    page = client.get("/app/stock-receipt/").content.decode()
    assert 'value="approval"' not in page and "草稿" in page
