"""The trail reads in the order the route runs: a skipped step where the run passed it, and a
resubmitted document's submissions each under its own heading."""

from __future__ import annotations

import pytest
from django.test import Client

from school_logistics.workflow import actions
from school_logistics.workflow.trail import approval_rounds, approval_trail
from tests.workflow.conftest import pending, requisition
from tests.workflow.test_modes import step, use_flow

pytestmark = [pytest.mark.workflows, pytest.mark.usefixtures("heads")]
MR = "Material Requisition"
# A step the requisitions of 语文组 skip (the condition names another department).
CANTEEN_ONLY = {"all": [{"field": "department", "op": "==", "value": "食堂"}]}


def trail_of(doc) -> list[tuple[str, str]]:
    return [(e.step, e.action) for e in approval_trail(doc)]


def approve(doc, user) -> None:
    actions.approve(pending(doc, user).pk, actor=user, comment="同意")


def test_the_principal_skipped_below_the_threshold_shows_after_the_last_approval(users, item):
    doc = requisition(users["teacher"], "4000", item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    assert trail_of(doc) == [("", "提交")]  # the run has not got that far yet

    approve(doc, users["head"])
    approve(doc, users["purchaser"])
    assert trail_of(doc) == [
        ("", "提交"),
        ("部门负责人审批", "同意"),
        ("总务处审核", "同意"),
        ("校长审批", "跳过"),
    ]
    trail = approval_trail(doc)
    # Shown at the moment the run passed the step: not before the approvals above it.
    assert trail[-1].at >= trail[-2].at


def test_a_skipped_first_step_shows_right_after_the_submission(users, item):
    use_flow(
        step("canteen_check", "any", condition=CANTEEN_ONLY),
        {"key": "head", "label": "部门负责人审批", "approvers": [{"type": "department_head"}]},
    )
    doc = requisition(users["teacher"], "100", item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    assert trail_of(doc) == [("", "提交"), ("canteen_check", "跳过")]


def test_a_skipped_middle_step_shows_between_the_steps_around_it(users, item):
    use_flow(
        step("first", "any"),
        step("canteen_check", "any", condition=CANTEEN_ONLY),
        {"key": "head", "label": "部门负责人审批", "approvers": [{"type": "department_head"}]},
    )
    doc = requisition(users["teacher"], "100", item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    approve(doc, users["purchaser"])
    waiting = [("", "提交"), ("first", "同意"), ("canteen_check", "跳过")]
    assert trail_of(doc) == waiting  # the head has not decided: the run is past the skip

    approve(doc, users["head"])
    assert trail_of(doc) == [*waiting, ("部门负责人审批", "同意")]


def test_a_step_passed_twice_after_a_return_shows_its_skip_once(users, item):
    use_flow(
        step("first", "any"),
        step("canteen_check", "any", condition=CANTEEN_ONLY),
        {"key": "head", "label": "部门负责人审批", "approvers": [{"type": "department_head"}]},
    )
    doc = requisition(users["teacher"], "100", item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    approve(doc, users["purchaser"])
    task = pending(doc, users["head"])
    actions.return_for_revision(task.pk, actor=users["head"], comment="再核实", to_step="first")
    approve(doc, users["purchaser"])
    approve(doc, users["head"])
    assert trail_of(doc) == [
        ("", "提交"),
        ("first", "同意"),
        ("canteen_check", "跳过"),
        ("部门负责人审批", "退回"),
        ("first", "同意"),
        ("部门负责人审批", "同意"),
    ]


def returned_then_approved(users, item):
    """A 4,000-yuan requisition returned by 总务处, resubmitted and approved to the end."""
    doc = requisition(users["teacher"], "4000", item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    approve(doc, users["head"])
    task = pending(doc, users["purchaser"])
    actions.return_for_revision(task.pk, actor=users["purchaser"], comment="请补充用途")
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    approve(doc, users["head"])
    approve(doc, users["purchaser"])
    return doc


def test_a_resubmitted_requisition_shows_its_skip_once_in_the_round_that_passed_it(users, item):
    doc = returned_then_approved(users, item)
    first, second = approval_rounds(doc)
    assert (first.number, first.status, first.current) == (1, "已退回", False)
    assert [(e.step, e.action) for e in first.entries] == [
        ("", "提交"),
        ("部门负责人审批", "同意"),
        ("总务处审核", "退回"),
    ]
    assert (second.number, second.status, second.current) == (2, "已通过", True)
    assert [(e.step, e.action) for e in second.entries] == [
        ("", "重新提交"),
        ("部门负责人审批", "同意"),
        ("总务处审核", "同意"),
        ("校长审批", "跳过"),
    ]
    assert [a for _, a in trail_of(doc)].count("跳过") == 1


def test_the_page_heads_each_submission_and_dims_the_earlier_ones(users, item):
    doc = returned_then_approved(users, item)
    client = Client()
    client.force_login(users["teacher"])
    page = client.get(f"/app/material-requisition/{doc.name}").content.decode()
    trail = page[page.index('id="approval-trail"') :]
    trail = trail[: trail.index("</ul>")]
    assert trail.index("第 1 次提交 · 已退回") < trail.index("请补充用途")
    assert trail.index("请补充用途") < trail.index("第 2 次提交 · 已通过")
    assert trail.count('class="earlier"') == 3  # the first submission's three lines


def test_a_document_submitted_once_has_no_submission_heading(users, item):
    doc = requisition(users["teacher"], "4000", item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    client = Client()
    client.force_login(users["teacher"])
    page = client.get(f"/app/material-requisition/{doc.name}").content.decode()
    assert 'id="approval-trail"' in page
    assert "次提交" not in page and "trail-round" not in page
