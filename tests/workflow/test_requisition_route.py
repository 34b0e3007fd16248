"""The shipped requisition flow: department head → 总务处 → principal from 5,000 yuan."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.models.document import DocStatus
from school_logistics.core.services import DocumentStateError
from school_logistics.notify.models import Notification
from school_logistics.workflow import actions, handover, requester
from school_logistics.workflow.guards import refuse_locked_edit
from school_logistics.workflow.models import (
    ApprovalLog,
    ApprovalProcess,
    ApprovalTask,
    CarbonCopy,
    Delegation,
    ProcessStatus,
    TaskStatus,
)
from school_logistics.workflow.trail import approval_trail
from tests.workflow.conftest import pending, requisition

pytestmark = [pytest.mark.workflows, pytest.mark.usefixtures("heads")]
MR = "Material Requisition"


def submit(doc, user):
    return actions.start_approval(MR, doc.name, actor=user)


def run_to_end(doc, users, *approvers):
    for who in approvers:
        actions.approve(pending(doc, users[who]).pk, actor=users[who], comment="同意")
    doc.refresh_from_db()
    return doc


@pytest.mark.parametrize(
    ("amount", "principal_asked"), [("4999.99", False), ("5000", True), ("12000", True)]
)
def test_principal_step_only_from_the_threshold(users, item, amount, principal_asked):
    doc = requisition(users["teacher"], amount, item)
    submit(doc, users["teacher"])
    approvers = ["head", "purchaser"] + (["principal"] if principal_asked else [])
    doc = run_to_end(doc, users, *approvers)
    assert doc.docstatus == DocStatus.SUBMITTED
    assert doc.workflow_state == "已通过"
    asked = ApprovalTask.objects.filter(document=doc, assignee=users["principal"]).exists()
    assert asked is principal_asked
    skipped = ApprovalLog.objects.filter(document=doc, action="skip", step="principal").exists()
    assert skipped is not principal_asked


def test_an_approved_requisition_shows_where_its_approval_ended(client, users, item):
    doc = requisition(users["teacher"], "100", item)
    submit(doc, users["teacher"])
    run_to_end(doc, users, "head", "purchaser")
    approved = '<span class="status-badge status-submitted">已通过</span>'
    client.force_login(users["teacher"])
    assert approved in client.get("/app/material-requisition/").content.decode()
    assert approved in client.get("/app/").content.decode()  # recent documents
    page = client.get(f"/app/material-requisition/{doc.name}").content.decode()
    assert 'status-submitted" id="doc-status">已通过</span>' in page

    services.cancel_document(MR, doc.name, actor=users["teacher"])
    page = client.get(f"/app/material-requisition/{doc.name}").content.decode()
    assert 'id="doc-status">已作废</span>' in page


def test_document_is_a_locked_draft_while_in_approval(users, item):
    doc = requisition(users["teacher"], "100", item)
    submit(doc, users["teacher"])
    doc.refresh_from_db()
    assert doc.docstatus == DocStatus.DRAFT
    assert doc.workflow_state == "部门负责人审批"
    with pytest.raises(DocumentStateError, match="审批中"):
        services.save_document(MR, doc.name, {"purpose": "改"}, actor=users["teacher"])
    with pytest.raises(DocumentStateError, match="审批中"):
        services.delete_document(MR, doc.name, actor=users["teacher"])


def test_a_draft_read_again_after_submission_for_approval_is_locked(users, item):
    """The run is read once per loaded row; reading the row again reads the run again."""
    doc = requisition(users["teacher"], "100", item)
    assert refuse_locked_edit(doc) is None
    submit(doc, users["teacher"])
    doc.refresh_from_db()
    assert "审批中" in (refuse_locked_edit(doc) or "")


def test_a_step_that_asks_for_no_fields_decides_from_its_own_form(client, users, item):
    """Only a step that asks for fields sends the document's form with its decision."""
    doc = requisition(users["teacher"], "100", item)
    submit(doc, users["teacher"])
    client.force_login(users["head"])
    page = client.get(f"/app/material-requisition/{doc.name}").content.decode()
    assert 'id="btn-approve"' in page
    assert 'id="btn-approve" form="doc-form"' not in page


def test_direct_submit_is_refused_when_a_flow_governs(users, item):
    doc = requisition(users["teacher"], "100", item)
    with pytest.raises(DocumentStateError, match="提交审批"):
        services.submit_document(MR, doc.name, actor=users["teacher"])
    doc.refresh_from_db()
    assert doc.docstatus == DocStatus.DRAFT


def test_only_the_assignee_may_act_and_nothing_changes_otherwise(users, item):
    doc = requisition(users["teacher"], "100", item)
    submit(doc, users["teacher"])
    task = pending(doc, users["head"])
    for intruder in ("colleague", "purchaser", "principal"):
        with pytest.raises(PermissionDenied):
            actions.approve(task.pk, actor=users[intruder])
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING
    assert not ApprovalLog.objects.filter(document=doc, action="approve").exists()


def test_second_decision_on_a_handled_task_is_refused(users, item):
    doc = requisition(users["teacher"], "100", item)
    submit(doc, users["teacher"])
    task = pending(doc, users["head"])
    actions.approve(task.pk, actor=users["head"])
    with pytest.raises(DocumentStateError, match="已被处理"):
        actions.reject(task.pk, actor=users["head"], comment="不行")


def test_reject_needs_a_reason_and_ends_the_run(users, item):
    doc = requisition(users["teacher"], "100", item)
    submit(doc, users["teacher"])
    task = pending(doc, users["head"])
    with pytest.raises(services.DocumentValidationError):
        actions.reject(task.pk, actor=users["head"], comment="  ")
    actions.reject(task.pk, actor=users["head"], comment="预算不足")
    doc.refresh_from_db()
    assert doc.docstatus == DocStatus.DRAFT and doc.workflow_state == "已拒绝"
    assert Notification.objects.filter(user=users["teacher"], event="rejected").exists()
    with pytest.raises(DocumentStateError):
        actions.start_approval(MR, doc.name, actor=users["teacher"])


def test_the_stored_state_does_not_depend_on_the_approvers_language(client, users, item):
    doc = requisition(users["teacher"], "100", item)
    submit(doc, users["teacher"])
    users["head"].language = "en"
    users["head"].save(update_fields=["language"])
    client.force_login(users["head"])
    task = pending(doc, users["head"])
    client.post(f"/app/approvals/task/{task.pk}/reject", {"comment": "Over budget"})
    doc.refresh_from_db()
    assert doc.workflow_state == "已拒绝"  # data, translated only when shown


def test_return_to_requester_then_resubmit_starts_over(users, item):
    doc = requisition(users["teacher"], "100", item)
    submit(doc, users["teacher"])
    actions.approve(pending(doc, users["head"]).pk, actor=users["head"])
    actions.return_for_revision(
        pending(doc, users["purchaser"]).pk, actor=users["purchaser"], comment="请补充规格"
    )
    doc.refresh_from_db()
    assert doc.workflow_state == "已退回"
    services.save_document(
        MR, doc.name, {"purpose": "教学用纸（补充规格）"}, actor=users["teacher"]
    )
    submit(doc, users["teacher"])
    assert pending(doc, users["head"])  # from the first step again


def test_return_to_an_earlier_step(users, item):
    doc = requisition(users["teacher"], "100", item)
    submit(doc, users["teacher"])
    actions.approve(pending(doc, users["head"]).pk, actor=users["head"])
    actions.return_for_revision(
        pending(doc, users["purchaser"]).pk,
        actor=users["purchaser"],
        comment="请部门再确认数量",
        to_step="dept_head",
    )
    assert pending(doc, users["head"])
    doc.refresh_from_db()
    assert doc.workflow_state == "部门负责人审批"


def test_withdraw_before_any_approval_only(users, item):
    doc = requisition(users["teacher"], "100", item)
    submit(doc, users["teacher"])
    with pytest.raises(PermissionDenied):
        requester.withdraw(MR, doc.name, actor=users["head"])
    requester.withdraw(MR, doc.name, actor=users["teacher"])
    doc.refresh_from_db()
    assert doc.workflow_state == "已撤回"
    assert not ApprovalTask.objects.filter(document=doc, status=TaskStatus.PENDING).exists()

    submit(doc, users["teacher"])
    actions.approve(pending(doc, users["head"]).pk, actor=users["head"])
    with pytest.raises(DocumentStateError, match="不能撤回"):
        requester.withdraw(MR, doc.name, actor=users["teacher"])


def test_withdraw_button_shows_only_while_the_server_would_accept_it(client, users, item):
    doc = requisition(users["teacher"], "100", item)
    submit(doc, users["teacher"])
    url = f"/app/material-requisition/{doc.name}"
    client.force_login(users["teacher"])
    page = client.get(url).content.decode()
    assert 'id="btn-withdraw"' in page and 'id="btn-urge"' in page
    client.force_login(users["head"])  # an approver, not the requester
    assert 'id="btn-withdraw"' not in client.get(url).content.decode()

    actions.approve(pending(doc, users["head"]).pk, actor=users["head"])
    client.force_login(users["teacher"])
    page = client.get(url).content.decode()
    assert 'id="btn-withdraw"' not in page
    assert 'id="btn-urge"' in page  # still waiting for 总务处: urging is still offered


def test_transfer_hands_the_decision_to_a_colleague(users, item):
    doc = requisition(users["teacher"], "100", item)
    submit(doc, users["teacher"])
    actions.approve(pending(doc, users["head"]).pk, actor=users["head"])
    task = pending(doc, users["purchaser"])
    with pytest.raises(services.DocumentValidationError):
        handover.transfer(task.pk, actor=users["purchaser"], to_user="teacher")  # the requester
    handover.transfer(task.pk, actor=users["purchaser"], to_user="storekeeper", comment="你熟悉")
    run_to_end(doc, users, "storekeeper")
    doc.refresh_from_db()
    assert doc.docstatus == DocStatus.SUBMITTED


def test_add_approver_before_self_decides_first(users, item):
    doc = requisition(users["teacher"], "100", item)
    submit(doc, users["teacher"])
    task = pending(doc, users["head"])
    handover.add_approver(task.pk, actor=users["head"], user="colleague", position="before")
    task.refresh_from_db()
    assert task.status == TaskStatus.WAITING
    actions.approve(pending(doc, users["colleague"]).pk, actor=users["colleague"])
    actions.approve(pending(doc, users["head"]).pk, actor=users["head"])
    assert pending(doc, users["purchaser"])


def test_add_approver_after_self_must_also_approve(users, item):
    doc = requisition(users["teacher"], "100", item)
    submit(doc, users["teacher"])
    task = pending(doc, users["head"])
    handover.add_approver(task.pk, actor=users["head"], user="colleague", position="after")
    actions.approve(task.pk, actor=users["head"])
    assert not ApprovalTask.objects.filter(document=doc, assignee=users["purchaser"]).exists()
    actions.approve(pending(doc, users["colleague"]).pk, actor=users["colleague"])
    assert pending(doc, users["purchaser"])


def test_same_person_on_consecutive_steps_is_passed_automatically(users, item, departments):
    chinese = departments["语文组"]
    chinese.head = users["purchaser"]
    chinese.save()
    doc = requisition(users["teacher"], "100", item)
    submit(doc, users["teacher"])
    actions.approve(pending(doc, users["purchaser"]).pk, actor=users["purchaser"])
    doc.refresh_from_db()
    assert doc.docstatus == DocStatus.SUBMITTED
    assert ApprovalLog.objects.filter(
        document=doc, action="auto_approve", step="general_affairs"
    ).exists()


def test_head_cannot_approve_own_requisition_it_goes_to_the_head_above(client, users, item):
    """语文组's head asks: the head of the department above (here 校长室's) decides, and the
    route says why, before sending and while the step waits."""
    doc = requisition(users["head"], "100", item)
    client.force_login(users["head"])
    why = "申请人是本部门负责人，改由上级部门负责人审批"
    preview = client.get(f"/app/material-requisition/{doc.name}").content.decode()
    assert why in preview[preview.index('id="route-preview"') :]
    submit(doc, users["head"])
    assert not ApprovalTask.objects.filter(document=doc, assignee=users["head"]).exists()
    assert not ApprovalTask.objects.filter(document=doc, assignee=users["admin"]).exists()
    task = pending(doc, users["principal"])
    assert task.step == "dept_head"
    page = client.get(f"/app/material-requisition/{doc.name}").content.decode()
    route = page[page.index('aria-label="审批路线"') :]
    assert why in route[: route.index("</li>")]  # on the head's step, beside who holds it
    actions.approve(task.pk, actor=users["principal"])
    assert pending(doc, users["purchaser"]).step == "general_affairs"


def test_head_with_nobody_above_still_goes_to_the_fallback(users, departments, item):
    chinese = departments["语文组"]
    chinese.parent = None
    chinese.save()
    doc = requisition(users["head"], "100", item)
    submit(doc, users["head"])
    assert not ApprovalTask.objects.filter(document=doc, assignee=users["head"]).exists()
    assert pending(doc, users["admin"])  # the school's admin role stands in


def test_delegate_acts_on_behalf_and_trail_says_so(users, item):
    now = timezone.now()
    Delegation.objects.create(
        user=users["head"], delegate=users["colleague"], starts=now, ends=now + dt.timedelta(days=3)
    )
    doc = requisition(users["teacher"], "100", item)
    submit(doc, users["teacher"])
    task = pending(doc, users["colleague"])
    assert task.on_behalf_of == users["head"]
    actions.approve(task.pk, actor=users["colleague"], comment="代为同意")
    entry = next(e for e in approval_trail(doc) if e.action == "同意")
    assert entry.actor == users["colleague"].display_name
    assert entry.on_behalf_of == users["head"].display_name


def test_delegate_who_is_the_requester_does_not_approve_own_document(users, item):
    now = timezone.now()
    Delegation.objects.create(
        user=users["head"], delegate=users["teacher"], starts=now, ends=now + dt.timedelta(days=3)
    )
    doc = requisition(users["teacher"], "100", item)
    submit(doc, users["teacher"])
    assert pending(doc, users["head"]).on_behalf_of is None
    assert ApprovalLog.objects.filter(document=doc, action="delegation_refused").exists()


def test_principal_approval_copies_finance_and_notifies_each_step(users, item):
    doc = requisition(users["teacher"], "8000", item)
    submit(doc, users["teacher"])
    assert Notification.objects.filter(user=users["head"], event="task").exists()
    run_to_end(doc, users, "head", "purchaser", "principal")
    assert CarbonCopy.objects.filter(document=doc, user=users["finance"]).exists()
    assert Notification.objects.filter(user=users["teacher"], event="approved").exists()


def test_urge_notifies_current_approvers_once_an_hour(users, item):
    doc = requisition(users["teacher"], "100", item)
    submit(doc, users["teacher"])
    requester.urge(MR, doc.name, actor=users["teacher"])
    assert Notification.objects.filter(user=users["head"], event="urge").count() == 1
    with pytest.raises(DocumentStateError, match="一小时内"):
        requester.urge(MR, doc.name, actor=users["teacher"])


def test_trail_lists_every_action_in_order(users, item):
    doc = requisition(users["teacher"], "6000", item)
    submit(doc, users["teacher"])
    run_to_end(doc, users, "head", "purchaser", "principal")
    actions_seen = [(e.step, e.action) for e in approval_trail(doc)]
    assert actions_seen == [
        ("", "提交"),
        ("部门负责人审批", "同意"),
        ("总务处审核", "同意"),
        ("校长审批", "同意"),
    ]


def test_running_document_keeps_its_flow_version(users, item):
    from school_logistics.workflow.models import Workflow, WorkflowVersion

    doc = requisition(users["teacher"], "100", item)
    process = submit(doc, users["teacher"])
    workflow = Workflow.objects.get(doctype=MR)
    changed = dict(workflow.latest().definition)
    changed["steps"] = changed["steps"][1:]  # an admin drops the department head step
    WorkflowVersion.objects.create(workflow=workflow, number=99, definition=changed)
    run_to_end(doc, users, "head", "purchaser")
    process.refresh_from_db()
    assert process.status == ProcessStatus.APPROVED
    assert process.version.number != 99


def test_added_approver_may_read_the_document_they_approve(client, users, item):
    doc = requisition(users["teacher"], "100", item)
    submit(doc, users["teacher"])
    url = f"/app/material-requisition/{doc.name}"
    client.force_login(users["colleague"])  # a teacher: roles let them read only their own
    assert client.get(url).status_code == 404
    handover.add_approver(
        pending(doc, users["head"]).pk, actor=users["head"], user="colleague", position="before"
    )
    page = client.get(url)
    assert page.status_code == 200
    assert 'id="btn-approve"' in page.content.decode()
    assert client.post(f"{url}/delete").status_code in (403, 409)  # reading grants nothing else
    doc.refresh_from_db()


def test_a_teachers_list_holds_their_own_what_they_approve_and_what_they_are_copied_on(
    client, users, item
):
    """Readers of their own documents get the granted ones in the list too, and nothing else."""
    own = requisition(users["teacher"], "100", item, purpose="自己的申购")
    asked = requisition(users["colleague"], "200", item, purpose="请你审批的")
    copied = requisition(users["colleague"], "300", item, purpose="抄送给你的")
    hidden = requisition(users["colleague"], "400", item, purpose="与你无关的")
    submit(asked, users["colleague"])
    submit(copied, users["colleague"])
    handover.add_approver(
        pending(asked, users["head"]).pk, actor=users["head"], user="teacher", position="before"
    )
    process = ApprovalProcess.objects.get(document=copied, is_current=True)
    CarbonCopy.objects.create(document=copied, process=process, user=users["teacher"])
    client.force_login(users["teacher"])

    page = client.get("/app/material-requisition/").content.decode()

    assert all(d.name in page for d in (own, asked, copied)) and hidden.name not in page
    assert "共 3 条" in page  # the count reads the same rows


def test_inbox_filters_by_amount_requester_and_content(client, users, item):
    small = requisition(users["teacher"], "100", item, purpose="粉笔补充")
    big = requisition(users["colleague"], "9000", item, purpose="投影仪更换")
    submit(small, users["teacher"])
    submit(big, users["colleague"])
    client.force_login(users["head"])

    def names(**query):
        page = client.get("/app/approvals/", {"tab": "todo", **query}).content.decode()
        return {d.name for d in (small, big) if d.name in page}

    assert names() == {small.name, big.name}
    assert names(min="5000") == {big.name}
    assert names(max="5000") == {small.name}
    assert names(requester="colleague") == {big.name}
    assert names(q="粉笔") == {small.name}
    assert names(min="not a number") == {small.name, big.name}  # ignored, never a 500
    counts = client.get("/app/approvals/").content.decode()
    assert 'id="tab-todo"' in counts


def test_inbox_lists_the_nearest_deadline_first_and_tasks_without_one_last(client, users, item):
    older, later, due = (requisition(users["teacher"], "100", item) for _ in range(3))
    for doc in (older, later, due):
        submit(doc, users["teacher"])
    ApprovalTask.objects.filter(document__in=(older, later)).update(due_at=None)  # no SLA
    soon = timezone.now() + dt.timedelta(hours=4)
    ApprovalTask.objects.filter(document=due).update(due_at=soon)
    client.force_login(users["head"])

    for page in ("/app/approvals/", "/app/"):  # the inbox, and the home page's card
        body = client.get(page).content.decode()
        shown = sorted((older, later, due), key=lambda d: body.index(d.name))
        assert shown == [due, older, later], page


def test_inbox_pages_through_more_than_fifty_tasks_keeping_the_filters(client, users, item):
    docs = [requisition(users["teacher"], "100", item, purpose="粉笔补充") for _ in range(53)]
    for doc in docs:
        submit(doc, users["teacher"])
    other = requisition(users["teacher"], "100", item, purpose="投影仪更换")
    submit(other, users["teacher"])
    client.force_login(users["head"])

    def page(**query):
        body = client.get("/app/approvals/", query).content.decode()
        return body, [d for d in docs if f"{d.name}<" in body]

    first, on_first = page(q="粉笔")
    assert len(on_first) == 50 and "上一页" not in first and other.name not in first
    assert 'href="?q=%E7%B2%89%E7%AC%94&amp;page=2"' in first  # the search goes along
    second, on_second = page(q="粉笔", page="2")
    assert len(on_second) == 3 and not set(on_first) & set(on_second)
    assert "上一页" in second and "下一页" not in second
    for bad in ("0", "-1", "abc", "99999999"):  # never a 500: the first page instead
        assert page(q="粉笔", page=bad)[1] == on_first
    assert page(q="粉笔", page="9")[1] == []  # past the end: nothing, not an error


def test_approval_carries_a_file_that_readers_of_the_document_can_open(client, users, item):
    from django.core.files.uploadedfile import SimpleUploadedFile

    doc = requisition(users["teacher"], "100", item)
    submit(doc, users["teacher"])
    task = pending(doc, users["head"])
    client.force_login(users["head"])
    quote = SimpleUploadedFile("报价单.pdf", b"%PDF-1.4 quote", content_type="application/pdf")
    response = client.post(
        f"/app/approvals/task/{task.pk}/approve", {"comment": "附报价单", "files": [quote]}
    )
    assert response.status_code == 302
    [entry] = [e for e in approval_trail(doc) if e.action == "同意"]
    [(filename, url)] = entry.attachments
    assert filename == "报价单.pdf"
    client.force_login(users["teacher"])
    assert client.get(url).status_code == 200
    client.force_login(users["colleague"])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("action", "fields", "trail_action"),
    [
        ("transfer", {"user": "colleague"}, "转交"),
        ("add_approver", {"user": "colleague", "position": "after"}, "加签"),
    ],
)
def test_transfer_and_add_approver_carry_a_file_too(
    client, users, item, action, fields, trail_action
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    doc = requisition(users["teacher"], "100", item)
    submit(doc, users["teacher"])
    task = pending(doc, users["head"])
    client.force_login(users["head"])
    note = SimpleUploadedFile("说明.pdf", b"%PDF-1.4 note", content_type="application/pdf")
    response = client.post(
        f"/app/approvals/task/{task.pk}/{action}",
        {"comment": "请帮忙看看", "files": [note], **fields},
    )
    assert response.status_code == 302
    [entry] = [e for e in approval_trail(doc) if e.action == trail_action]
    assert [name for name, _url in entry.attachments] == ["说明.pdf"]


def test_someone_elses_task_cannot_be_acted_on_from_the_page_nor_given_files(client, users, item):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from school_logistics.core.models import Attachment

    doc = requisition(users["teacher"], "100", item)
    submit(doc, users["teacher"])
    task = pending(doc, users["head"])
    client.force_login(users["colleague"])
    url = f"/app/approvals/task/{task.pk}/approve"
    assert client.post(url, {"comment": "我来批"}).status_code == 403
    quote = SimpleUploadedFile("报价单.pdf", b"%PDF-1.4 quote", content_type="application/pdf")
    assert client.post(url, {"comment": "附件", "files": [quote]}).status_code == 403
    assert client.post("/app/approvals/task/999999/approve", {}).status_code in (403, 404)
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING and not Attachment.objects.exists()
    # A refusal goes back to the document's page with the reason.
    client.force_login(users["head"])
    actions.approve(task.pk, actor=users["head"])
    again = client.post(url, {"comment": "再批一次"})
    assert again.status_code == 302 and again["Location"] == f"/app/material-requisition/{doc.name}"


def test_general_affairs_fills_its_step_fields_and_nothing_else(client, users, item):
    doc = requisition(users["teacher"], "100", item)
    submit(doc, users["teacher"])
    actions.approve(pending(doc, users["head"]).pk, actor=users["head"])
    with pytest.raises(DocumentStateError, match="用途"):
        services.save_document(MR, doc.name, {"purpose": "改用途"}, actor=users["purchaser"])
    services.save_document(MR, doc.name, {"budget_line": "办公用品"}, actor=users["purchaser"])
    doc.refresh_from_db()
    assert doc.data["budget_line"] == "办公用品" and doc.data["purpose"] == "教学用纸"
    with pytest.raises(PermissionDenied):  # the head's step is over: no grant any more
        services.save_document(MR, doc.name, {"budget_line": "其他"}, actor=users["head"])

    client.force_login(users["purchaser"])
    page = client.get(f"/app/material-requisition/{doc.name}").content.decode()
    assert ' name="budget_line"' in page and ' name="purpose"' not in page
    client.force_login(users["teacher"])
    page = client.get(f"/app/material-requisition/{doc.name}").content.decode()
    assert 'id="btn-save"' not in page  # in approval: read-only for the requester


def test_home_page_shows_the_approvers_pending_tasks(client, users, item):
    doc = requisition(users["teacher"], "100", item)
    client.force_login(users["head"])
    assert 'id="home-approvals"' not in client.get("/app/").content.decode()
    submit(doc, users["teacher"])
    page = client.get("/app/").content.decode()
    assert 'id="home-approvals"' in page and doc.name in page


def test_tender_is_copied_to_the_discipline_witness(users, school):
    from school_logistics.workflow.models import CarbonCopy
    from tests.conftest import make_user
    from tests.purchasing.test_tender import tender_values
    from tests.stores.factories import make_supplier

    witness = make_user("witness", school, "witness")
    valid = timezone.localdate() + dt.timedelta(days=365)
    suppliers = [
        make_supplier(users["purchaser"], f"粮油{n}", valid_until=valid).name for n in "甲乙丙"
    ]
    tender = services.create_document(
        "Tender", tender_values(suppliers, subject="食堂米面油询价"), actor=users["purchaser"]
    )
    actions.start_approval("Tender", tender.name, actor=users["purchaser"])
    # The purchaser cannot approve their own tender: the school's admin stands in.
    actions.approve(pending(tender, users["admin"]).pk, actor=users["admin"])
    assert CarbonCopy.objects.filter(document=tender, user=witness).exists()
    assert pending(tender, users["principal"])


def test_approver_returns_from_the_inbox_row(client, users, item):
    doc = requisition(users["teacher"], "100", item)
    submit(doc, users["teacher"])
    client.force_login(users["head"])
    page = client.get("/app/approvals/").content.decode()
    task = pending(doc, users["head"])
    assert f"/app/approvals/task/{task.pk}/return" in page
    client.post(f"/app/approvals/task/{task.pk}/return", {"comment": "请补充规格"})
    doc.refresh_from_db()
    assert doc.workflow_state == "已退回"
    # The requester sees on the route where it came back and why, not a step "done".
    client.force_login(users["teacher"])
    page = client.get(f"/app/material-requisition/{doc.name}").content.decode()
    assert 'class="state-returned"' in page and '<div class="step-reason">请补充规格</div>' in page


def test_a_notice_asking_to_decide_stops_counting_once_decided(client, users, item):
    """待您审批 counts under the bell while the task waits, and shows 已处理 once decided, from
    the inbox or the document alike; 批量同意 with nothing ticked says so."""
    doc = requisition(users["teacher"], "800", item)
    submit(doc, users["teacher"])
    client.force_login(users["head"])
    assert 'id="bell-count">1<' in client.get("/app/approvals/").content.decode()
    response = client.post("/app/approvals/batch-approve", follow=True)
    assert "请先勾选要同意的审批" in response.content.decode()
    client.post("/app/approvals/batch-approve", {"task": pending(doc, users["head"]).pk})
    assert 'id="bell-count"' not in client.get("/app/approvals/").content.decode()
    listing = client.get("/app/notifications/").content.decode()
    assert "已处理" in listing and "未读" not in listing
    # The next approver's notice still counts.
    assert Notification.objects.filter(user=users["purchaser"], read_at__isnull=True).exists()
    client.force_login(users["purchaser"])
    assert 'id="bell-count">1<' in client.get("/app/approvals/").content.decode()


def test_the_export_says_where_a_document_waits_as_the_list_does(client, users, item):
    doc = requisition(users["teacher"], "100", item)
    submit(doc, users["teacher"])
    client.force_login(users["purchaser"])
    response = client.get("/app/material-requisition/export.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    status = sheet.cell(row=3, column=header.index("状态") + 1).value
    assert status == "审批中：部门负责人审批"
