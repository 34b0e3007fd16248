"""停用 / 启用: a form made in the designer waits until it is turned on; a stopped form takes no
new documents but the ones made earlier stay readable and finish their approvals."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from school_logistics.api.keys import issue_api_key
from school_logistics.core import services
from school_logistics.core.doctype_sync import sync_doctypes
from school_logistics.core.models import DocType, Document, User
from school_logistics.core.registry import get_meta
from school_logistics.designer import services as designer
from school_logistics.designer.models import DocTypeVersion
from school_logistics.workflow import actions
from school_logistics.workflow.models import ApprovalTask, TaskStatus
from tests.designer.conftest import VR
from tests.workflow.conftest import requisition

MR = "Material Requisition"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_form_made_on_the_designer_page_waits_until_it_is_turned_on(users):
    admin, teacher = client_for(users["admin"]), client_for(users["teacher"])
    made = admin.post("/app/designer/", {"label": "场地借用", "name": "Venue Booking"})
    assert made.status_code == 302 and DocType.objects.get(name="Venue Booking").disabled
    editor = admin.get(made.url).content.decode()
    assert 'id="state-note"' in editor and 'id="btn-enable"' in editor

    assert "场地借用" not in teacher.get("/app/").content.decode()
    refused = teacher.get("/app/venue-booking/new")
    assert refused.status_code == 403 and "“场地借用”已停用，不能新建" in refused.content.decode()
    # The administrator may try it out, and is told that nobody else can yet.
    trial = admin.get("/app/venue-booking/new")
    assert trial.status_code == 200 and 'id="disabled-note"' in trial.content.decode()

    turned_on = admin.post("/app/designer/venue-booking/state", {"disabled": "0"})
    assert turned_on.status_code == 302 and not get_meta("Venue Booking").disabled
    assert "场地借用" in teacher.get("/app/").content.decode()
    assert teacher.get("/app/venue-booking/new").status_code == 200
    latest = DocTypeVersion.objects.filter(doctype="Venue Booking").first()
    assert (latest.action, latest.summary, latest.actor) == ("enable", "启用", users["admin"])


def test_a_stopped_form_refuses_new_documents_on_the_page_the_service_and_the_api(
    vehicle_request, users
):
    teacher = users["teacher"]
    trip = {"trip_date": "2026-12-10", "vehicle": "大客车"}
    kept = services.create_document(VR, {"destination": "市科技馆", **trip}, actor=teacher)
    designer.set_disabled(VR, True, actor=users["admin"])

    with pytest.raises(PermissionDenied, match="已停用"):
        services.create_document(VR, {"destination": "博物馆", **trip}, actor=teacher)
    posted = client_for(teacher).post("/app/vehicle-request/new", {"destination": "博物馆", **trip})
    assert posted.status_code == 403
    issued = issue_api_key(teacher, actor=teacher)
    api = Client(headers={"Authorization": f"token {issued.key}:{issued.secret}"})
    created = api.post(
        "/api/resource/Vehicle Request",
        {"destination": "博物馆", **trip},
        content_type="application/json",
    )
    assert created.status_code == 403
    # What was made before stays the teacher's to read and to carry on with.
    assert client_for(teacher).get(f"/app/vehicle-request/{kept.name}").status_code == 200
    services.save_document(VR, kept.name, {"destination": "市博物馆", **trip}, actor=teacher)
    kept.refresh_from_db()
    assert kept.data["destination"] == "市博物馆"
    assert Document.objects.filter(doctype=VR).count() == 1


@pytest.mark.workflows
def test_a_stopped_built_in_form_still_finishes_the_approvals_under_way(users, heads):
    teacher = users["teacher"]
    item = services.create_document(
        "Item",
        {"item_code": "P-A4", "item_name": "A4复印纸", "uom": "箱", "category": "办公用品"},
        actor=users["admin"],
    )
    under_way = requisition(teacher, "300", item)
    services.send_document(MR, under_way.name, actor=teacher)
    designer.set_disabled(MR, True, actor=users["admin"])

    with pytest.raises(PermissionDenied, match="已停用"):
        requisition(teacher, "200", item)
    while task := ApprovalTask.objects.filter(
        document=under_way, status=TaskStatus.PENDING
    ).first():
        actions.approve(task.pk, actor=task.assignee)
    under_way.refresh_from_db()
    assert under_way.docstatus == 1


def test_neither_a_designer_save_nor_a_resync_turns_a_stopped_form_back_on(users):
    admin = users["admin"]
    designer.set_disabled(MR, True, actor=admin)
    definition = designer.editable_definition(MR)
    designer.save_doctype(MR, {**definition, "label": "申购单"}, actor=admin)
    sync_doctypes()
    meta = get_meta(MR)
    assert meta.disabled and meta.label == "申购单"
    assert "已停用" in client_for(admin).get("/app/designer/").content.decode()


def test_only_the_form_designer_stops_a_form(vehicle_request, users):
    before = DocTypeVersion.objects.count()
    response = client_for(users["purchaser"]).post(
        "/app/designer/vehicle-request/state", {"disabled": "1"}
    )
    assert response.status_code == 403
    assert not get_meta(VR).disabled and DocTypeVersion.objects.count() == before
