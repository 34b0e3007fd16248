"""The worker given a repair cannot reject (close) it: they send it back to 总务处派工, who
assign someone else, or hand it over. Only 派工 and the reporter's 重新报修 reject."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from school_logistics.core.models import Document
from school_logistics.core.services import DocumentStateError
from school_logistics.workflow import actions
from school_logistics.workflow.models import (
    ApprovalLog,
    ApprovalProcess,
    ApprovalTask,
    ProcessStatus,
    TaskStatus,
)
from tests.api.conftest import ApiClient
from tests.conftest import make_user
from tests.repairs.test_repair_flow import DT, dispatch, fresh, pending, report

pytestmark = pytest.mark.workflows
REFUSAL = "此步不能拒绝；如无法办理，请退回或转交他人"
TWINS = [("一般", "dispatch", "repair"), ("紧急", "dispatch_urgent", "repair_urgent")]


def snapshot(doc: Document) -> tuple:
    """What a refused decision must leave as it was: the ticket, its run, tasks and trail."""
    doc = fresh(doc)
    process = ApprovalProcess.objects.get(document=doc, is_current=True)
    tasks = list(ApprovalTask.objects.filter(document=doc).values_list("pk", "status", "comment"))
    return (
        doc.workflow_state,
        doc.data,
        process.status,
        process.current_step,
        process.activation,
        tasks,
        ApprovalLog.objects.filter(document=doc).count(),
    )


@pytest.fixture
def second_worker(users, school, departments):
    return make_user("worker2", school, "repair_worker", department=departments["总务处"])


@pytest.mark.parametrize(("urgency", "_dispatch", "step"), TWINS)
def test_the_assigned_worker_cannot_reject_the_repair_and_nothing_changes(
    users, items, classroom, urgency, _dispatch, step
):
    doc = report(users, classroom, urgency)
    task = dispatch(doc, users)
    assert task.step == step
    before = snapshot(doc)
    with pytest.raises(DocumentStateError, match=REFUSAL):
        actions.reject(task.pk, actor=users["worker"], comment="太忙了，不修")
    with pytest.raises(DocumentStateError, match=REFUSAL):
        actions.reject(task.pk, actor=users["worker"], comment="")  # refused before the reason
    assert snapshot(doc) == before
    assert fresh(doc).workflow_state == task.step_label


def test_a_colleague_or_an_outsider_cannot_reject_the_workers_task_either(
    users, items, classroom, second_worker, outsider
):
    doc = report(users, classroom)
    task = dispatch(doc, users)
    before = snapshot(doc)
    for who in (second_worker, outsider):
        with pytest.raises(PermissionDenied):
            actions.reject(task.pk, actor=who, comment="不修")
    assert snapshot(doc) == before


def test_dispatch_still_rejects_a_duplicate_report(users, items, classroom):
    doc = report(users, classroom)
    process = actions.reject(
        pending(doc, users["purchaser"]).pk, actor=users["purchaser"], comment="重复报修"
    )
    assert process.status == ProcessStatus.REJECTED
    assert fresh(doc).workflow_state == "已拒绝"


@pytest.mark.parametrize(("urgency", "dispatch_step", "step"), TWINS)
def test_the_worker_returns_the_job_to_dispatch_which_assigns_another_worker(
    users, items, classroom, second_worker, urgency, dispatch_step, step
):
    doc = report(users, classroom, urgency)
    task = dispatch(doc, users)
    process = actions.return_for_revision(
        task.pk, actor=users["worker"], comment="需要电工证，我做不了", to_step=dispatch_step
    )
    assert process.status == ProcessStatus.RUNNING
    again = pending(doc, users["purchaser"])
    assert again.step == dispatch_step and fresh(doc).workflow_state == again.step_label
    assert ApprovalTask.objects.get(pk=task.pk).status == TaskStatus.RETURNED

    other = dispatch(doc, users, worker="worker2")
    assert other.step == step and other.assignee == second_worker
    assert not ApprovalTask.objects.filter(
        document=doc, assignee=users["worker"], status=TaskStatus.PENDING
    ).exists()


def test_the_workers_page_offers_return_to_dispatch_instead_of_reject(
    client, users, items, classroom
):
    doc = report(users, classroom)
    client.force_login(users["purchaser"])
    page = client.get(f"/app/repair-ticket/{doc.name}").content.decode()
    assert 'id="btn-reject"' in page  # 派工 may still reject (a duplicate report)
    dispatch(doc, users)

    client.force_login(users["worker"])
    page = client.get(f"/app/repair-ticket/{doc.name}").content.decode()
    assert 'id="btn-approve"' in page and 'id="btn-reject"' not in page
    assert REFUSAL in page
    # The way back is in view, already pointing at the step that gave the job.
    assert '<details class="mt-2" open>' in page
    assert '<option value="dispatch" selected>' in page


def test_a_reject_posted_from_the_workers_page_is_refused_and_saves_nothing(
    client, users, items, classroom
):
    doc = report(users, classroom)
    task = dispatch(doc, users)
    before = snapshot(doc)
    client.force_login(users["worker"])
    done = (timezone.now() - dt.timedelta(hours=1)).replace(microsecond=0).isoformat()
    reply = client.post(
        f"/app/approvals/task/{task.pk}/reject",
        {"comment": "不修了", "completed_on": done, "labour_cost": "30"},
    )
    assert reply.status_code == 302
    assert [str(m) for m in get_messages(reply.wsgi_request)] == [REFUSAL]
    assert snapshot(doc) == before  # neither the decision nor the fields sent with it


def test_the_workers_inbox_card_has_no_reject_button(client, users, items, classroom):
    doc = report(users, classroom)
    client.force_login(users["purchaser"])
    inbox = client.get("/app/approvals/").content.decode()
    card = inbox[inbox.index(doc.name) :]
    assert "/reject" in card  # 派工's card rejects
    dispatch(doc, users)

    client.force_login(users["worker"])
    inbox = client.get("/app/approvals/").content.decode()
    card = inbox[inbox.index(doc.name) :]
    assert f"/task/{pending(doc, users['worker']).pk}/return" in card
    assert "/reject" not in card


def test_the_api_refuses_the_workers_reject_and_changes_nothing(settings, users, items, classroom):
    settings.API_RATE_LIMIT = 100_000
    doc = report(users, classroom)
    dispatch(doc, users)
    before = snapshot(doc)
    reply = ApiClient(users["worker"]).post(
        "/api/method/frappe.model.workflow.apply_workflow",
        {"doc": {"doctype": DT, "name": doc.name}, "action": "拒绝", "comment": "不修"},
    )
    assert reply.status_code == 417
    assert REFUSAL in reply.content.decode()
    assert snapshot(doc) == before


def test_the_api_does_not_offer_the_worker_a_reject(settings, users, items, classroom):
    settings.API_RATE_LIMIT = 100_000
    doc = report(users, classroom)
    dispatch(doc, users)
    reply = ApiClient(users["worker"]).post(
        "/api/method/frappe.model.workflow.get_transitions",
        {"doc": {"doctype": DT, "name": doc.name}},
    )
    assert reply.status_code == 200
    codes = [t["action_code"] for t in reply.json()["message"]]
    assert "approve" in codes and "reject" not in codes


@pytest.mark.parametrize(("urgency", "dispatch_step", "_step"), TWINS)
def test_the_workers_return_from_the_inbox_card_goes_to_dispatch(
    client, users, items, classroom, urgency, dispatch_step, _step
):
    """The card sends no step to return to: the job still goes back to whoever gave it, not
    to the teacher who reported the fault."""
    doc = report(users, classroom, urgency)
    task = dispatch(doc, users)
    client.force_login(users["worker"])
    client.post(f"/app/approvals/task/{task.pk}/return", {"comment": "插座需整体更换，找电工"})
    again = pending(doc, users["purchaser"])
    assert again.step == dispatch_step
    process = ApprovalProcess.objects.get(document=doc, is_current=True)
    assert process.status == ProcessStatus.RUNNING
