"""A failed re-check (复查不合格) sends the hazard back to be fixed: it is not rectified any more,
so the school's home and the district's overview count it as open, and overdue, alike."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.models import Document, School, User
from school_logistics.core.validation import DocumentValidationError
from school_logistics.district.overview import summaries
from school_logistics.workflow import actions
from tests.assets.factories import make_room
from tests.safety.test_inspections import RECTIFICATION, inspect
from tests.workflow.conftest import pending

pytestmark = pytest.mark.workflows


@pytest.fixture
def dorm(users: dict[str, User]) -> Document:
    return make_room(users["storekeeper"], "男生宿舍1号楼101", users["head"], purpose="宿舍")


def overdue_hazard(users: dict[str, User], room: Document) -> Document:
    """A hazard found ten days ago whose deadline passed three days ago."""
    today = timezone.localdate()
    doc = inspect(users, room, deadline_in=-3, inspection_date=today - dt.timedelta(days=10))
    services.submit_document("Safety Inspection", doc.name, actor=users["purchaser"])
    return Document.objects.get(doctype=RECTIFICATION, data__inspection=doc.name)


def test_a_failed_recheck_counts_the_hazard_as_overdue_again_everywhere(
    client, users: dict[str, User], dorm: Document, school: School
) -> None:
    overdue_hazard(users, dorm)
    fix = overdue_hazard(users, dorm)
    services.save_document(
        RECTIFICATION, fix.name,
        {"measures": "更换应急灯 2 盏", "rectified_on": timezone.localdate()},
        actor=users["worker"],
    )  # fmt: skip
    actions.approve(pending(fix, users["worker"]).pk, actor=users["worker"])
    actions.reject(
        pending(fix, users["purchaser"]).pk, actor=users["purchaser"], comment="仍有一盏不亮"
    )
    fix.refresh_from_db()
    assert fix.workflow_state == "限期整改"
    assert fix.data.get("rectified_on") is None
    (ours,) = summaries([school], timezone.localdate())
    client.force_login(users["principal"])
    home = client.get("/app/").content.decode()
    assert ours.overdue_hazards == 2 and "逾期 2" in home


def test_the_cleared_date_is_in_the_hazards_history_and_asked_for_again(
    users: dict[str, User], dorm: Document
) -> None:
    fix = overdue_hazard(users, dorm)
    today = timezone.localdate()
    services.save_document(
        RECTIFICATION, fix.name, {"measures": "更换应急灯", "rectified_on": today},
        actor=users["worker"],
    )  # fmt: skip
    actions.approve(pending(fix, users["worker"]).pk, actor=users["worker"])
    actions.reject(pending(fix, users["purchaser"]).pk, actor=users["purchaser"], comment="仍不亮")
    latest = fix.versions.order_by("-id").first()
    assert latest.actor == users["purchaser"]
    assert ["rectified_on", today.isoformat(), None] in latest.diff["changed"]
    with pytest.raises(DocumentValidationError, match="整改完成日期"):
        actions.approve(pending(fix, users["worker"]).pk, actor=users["worker"])


def test_the_fixers_task_is_due_at_the_end_of_the_deadline_not_after_a_fixed_time(
    users: dict[str, User], dorm: Document
) -> None:
    """限期整改: the job is overdue when the 整改期限 set on it has passed (3 days here), not
    after the step's 72 working hours."""
    doc = inspect(users, dorm, deadline_in=3)
    services.submit_document("Safety Inspection", doc.name, actor=users["purchaser"])
    fix = Document.objects.get(doctype=RECTIFICATION, data__inspection=doc.name)
    end = dt.datetime.combine(timezone.localdate() + dt.timedelta(days=4), dt.time.min)
    assert pending(fix, users["worker"]).due_at == timezone.make_aware(end)


def test_the_flow_editor_keeps_the_steps_options_it_has_no_inputs_for(
    client, users: dict[str, User], school: School
) -> None:
    """clear_on_reject and due_field ride through the editor's page and its save."""
    from school_logistics.workflow import editor
    from school_logistics.workflow.flows import workflow_for

    shipped = workflow_for(RECTIFICATION, school.pk)
    raw = shipped.latest().definition
    saved = editor.save_flow(RECTIFICATION, raw, actor=users["admin"], school=school)
    steps = {s["key"]: s for s in saved.definition["steps"]}
    assert steps["fix"]["due_field"] == "deadline"
    assert steps["recheck"]["clear_on_reject"] == ["rectified_on"]
    client.force_login(users["admin"])
    page = client.get("/app/approvals/flows/hazard-rectification/").content.decode()
    assert "clear_on_reject" in page and "due_field" in page
