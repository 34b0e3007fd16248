"""Safety inspections (安全工作台帐): each hazard found goes to its responsible person as a 隐患整改单
with a deadline, and is closed only when the inspector's re-check passes (限期整改，并进行复查)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.services import DocumentStateError
from school_logistics.core.validation import DocumentValidationError
from school_logistics.workflow import actions
from school_logistics.workflow.models import ApprovalLog, ApprovalProcess, ProcessStatus
from tests.assets.factories import make_room
from tests.workflow.conftest import pending

INSPECTION = "Safety Inspection"
RECTIFICATION = "Hazard Rectification"


@pytest.fixture
def dorm(users: dict[str, User]) -> Document:
    return make_room(users["storekeeper"], "男生宿舍1号楼101", users["head"], purpose="宿舍")


def inspect(users, dorm, *, deadline_in: int = 3, **values) -> Document:
    today = timezone.localdate()
    return services.create_document(
        INSPECTION,
        {
            "title": "12 月校园安全大检查",
            "inspection_type": "月度安全检查",
            "area": "学生宿舍",
            "conclusion": "发现隐患 1 处",
            "findings": [
                {
                    "location": dorm.name,
                    "hazard": "走廊应急照明灯不亮",
                    "severity": "较大",
                    "responsible": "worker",
                    "deadline": today + dt.timedelta(days=deadline_in),
                }
            ],
            **values,
        },
        actor=users["purchaser"],
    )


def test_each_hazard_found_is_handed_to_its_responsible_person(users, dorm):
    doc = inspect(users, dorm)
    assert doc.data["hazard_count"] == 1
    doc = services.submit_document(INSPECTION, doc.name, actor=users["purchaser"])
    fix = Document.objects.get(doctype=RECTIFICATION)
    assert doc.data["findings"][0]["rectification"] == fix.name
    assert (fix.title, fix.data["responsible"], fix.data["inspector"]) == (
        "走廊应急照明灯不亮",
        "worker",
        "purchaser",
    )
    assert fix.data["inspection"] == doc.name and fix.data["location_name"] == "男生宿舍1号楼101"


def test_a_deadline_before_the_inspection_is_refused(users, dorm):
    with pytest.raises(DocumentValidationError) as exc:
        inspect(users, dorm, deadline_in=-1)
    assert "整改期限不能早于检查日期" in str(exc.value.messages())


@pytest.mark.workflows
def test_a_hazard_is_closed_only_when_the_inspectors_recheck_passes(users, dorm):
    doc = inspect(users, dorm)
    services.submit_document(INSPECTION, doc.name, actor=users["purchaser"])
    fix = Document.objects.get(doctype=RECTIFICATION)
    assert (fix.docstatus, fix.workflow_state) == (DocStatus.DRAFT, "限期整改")
    task = pending(fix, users["worker"])
    with pytest.raises(Exception, match="整改措施"):
        actions.approve(task.pk, actor=users["worker"])  # what was done must be said
    found = doc.data["inspection_date"]
    before = dt.date.fromisoformat(found) - dt.timedelta(days=1)
    with pytest.raises(DocumentValidationError) as early:  # fixed before it was found
        services.save_document(
            RECTIFICATION, fix.name, {"measures": "更换应急灯", "rectified_on": before},
            actor=users["worker"],
        )  # fmt: skip
    assert early.value.errors == {"rectified_on": [f"整改完成日期不能早于发现隐患的日期 {found}"]}
    services.save_document(
        RECTIFICATION,
        fix.name,
        {"measures": "更换应急灯 2 盏", "rectified_on": timezone.localdate()},
        actor=users["worker"],
    )
    actions.approve(task.pk, actor=users["worker"])
    fix.refresh_from_db()
    assert fix.workflow_state == "复查"
    # Not good enough: back to the responsible person, who fixes it again.
    actions.reject(
        pending(fix, users["purchaser"]).pk, actor=users["purchaser"], comment="仍有一盏不亮"
    )
    fix.refresh_from_db()
    assert (fix.docstatus, fix.workflow_state) == (DocStatus.DRAFT, "限期整改")
    assert fix.data.get("rectified_on") is None  # not rectified after all: said again when it is
    services.save_document(
        RECTIFICATION, fix.name, {"rectified_on": timezone.localdate()}, actor=users["worker"]
    )
    actions.approve(pending(fix, users["worker"]).pk, actor=users["worker"])
    actions.approve(pending(fix, users["purchaser"]).pk, actor=users["purchaser"])
    fix.refresh_from_db()
    assert (fix.docstatus, fix.workflow_state) == (DocStatus.SUBMITTED, "已整改")


@pytest.mark.workflows
def test_the_office_home_lists_hazards_still_open_overdue_first(client, users, dorm):
    late = inspect(users, dorm, deadline_in=0)
    services.submit_document(INSPECTION, late.name, actor=users["purchaser"])
    Document.objects.filter(doctype=RECTIFICATION).update(
        data={
            **Document.objects.get(doctype=RECTIFICATION).data,
            "deadline": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
        }
    )
    client.force_login(users["principal"])
    home = client.get("/app/").content.decode()
    assert 'id="home-hazards"' in home and "逾期 1" in home
    client.force_login(users["teacher"])
    assert 'id="home-hazards"' not in client.get("/app/").content.decode()


@pytest.mark.workflows
def test_an_inspection_is_cancelled_only_after_its_rectifications(users, dorm):
    from school_logistics.workflow.requester import withdraw

    doc = inspect(users, dorm)
    services.submit_document(INSPECTION, doc.name, actor=users["purchaser"])
    fix = Document.objects.get(doctype=RECTIFICATION)
    with pytest.raises(DocumentValidationError) as refused:
        services.cancel_document(INSPECTION, doc.name, actor=users["purchaser"])
    assert refused.value.messages() == [
        f"请先撤回并删除进行中的隐患整改单、作废已完成的整改单：{fix.name}（限期整改）"
    ]
    doc.refresh_from_db()
    assert doc.docstatus == DocStatus.SUBMITTED
    withdraw(RECTIFICATION, fix.name, actor=users["purchaser"], comment="检查记录有误")
    services.delete_document(RECTIFICATION, fix.name, actor=users["purchaser"])
    doc = services.cancel_document(INSPECTION, doc.name, actor=users["purchaser"])
    assert doc.docstatus == DocStatus.CANCELLED


@pytest.mark.workflows
def test_the_responsible_person_cannot_reject_a_hazard_but_can_return_it(client, users, dorm):
    """整改责任人 may not close the hazard handed to them; they return it to the inspector
    (who may name someone else) or hand it over. Nothing changes on a refused reject."""
    doc = inspect(users, dorm)
    services.submit_document(INSPECTION, doc.name, actor=users["purchaser"])
    fix = Document.objects.get(doctype=RECTIFICATION)
    task = pending(fix, users["worker"])
    client.force_login(users["worker"])
    page = client.get(f"/app/hazard-rectification/{fix.name}").content.decode()
    assert 'id="btn-approve"' in page and 'id="btn-reject"' not in page
    assert 'id="btn-return"' in page

    logged = ApprovalLog.objects.filter(document=fix).count()
    with pytest.raises(DocumentStateError, match="此步不能拒绝"):
        actions.reject(task.pk, actor=users["worker"], comment="不归我管")
    fix.refresh_from_db()
    assert fix.workflow_state == "限期整改"
    assert pending(fix, users["worker"]).pk == task.pk
    assert ApprovalLog.objects.filter(document=fix).count() == logged

    actions.return_for_revision(task.pk, actor=users["worker"], comment="应急灯归电工班管")
    process = ApprovalProcess.objects.get(document=fix, is_current=True)
    fix.refresh_from_db()
    assert process.status == ProcessStatus.RETURNED
    assert (fix.docstatus, fix.workflow_state) == (DocStatus.DRAFT, "已退回")
