"""提交审批 on a new form: the document is saved and its approval started in one step, or
nothing is kept."""

from __future__ import annotations

import pytest
from django.test import Client

from school_logistics.core.models import Document, NamingSeries, User, Version
from school_logistics.notify.models import Notification
from school_logistics.workflow.models import ApprovalLog, ApprovalTask, TaskStatus, Workflow

pytestmark = [pytest.mark.workflows, pytest.mark.usefixtures("heads")]
MR = "Material Requisition"
NEW = "/app/material-requisition/new"
SAVE_AND_START = "/app/approvals/new/material-requisition"
ROUTE = "/app/approvals/new/material-requisition/route"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form(
    user: User, item: Document, *, purpose: str = "多媒体教室设备", rate: str = "9"
) -> dict[str, str]:
    data = {"department": user.department.name, "purpose": purpose, "items-present": "1"}
    for k in range(3):
        data.update({f"items-{k}-item": item.name, f"items-{k}-qty": "1", f"items-{k}-rate": rate})
    return data


def kept() -> tuple[int, int, int, int]:
    """Documents, trail lines, tasks and notices: what a refused submission must not add."""
    counts = (Document, ApprovalLog, ApprovalTask, Notification)
    return tuple(model.objects.count() for model in counts)  # type: ignore[return-value]


def test_new_form_offers_it_beside_save_draft_where_a_flow_governs(users, item):
    page = signed_in(users["teacher"]).get(NEW).content.decode()
    assert 'id="btn-save-start"' in page and f'formaction="{SAVE_AND_START}"' in page
    assert "保存草稿" in page and f'hx-post="{ROUTE}"' in page
    Workflow.objects.filter(doctype=MR).update(is_active=False)
    page = signed_in(users["teacher"]).get(NEW).content.decode()
    assert 'id="btn-save-start"' not in page and "保存草稿" not in page
    assert 'id="new-route"' not in page


def test_the_route_follows_the_form_as_it_is_filled_in_and_nothing_is_saved(users, item):
    teacher = users["teacher"]
    client = signed_in(teacher)
    signed_in(teacher).post(NEW, form(teacher, item))  # a draft: the year's series exists
    series = list(NamingSeries.objects.values_list("prefix", "current"))
    before = kept()
    above = client.post(ROUTE, form(teacher, item, rate="2000")).content.decode()
    assert "部门负责人审批" in above and "head" in above
    assert "校长审批" in above and "校长审批 · 跳过" not in above
    below = client.post(ROUTE, form(teacher, item)).content.decode()
    assert "校长审批 · 跳过" in below
    # Half filled in (no purpose yet, a price mistyped): what is missing counts as empty.
    unfinished = form(teacher, item, purpose="", rate="2000")
    unfinished["items-2-rate"] = "两千"
    route = client.post(ROUTE, unfinished).content.decode()
    assert "部门负责人审批" in route and "校长审批 · 跳过" in route  # 4,000 yuan so far
    empty = client.post(ROUTE, {"items-present": "1"}).content.decode()
    assert "部门负责人审批" in empty and "校长审批 · 跳过" in empty
    assert kept() == before
    assert list(NamingSeries.objects.values_list("prefix", "current")) == series


def test_it_saves_the_document_and_sends_it_to_the_first_approver(users, item):
    teacher, head = users["teacher"], users["head"]
    client = signed_in(teacher)
    response = client.post(SAVE_AND_START, form(teacher, item))
    doc = Document.objects.get(doctype=MR, owner=teacher)
    assert response.status_code == 302 and response["Location"].endswith(doc.name)
    assert (doc.docstatus, doc.grand_total, len(doc.data["items"])) == (0, 27, 3)
    assert doc.workflow_state == "部门负责人审批"
    task = ApprovalTask.objects.get(document=doc, status=TaskStatus.PENDING)
    assert task.assignee == head
    trail = ApprovalLog.objects.filter(document=doc).order_by("pk")
    assert list(trail.values_list("action", "actor")) == [("submit", teacher.pk), ("skip", None)]
    assert list(Version.objects.filter(document=doc).values_list("action", flat=True)) == ["create"]
    assert Notification.objects.filter(user=head, document=doc, event="task").count() == 1
    page = client.get(response["Location"]).content.decode()
    assert f"已提交审批 {doc.name}" in page


def test_bad_input_comes_back_with_the_reason_and_keeps_nothing(users, item):
    teacher = users["teacher"]
    before = kept()
    response = signed_in(teacher).post(SAVE_AND_START, form(teacher, item, purpose=""))
    assert response.status_code == 400
    page = response.content.decode()
    assert "未保存，请修改以下问题" in page and 'id="btn-save-start"' in page
    assert kept() == before


def test_a_refused_submission_rolls_back_the_new_document_and_its_number(users, item):
    """The flow was switched off after the form was shown: the document is not kept as a
    draft either, and the number it would have taken is free again."""
    teacher = users["teacher"]
    signed_in(teacher).post(NEW, form(teacher, item))  # a draft: the year's series exists
    series = list(NamingSeries.objects.values_list("prefix", "current"))
    Workflow.objects.filter(doctype=MR).update(is_active=False)
    before = kept()
    response = signed_in(teacher).post(SAVE_AND_START, form(teacher, item))
    assert response.status_code == 409
    assert "此类单据没有审批流程" in response.content.decode()
    assert kept() == before
    assert list(NamingSeries.objects.values_list("prefix", "current")) == series


def test_someone_who_may_not_create_requisitions_is_refused_and_nothing_is_kept(users, item):
    before = kept()
    response = signed_in(users["worker"]).post(SAVE_AND_START, form(users["teacher"], item))
    assert response.status_code == 403  # a repair worker raises no requisitions
    assert kept() == before


def saved_draft(teacher: User, item: Document) -> tuple[Client, Document, str]:
    """The teacher's desk with a draft saved from the new form, and its 提交审批 address."""
    client = signed_in(teacher)
    client.post(NEW, form(teacher, item))
    draft = Document.objects.get(doctype=MR, owner=teacher)
    return client, draft, f"/app/approvals/save/Material%20Requisition/{draft.name}"


def test_submitting_an_edited_draft_saves_the_edits_first(users, item):
    """提交审批 on a draft's panel posts the form as it stands: the approvers see the edits."""
    teacher = users["teacher"]
    client, draft, save_and_start = saved_draft(teacher, item)
    page = client.get(f"/app/material-requisition/{draft.name}").content.decode()
    assert f'formaction="{save_and_start}"' in page

    response = client.post(
        save_and_start, form(teacher, item, purpose="改为购买投影仪", rate="2000")
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.data["purpose"], draft.grand_total) == ("改为购买投影仪", 6000)
    assert draft.workflow_state == "部门负责人审批"
    route = ApprovalLog.objects.filter(document=draft).values_list("action", flat=True)
    assert list(route) == ["submit"]  # 6,000 yuan: the principal's step is not skipped


def test_a_refused_save_and_submit_keeps_the_draft_as_it_was(users, item):
    teacher = users["teacher"]
    client, draft, save_and_start = saved_draft(teacher, item)
    before = kept()

    bad = client.post(save_and_start, form(teacher, item, purpose=""))
    assert bad.status_code == 400 and "未保存，请修改以下问题" in bad.content.decode()
    Workflow.objects.filter(doctype=MR).update(is_active=False)
    refused = client.post(save_and_start, form(teacher, item, purpose="新的用途"))
    assert refused.status_code == 409

    draft.refresh_from_db()
    assert (draft.data["purpose"], draft.workflow_state) == ("多媒体教室设备", "")
    assert kept() == before
    assert Version.objects.filter(document=draft).count() == 1  # only its creation


@pytest.mark.parametrize(
    "doctype, who",
    [
        ("material-requisition", "teacher"),
        ("repair-ticket", "teacher"),
        ("tender", "purchaser"),
        ("meal-fee-refund", "teacher"),
    ],
)
def test_every_shipped_flow_plans_a_route_for_a_form_just_opened(users, doctype, who):
    """Nothing filled in yet: each DocType's formulas and controller meet empty values."""
    page = signed_in(users[who]).post(f"/app/approvals/new/{doctype}/route", {})
    assert page.status_code == 200
    assert 'id="route-preview"' in page.content.decode()


def test_the_route_of_a_form_without_a_department_yet_uses_the_requesters_own(users, item):
    """申请部门 cannot be saved empty and starts as the user's own: until it is chosen, the
    head's step names that department's head, as 试一试 does, not the admin fallback."""
    teacher = users["teacher"]
    empty = {**form(teacher, item), "department": ""}

    page = signed_in(teacher).post(ROUTE, empty).content.decode()

    first = page[page.index("部门负责人审批") : page.index("总务处审核")]
    assert users["head"].display_name in first
    assert "未找到审批人" not in page and "转交管理员" not in page
    assert "申请部门未填写，按您所在的部门“语文组”预估" in page
    chosen = signed_in(teacher).post(ROUTE, form(teacher, item)).content.decode()
    assert 'id="route-assumed-department"' not in chosen


def bar_button(user: User, draft: Document) -> str:
    """The 提交审批 the form's action bar would offer this user on the draft."""
    from django.test import RequestFactory

    from school_logistics.core.registry import get_meta
    from school_logistics.workflow.panel_views import start_bar_button

    request = RequestFactory().get("/")
    request.user = user
    return start_bar_button(request, get_meta(MR), Document.objects.get(pk=draft.pk))


def test_a_returned_draft_offers_resubmission_in_the_action_bar_to_its_owner_only(
    users, item, outsider
):
    """On a phone the bar at the bottom is where the main action belongs, not below the form."""
    from school_logistics.workflow import actions
    from tests.workflow.conftest import pending

    teacher = users["teacher"]
    _client, draft, save_and_start = saved_draft(teacher, item)
    assert "提交审批" in bar_button(teacher, draft)
    actions.start_approval(MR, draft.name, actor=teacher)
    assert bar_button(teacher, draft) == ""  # running: nothing to send
    task = pending(draft, users["head"])
    actions.return_for_revision(task.pk, actor=users["head"], comment="请补充规格")

    button = bar_button(teacher, draft)
    assert "重新提交审批" in button
    assert 'form="doc-form"' in button and f'formaction="{save_and_start}"' in button
    page = signed_in(teacher).get(f"/app/material-requisition/{draft.name}").content.decode()
    assert 'id="approval-start-form"' in page  # the panel keeps its own button
    bar = page.split('id="form-actions"')[1].split("</div>")[0]
    assert 'id="btn-start-approval-bar"' in bar and "重新提交审批" in bar
    assert bar_button(users["colleague"], draft) == ""
    assert bar_button(outsider, draft) == ""
