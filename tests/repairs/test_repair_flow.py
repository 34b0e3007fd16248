"""The repair ticket on its approval flow: 总务处派工 → 维修 → 报修人确认 (or reopen)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.services import DocumentStateError
from school_logistics.core.validation import DocumentValidationError
from school_logistics.workflow import actions, handover, inbox, requester
from school_logistics.workflow.models import ApprovalLog, ApprovalTask, ProcessStatus, TaskStatus
from school_logistics.workflow.sla import add_working_hours
from school_logistics.workflow.trail import approval_trail
from tests.conftest import make_user

pytestmark = pytest.mark.workflows
DT = "Repair Ticket"
# The engine resolves an approver taken from a field when the ticket is sent, before 总务处
# has chosen the worker; until it resolves it when the step opens, the 维修 task falls back
# to 总务处, who hand it to the worker with 转交. See the report of the repair-flow change.


def iso(when: dt.datetime) -> str:
    return when.replace(microsecond=0).isoformat()


def fresh(doc: Document) -> Document:
    return Document.objects.get(pk=doc.pk)


def pending(doc: Document, user: User) -> ApprovalTask:
    return ApprovalTask.objects.get(document=doc, assignee=user, status=TaskStatus.PENDING)


def report(users, classroom, urgency: str = "一般") -> Document:
    """The teacher reports a fault and sends the ticket on its flow."""
    doc = services.create_document(
        DT,
        {
            "subject": "302 教室日光灯不亮",
            "location": classroom,
            "category": "水电",
            "urgency": urgency,
            "description": "讲台上方两支灯管不亮，晚自习看不清黑板。",
            "reported_on": iso(timezone.now() - dt.timedelta(hours=5)),
        },
        actor=users["teacher"],
    )
    actions.start_approval(DT, doc.name, actor=users["teacher"])
    return doc


def dispatch(doc: Document, users, worker: str = "worker") -> ApprovalTask:
    """总务处 picks the worker and approves; return the worker's 维修 task."""
    purchaser = users["purchaser"]
    services.save_document(DT, doc.name, {"assigned_to": worker}, actor=purchaser)
    actions.approve(pending(doc, purchaser).pk, actor=purchaser, comment="请尽快维修")
    return pending(doc, User.objects.get(username=worker))


def complete(doc: Document, users, task: ApprovalTask) -> None:
    """The worker records parts, labour and completion time, then approves the 维修 step."""
    services.save_document(
        DT,
        doc.name,
        {
            "completed_on": iso(timezone.now() - dt.timedelta(hours=1)),
            "labour_cost": "30",
            "parts": [{"item": "LAMP-T8", "qty": "2"}],  # reference price 16.00
        },
        actor=users["worker"],
    )
    actions.approve(task.pk, actor=users["worker"], comment="已更换灯管")


@pytest.mark.parametrize(
    ("urgency", "hours", "step"), [("紧急", 4, "dispatch_urgent"), ("一般", 16, "dispatch")]
)
def test_dispatch_is_due_in_four_working_hours_when_urgent_else_sixteen(
    users, items, classroom, urgency, hours, step
):
    before = timezone.now()
    doc = report(users, classroom, urgency)
    after = timezone.now()
    task = pending(doc, users["purchaser"])
    assert task.step == step
    assert add_working_hours(before, hours) <= task.due_at <= add_working_hours(after, hours)
    assert fresh(doc).workflow_state == task.step_label
    skipped = ApprovalLog.objects.filter(document=doc, action="skip").values_list("step", flat=True)
    assert len(skipped) == 2  # the other urgency's 派工 and 维修


def test_urgent_repair_is_due_in_four_working_hours(users, items, classroom):
    doc = report(users, classroom, "紧急")
    before = timezone.now()
    task = dispatch(doc, users)
    after = timezone.now()
    assert task.step == "repair_urgent"
    assert add_working_hours(before, 4) <= task.due_at <= add_working_hours(after, 4)


def test_worker_finds_the_dispatched_ticket_in_the_inbox(users, items, classroom):
    doc = report(users, classroom)
    assert not inbox.todo(users["worker"]).exists()
    assert inbox.todo(users["purchaser"]).get().document_id == doc.pk
    dispatch(doc, users)
    todo = inbox.todo(users["worker"]).get()
    assert todo.document_id == doc.pk and todo.step == "repair"
    assert fresh(doc).workflow_state == "维修"


def test_dispatched_worker_gets_the_repair_task_without_a_transfer(users, items, classroom):
    doc = report(users, classroom)
    services.save_document(DT, doc.name, {"assigned_to": "worker"}, actor=users["purchaser"])
    actions.approve(pending(doc, users["purchaser"]).pk, actor=users["purchaser"])
    assert pending(doc, users["worker"]).step == "repair"


def test_the_route_says_the_worker_is_named_at_dispatch_then_names_them(
    client, users, items, classroom
):
    """At submission nobody is assigned yet, and that is no cause for the admin fallback."""
    doc = report(users, classroom)
    client.force_login(users["teacher"])
    url = f"/app/repair-ticket/{doc.name}"
    page = client.get(url).content.decode()
    assert "审批人由前面的步骤指定" in page and "未找到审批人" not in page
    dispatch(doc, users)
    page = client.get(url).content.decode()
    assert "审批人由前面的步骤指定" not in page and "未找到审批人" not in page
    assert users["worker"].display_name in page


def test_full_repair_closes_when_the_reporter_confirms(client, users, items, classroom):
    User.objects.filter(username="worker").update(full_name="维修师傅（测试）")
    doc = report(users, classroom)
    complete(doc, users, dispatch(doc, users))
    teacher = users["teacher"]
    confirm = pending(doc, teacher)
    assert confirm.step == "confirm"
    services.save_document(
        DT,
        doc.name,
        {"confirmation_note": "灯已修好，谢谢！"},
        actor=teacher,
    )
    actions.approve(confirm.pk, actor=teacher, comment="确认修好")
    doc = fresh(doc)
    assert doc.docstatus == DocStatus.SUBMITTED and doc.workflow_state == "已修好"
    assert doc.data["total_cost"] == "62.00" and doc.data["reporter_confirmed"] == 1
    trail = [(e.step, e.action) for e in approval_trail(doc)]
    stages = [("", "提交"), ("总务处派工", "派工"), ("维修", "完工"), ("报修人确认", "确认修好")]
    assert [t for t in trail if t in stages] == stages
    # The timeline names people, and says the last approval made the ticket take effect; the
    # closed ticket offers nothing to edit.
    client.force_login(teacher)
    page = client.get(f"/app/repair-ticket/{doc.name}").content.decode()
    assert "维修人员: 空 → 维修师傅（测试）" in page
    assert "审批通过，单据生效" in page and "提交了单据" not in page
    assert 'id="btn-save"' not in page


def test_pressing_confirm_is_the_reporters_confirmation(client, users, items, classroom):
    """确认修好 confirms: no box to tick as well (the step shows the rating and a note)."""
    doc = report(users, classroom)
    complete(doc, users, dispatch(doc, users))
    confirm = pending(doc, users["teacher"])
    client.force_login(users["teacher"])
    page = client.get(f"/app/repair-ticket/{doc.name}").content.decode()
    assert ' name="satisfaction"' in page and ' name="reporter_confirmed"' not in page
    assert 'id="btn-urge"' not in page  # nobody to urge: the step waits for the reporter
    actions.approve(confirm.pk, actor=users["teacher"])
    doc = fresh(doc)
    assert doc.docstatus == DocStatus.SUBMITTED and doc.data["reporter_confirmed"] == 1


@pytest.mark.parametrize(("urgency", "step"), [("一般", "repair"), ("紧急", "repair_urgent")])
def test_reopen_sends_the_ticket_back_to_the_assigned_worker(
    users, items, classroom, urgency, step
):
    """重新报修 on the confirm step goes back to the worker of the ticket's urgency, with why."""
    doc = report(users, classroom, urgency)
    complete(doc, users, dispatch(doc, users))
    confirm = pending(doc, users["teacher"])
    with pytest.raises(DocumentValidationError):
        actions.reject(confirm.pk, actor=users["teacher"], comment=" ")  # a reason is required
    assert pending(doc, users["teacher"]).pk == confirm.pk
    process = actions.reject(confirm.pk, actor=users["teacher"], comment="灯还是不亮")
    doc = fresh(doc)
    again = pending(doc, users["worker"])
    assert again.step == step and doc.workflow_state == again.step_label
    assert doc.docstatus == DocStatus.DRAFT and process.status == ProcessStatus.RUNNING
    trail = [(e.step, e.action, e.comment) for e in approval_trail(doc)]
    assert ("报修人确认", "重新报修", "灯还是不亮") in trail


def test_reopened_ticket_closes_once_the_worker_fixes_it_again(users, items, classroom):
    doc = report(users, classroom)
    complete(doc, users, dispatch(doc, users))
    actions.reject(pending(doc, users["teacher"]).pk, actor=users["teacher"], comment="还是不亮")
    actions.approve(pending(doc, users["worker"]).pk, actor=users["worker"], comment="换了镇流器")
    teacher = users["teacher"]
    process = actions.approve(pending(doc, teacher).pk, actor=teacher)
    doc = fresh(doc)
    assert process.status == ProcessStatus.APPROVED
    assert (doc.docstatus, doc.workflow_state) == (DocStatus.SUBMITTED, "已修好")


def test_dispatcher_fills_only_the_worker(users, items, classroom):
    doc = report(users, classroom)
    before = fresh(doc).data
    with pytest.raises(DocumentStateError, match="人工费"):
        services.save_document(
            DT, doc.name, {"assigned_to": "worker", "labour_cost": "50"}, actor=users["purchaser"]
        )
    with pytest.raises(DocumentValidationError) as exc:
        services.save_document(DT, doc.name, {"assigned_to": "teacher"}, actor=users["purchaser"])
    assert "不是本校的维修工" in exc.value.errors["assigned_to"][0]
    assert fresh(doc).data == before


def test_non_assignee_cannot_complete_the_repair(client, users, items, classroom, school, outsider):
    other = make_user("worker2", school, "repair_worker", department=users["worker"].department)
    doc = report(users, classroom)
    task = dispatch(doc, users)
    before = fresh(doc).data
    # Another worker holds no task: the desk refuses the action, and the record stays shut.
    client.force_login(other)
    response = client.post(f"/app/approvals/task/{task.pk}/approve", {"comment": "修好了"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        actions.approve(task.pk, actor=other)
    with pytest.raises(DocumentStateError):
        services.save_document(DT, doc.name, {"labour_cost": "80"}, actor=other)
    # A colleague of the reporter and a user of another school cannot even open it.
    for who in (users["colleague"], outsider):
        with pytest.raises(Http404):
            services.save_document(DT, doc.name, {"labour_cost": "80"}, actor=who)
    assert fresh(doc).data == before
    assert pending(doc, users["worker"]).pk == task.pk


def test_non_assignee_holding_the_task_cannot_record_the_completion(users, items, classroom):
    doc = report(users, classroom)
    dispatch(doc, users)
    task = pending(doc, users["worker"])
    # 总务处 change their mind after handing the task on: the record stays the assignee's.
    handover.transfer(task.pk, actor=users["worker"], to_user="purchaser")
    before = fresh(doc).data
    with pytest.raises(PermissionDenied):
        services.save_document(DT, doc.name, {"labour_cost": "80"}, actor=users["purchaser"])
    assert fresh(doc).data == before


def test_closed_ticket_keeps_its_repair_record(users, items, classroom):
    doc = report(users, classroom)
    complete(doc, users, dispatch(doc, users))
    teacher = users["teacher"]
    actions.approve(pending(doc, teacher).pk, actor=teacher)
    before = fresh(doc).data
    with pytest.raises(DocumentStateError, match="作废后修订"):
        services.save_document(DT, doc.name, {"labour_cost": "300"}, actor=users["purchaser"])
    assert fresh(doc).data == before


def test_flow_refuses_a_direct_submit_and_finishes_only_through_approval(users, items, classroom):
    doc = services.create_document(
        DT,
        {
            "subject": "门锁坏了",
            "location": classroom,
            "category": "门窗",
            "description": "锁芯卡住",
        },
        actor=users["teacher"],
    )
    with pytest.raises(DocumentStateError, match="提交审批"):
        services.submit_document(DT, doc.name, actor=users["teacher"])
    actions.start_approval(DT, doc.name, actor=users["teacher"])
    process = requester.withdraw(DT, doc.name, actor=users["teacher"])
    assert process.status == ProcessStatus.WITHDRAWN
    assert fresh(doc).docstatus == DocStatus.DRAFT


def test_worker_cannot_approve_the_repair_step_before_recording_it(users, items, classroom):
    """The 维修 step asks for the completion time: approving without it changes nothing."""
    doc = report(users, classroom)
    dispatch(doc, users)
    task = pending(doc, users["worker"])
    with pytest.raises(DocumentValidationError, match="完工"):
        actions.approve(task.pk, actor=task.assignee)
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING


def test_the_worker_records_the_repair_and_completes_it_with_one_press(
    client, users, items, classroom
):
    """完工 on the ticket's page sends the record typed above it: saved, then the step approved."""
    doc = report(users, classroom)
    task = dispatch(doc, users)
    client.force_login(users["worker"])
    page = client.get(f"/app/repair-ticket/{doc.name}").content.decode()
    assert re.search(r'id="btn-approve" form="doc-form"', page)  # the button sends the record
    done_at = iso(timezone.now() - dt.timedelta(hours=1))
    response = client.post(
        f"/app/approvals/task/{task.pk}/approve",
        {"comment": "已更换灯管", "completed_on": done_at, "labour_cost": "30"},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.APPROVED
    assert fresh(doc).data["labour_cost"] == "30.00"
    assert fresh(doc).data["completed_on"]
    assert approval_trail(doc)[-1].comment == "已更换灯管"


def test_a_refused_repair_record_comes_back_as_typed_and_nothing_is_kept(
    client, users, items, classroom
):
    doc = report(users, classroom)
    task = dispatch(doc, users)
    before = fresh(doc).data
    client.force_login(users["worker"])
    response = client.post(
        f"/app/approvals/task/{task.pk}/approve",
        {
            "comment": "已更换灯管",
            "completed_on": iso(timezone.now() + dt.timedelta(hours=3)),  # not yet: refused
            "labour_cost": "45",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "完工时间不能晚于现在" in body
    assert 'value="45"' in body  # what was typed is on the page again
    assert "已更换灯管</textarea>" in body  # and so is the comment
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING
    assert fresh(doc).data == before


def test_a_record_saved_with_a_refused_completion_is_not_kept(users, items, classroom):
    """Saving and approving go together: the step still lacks its completion time, so the
    labour cost typed with it is not kept either."""
    doc = report(users, classroom)
    task = dispatch(doc, users)
    before = fresh(doc).data
    with pytest.raises(DocumentValidationError, match="完工"):
        actions.fill_then(
            doc,
            {"labour_cost": "30"},
            actor=users["worker"],
            decide=lambda: actions.approve(task.pk, actor=users["worker"]),
        )
    assert fresh(doc).data == before
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING


def test_the_inbox_sends_a_step_that_needs_its_record_to_the_ticket_page(
    client, users, items, classroom
):
    """完工 needs the repair record: from the inbox it opens the ticket, it cannot fail there."""
    doc = report(users, classroom)
    task = dispatch(doc, users)
    client.force_login(users["worker"])
    body = client.get("/app/approvals/").content.decode()
    assert f'href="/app/repair-ticket/{doc.name}#approval" data-carry-comment>完工…</a>' in body
    assert f"/app/approvals/task/{task.pk}/approve" not in body
    assert f'value="{task.pk}" form="batch-form"' not in body  # nothing to tick: no 同意所选
    assert 'id="btn-batch-approve"' not in body
    assert "¥0.00" not in body  # not costed yet: no amount rather than a free repair


def test_the_reporters_note_typed_on_the_page_is_kept_with_a_reopen(
    client, users, items, classroom
):
    """重新报修 from the ticket's page sends the 确认意见 typed there: kept with the decision,
    and given back as typed when the decision is refused (no reason)."""
    doc = report(users, classroom)
    complete(doc, users, dispatch(doc, users))
    confirm = pending(doc, users["teacher"])
    client.force_login(users["teacher"])
    url = f"/app/approvals/task/{confirm.pk}/reject"
    note = {"confirmation_note": "灯还是一闪一闪"}
    refused = client.post(url, {**note, "comment": ""})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "请填写" in body and "灯还是一闪一闪" in body
    assert pending(doc, users["teacher"]).pk == confirm.pk
    assert fresh(doc).data.get("confirmation_note") is None
    assert client.post(url, {**note, "comment": "没修好"}).status_code == 302
    assert fresh(doc).data["confirmation_note"] == "灯还是一闪一闪"
    assert pending(doc, users["worker"])
