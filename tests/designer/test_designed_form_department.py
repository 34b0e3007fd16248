"""A designed form with no 部门 field is its requester's department's: the department head
approves it (not the admins' fallback) and reads it under 仅本部门, as on the shipped forms."""

from __future__ import annotations

import pytest

from school_logistics.core import permissions, services
from school_logistics.core.models import Department, User
from school_logistics.core.registry import get_meta
from school_logistics.workflow import actions, editor
from school_logistics.workflow.models import ApprovalTask, TaskStatus
from tests.conftest import make_user
from tests.designer.conftest import VR

pytestmark = [pytest.mark.workflows, pytest.mark.usefixtures("heads", "vehicle_request")]


def _trip(user: User):
    return services.create_document(
        VR, {"destination": "区教研中心", "trip_date": "2026-12-20"}, actor=user
    )


def test_the_form_is_filed_under_the_requesters_department(users, departments):
    doc = _trip(users["teacher"])
    assert doc.department == departments["语文组"]


def test_its_department_head_reads_it_and_another_head_does_not(users, school, departments):
    doc = _trip(users["teacher"])
    meta = get_meta(VR)
    assert permissions.has_permission(users["head"], meta, "read", doc)
    maths_head = make_user(
        "maths", school, "teacher", "dept_head", department=departments["数学组"]
    )
    Department.objects.filter(pk=departments["数学组"].pk).update(head=maths_head)
    assert not permissions.has_permission(maths_head, meta, "read", doc)


def test_the_department_head_step_goes_to_the_head(users):
    flow = {
        "label": "用车审批",
        "steps": [
            {"key": "head", "label": "部门负责人审批", "approvers": [{"type": "department_head"}]}
        ],
    }
    editor.save_flow(VR, flow, actor=users["admin"], school=users["admin"].school)
    doc = _trip(users["teacher"])
    actions.start_approval(VR, doc.name, actor=users["teacher"])
    [task] = ApprovalTask.objects.filter(document=doc, status=TaskStatus.PENDING)
    assert task.assignee == users["head"]


def test_an_older_draft_takes_its_owners_department_when_they_save_it(users, departments):
    doc = _trip(users["teacher"])
    type(doc).objects.filter(pk=doc.pk).update(department=None)  # filed before the rule
    services.save_document(VR, doc.name, {"destination": "市图书馆"}, actor=users["teacher"])
    doc.refresh_from_db()
    assert doc.department == departments["语文组"]


def test_a_field_added_since_a_draft_was_saved_starts_at_its_default(users, departments):
    from school_logistics.designer import services as designer

    doc = _trip(users["teacher"])
    field = {"fieldname": "applicant_department", "fieldtype": "Link", "options": "Department",
             "label": "申请部门", "reqd": 1, "default": "__department"}  # fmt: skip
    designer.add_field(VR, field, actor=users["admin"])
    services.save_document(VR, doc.name, {"destination": "市图书馆"}, actor=users["teacher"])
    doc.refresh_from_db()
    assert doc.data["applicant_department"] == "语文组"
