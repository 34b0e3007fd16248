"""The demo school `make run` loads: who can sign in, what documents it holds, and the sums."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from school_logistics.core.models import Comment, Department, Document, School, User, Version
from school_logistics.core.models.document import DocStatus
from school_logistics.demo import DemoAlreadyLoaded, load_demo
from school_logistics.demo.approvals import governed
from school_logistics.demo.letterhead import LETTERHEAD
from school_logistics.demo.org import PASSWORD, USERS
from school_logistics.printing.models import Letterhead
from school_logistics.printing.services import print_document
from school_logistics.purchasing.contracts import deliveries
from school_logistics.workflow.trail import approval_trail
from tests.printing.conftest import pdf_text

pytestmark = pytest.mark.django_db
README_LOGINS = ["teacher", "head", "purchaser", "storekeeper", "worker", "canteen", "finance",
                 "principal", "admin"]  # fmt: skip
REQ = "Material Requisition"


def docs(doctype: str) -> list[Document]:
    school = School.objects.get(code="demo")
    return list(Document.objects.filter(doctype=doctype, school=school).order_by("name"))


def test_demo_school_has_departments_with_heads_and_a_catalogue(demo: dict[str, Any]) -> None:
    school = School.objects.get(code="demo")
    heads = dict(Department.objects.filter(school=school).values_list("name", "head__username"))

    assert school.name == "清河区实验中学" and demo["school"] == "demo"
    assert len(heads) >= 8 and all(heads.values()), heads
    assert heads["语文组"] == "head" and heads["校长室"] == "principal"
    assert Department.objects.get(school=school, name="总务处").parent.name == "校长室"
    assert len(docs("Item")) >= 60
    assert len(docs("Supplier")) >= 8
    assert all(d.data["custodian"] for d in docs("Location"))
    classes = {d.data["class_name"] for d in docs("Student")}
    assert len(docs("Student")) >= 40 and len(classes) >= 2


def test_each_class_has_its_class_teacher_who_filed_its_refunds_and_orders(
    demo: dict[str, Any],
) -> None:
    teachers = {d.data["class_name"]: d.data["class_teacher"] for d in docs("School Class")}
    assert teachers == {"七年级(1)班": "teacher", "七年级(2)班": "teacher2", "八年级(1)班": "head2"}
    assert all(d.name.startswith("BJ-") for d in docs("School Class"))
    assert all(d.data["classroom"] for d in docs("School Class"))
    assert {d.data["class_name"] for d in docs("Student")} == set(teachers)
    filed = docs("Meal Fee Refund") + docs("Student Supply Order") + docs("Student Aid")
    assert len(filed) >= 6
    assert all(teachers[d.data["class_name"]] == d.owner.username for d in filed)
    neighbour = Document.objects.filter(doctype="School Class", school__code="demo2")
    assert [(d.title, d.data["class_teacher"]) for d in neighbour] == [("一年级(1)班", None)]


def test_demo_school_prints_its_drawn_logo_and_letterhead(demo: dict[str, Any], tmp_path) -> None:
    letterhead = Letterhead.objects.get(school__code="demo")
    assert letterhead.text == LETTERHEAD and "演示" in LETTERHEAD
    assert Image.open(io.BytesIO(letterhead.logo)).format == "PNG"
    pdf = print_document(docs(REQ)[0], actor=User.objects.get(username="admin")).content
    assert [img.image.size for img in PdfReader(io.BytesIO(pdf)).pages[0].images] == [(400, 400)]
    assert "校训：勤学 守正 笃行" in pdf_text(pdf, tmp_path)


def test_item_prices_are_exact_decimals_and_one_certificate_expires_within_a_month(
    demo: dict[str, Any],
) -> None:
    prices = [Decimal(d.data["reference_price"]) for d in docs("Item")]
    soon = timezone.localdate() + dt.timedelta(days=30)
    expiring = [d for d in docs("Supplier") if d.data["earliest_expiry"] <= soon.isoformat()]

    assert all(p > 0 and p == p.quantize(Decimal("0.01")) for p in prices)
    assert len(expiring) == 1


def test_every_demo_login_signs_in_with_the_published_password_and_holds_its_role(
    demo: dict[str, Any],
) -> None:
    logins = {username: password for username, _label, password in demo["logins"]}

    assert set(README_LOGINS) <= set(logins)
    assert set(logins.values()) == {PASSWORD}
    for spec in USERS:
        user = authenticate(username=spec.username, password=PASSWORD)
        assert user is not None, spec.username
        assert user.role_codes() == frozenset(spec.roles)
        assert user.school.code == "demo" and user.department.name == spec.department
    assert authenticate(username="teacher", password="wrong-password") is None


def test_requisitions_exist_in_draft_submitted_cancelled_and_amended_states(
    demo: dict[str, Any],
) -> None:
    reqs = docs(REQ)
    by_status = {s: [d for d in reqs if d.docstatus == s] for s in DocStatus.values}
    original = Document.objects.get(doctype=REQ, name=demo["documents"]["office_supplies_original"])
    amended = Document.objects.get(doctype=REQ, name=demo["documents"]["office_supplies"])

    assert all(by_status.values()), {s: len(d) for s, d in by_status.items()}
    assert original.docstatus == DocStatus.CANCELLED
    assert amended.name == original.name + "-1" and amended.amended_from == original.name
    assert amended.docstatus == DocStatus.SUBMITTED
    assert len({d.department.name for d in reqs}) >= 4
    assert any(d.grand_total >= 5000 for d in reqs) and any(d.grand_total < 1000 for d in reqs)
    assert {"cancel", "amend", "submit"} <= set(
        Version.objects.filter(document__doctype=REQ).values_list("action", flat=True)
    )
    assert Comment.objects.filter(document__doctype=REQ).exists()


def test_requisitions_waiting_for_approval_sit_in_the_approvers_inboxes(
    demo: dict[str, Any],
) -> None:
    school = School.objects.get(code="demo")
    if not governed(REQ, school.pk):
        pytest.skip("no approval flow governs requisitions in this build")
    from school_logistics.workflow.models import ApprovalTask, TaskStatus

    def waiting_for(key: str) -> set[str]:
        return set(
            ApprovalTask.objects.filter(
                document__doctype=REQ, document__name=demo["documents"][key],
                status=TaskStatus.PENDING,
            ).values_list("assignee__username", flat=True)
        )  # fmt: skip

    assert waiting_for("reading_corner") == {"head"}
    assert waiting_for("projectors") == {"principal"}
    assert "logistics" in waiting_for("canteen_supplies")
    assert waiting_for("exam_paper") == set()


def test_totals_equal_the_sum_of_their_rows(demo: dict[str, Any]) -> None:
    for req in docs(REQ):
        rows = req.data["items"]
        for row in rows:
            assert Decimal(row["amount"]) == Decimal(row["qty"]) * Decimal(row["rate"])
        assert req.grand_total == sum(Decimal(r["amount"]) for r in rows), req.name
    for refund in docs("Meal Fee Refund"):
        rate = Decimal(refund.data["meal_rate"])
        rows = refund.data["students"]
        assert all(Decimal(r["refund_amount"]) == r["missed_meals"] * rate for r in rows)
        assert refund.grand_total == sum(Decimal(r["refund_amount"]) for r in rows)
    for ticket in docs("Repair Ticket"):
        parts = sum((Decimal(p["amount"]) for p in ticket.data.get("parts") or []), Decimal(0))
        labour = Decimal(ticket.data.get("labour_cost") or 0)
        assert ticket.grand_total == parts + labour, ticket.name
    tender = Document.objects.get(doctype="Tender", name=demo["documents"]["tender_staples"])
    bids = {b["supplier"]: Decimal(b["price"]) for b in tender.data["bids"]}
    assert (tender.docstatus, tender.workflow_state) == (DocStatus.SUBMITTED, "已定标")
    assert tender.grand_total == bids[tender.data["awarded_supplier"]] == min(bids.values())
    contract = Document.objects.get(
        doctype="Purchase Contract", name=demo["documents"]["contract_staples"]
    )
    assert (contract.docstatus, contract.workflow_state) == (DocStatus.SUBMITTED, "已生效")
    assert contract.data["supplier"] == tender.data["awarded_supplier"]
    assert contract.grand_total == tender.grand_total
    rows, receipts = deliveries(contract)
    assert [(r.item, r.remaining) for r in rows if r.remaining] == [("ST-RICE", 10)]
    assert [r.docstatus for r in receipts] == [DocStatus.SUBMITTED]


def test_repairs_and_refunds_cover_their_stages_in_the_right_months(demo: dict[str, Any]) -> None:
    names = demo["documents"]
    confirmed = Document.objects.get(doctype="Repair Ticket", name=names["repair_confirmed"])
    assigned = Document.objects.get(doctype="Repair Ticket", name=names["repair_assigned"])
    cancelled = Document.objects.get(doctype="Repair Ticket", name=names["repair_cancelled"])
    today = timezone.localdate()
    previous = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)

    assert confirmed.data["reporter_confirmed"] and confirmed.data["completed_on"]
    assert assigned.data["assigned_to"] == "worker" and not assigned.data["completed_on"]
    assert cancelled.docstatus == DocStatus.CANCELLED
    assert {d.docstatus for d in docs("Repair Ticket")} == set(DocStatus.values)
    assert {d.data["month"] for d in docs("Meal Fee Refund")} == {previous.strftime("%Y-%m")}
    # An asset's date is when it was acquired (years ago); a hazard's, the deadline ahead; a
    # menu's, the week it is for (published a week ahead); a repair's, when it was reported
    # (the canteen's repeated faults go back three months, for 维修统计's upkeep advice).
    dated = Document.objects.filter(school__code="demo", posting_date__isnull=False).exclude(
        doctype__in=["Asset", "Hazard Rectification", "Weekly Menu", "Repair Ticket"]
    )
    assert all(previous <= d.posting_date <= today for d in dated)


def test_repair_tickets_wait_at_every_stage_of_their_flow(demo: dict[str, Any]) -> None:
    school = School.objects.get(code="demo")
    if not governed("Repair Ticket", school.pk):
        pytest.skip("no approval flow governs repair tickets in this build")
    from school_logistics.workflow.models import ApprovalProcess, ApprovalTask, TaskStatus

    def ticket(key: str) -> Document:
        return Document.objects.get(doctype="Repair Ticket", name=demo["documents"][key])

    def waiting(key: str) -> dict[str, str]:
        tasks = ApprovalTask.objects.filter(document=ticket(key), status=TaskStatus.PENDING)
        return dict(tasks.values_list("assignee__username", "step"))

    assert waiting("repair_reported") == {
        "purchaser": "dispatch_urgent", "logistics": "dispatch_urgent",
    }  # fmt: skip
    assert waiting("repair_assigned")["worker"] == "repair_urgent"
    assert waiting("repair_completed") == {"teacher2": "confirm"}
    assert waiting("repair_reopened")["worker"] == "repair"
    assert ticket("repair_reopened").workflow_state == "维修"
    reopened = [(e.step, e.action) for e in approval_trail(ticket("repair_reopened"))]
    assert ("报修人确认", "重新报修") in reopened  # the reporter's 重新报修, not a 退回
    rejected = ApprovalProcess.objects.get(document=ticket("repair_rejected"), is_current=True)
    assert rejected.status == "rejected"
    confirmed = ticket("repair_confirmed")
    assert confirmed.docstatus == DocStatus.SUBMITTED and confirmed.workflow_state == "已修好"
    steps = set(
        ApprovalTask.objects.filter(document=confirmed, status=TaskStatus.APPROVED).values_list(
            "step", flat=True
        )
    )
    assert steps == {"dispatch", "repair", "confirm"}
    worker = User.objects.get(username="worker")
    assert ApprovalTask.objects.filter(assignee=worker, status=TaskStatus.PENDING).count() == 2


def test_loading_twice_refuses_with_a_clear_message_and_changes_nothing(
    demo: dict[str, Any],
) -> None:
    before = (Document.objects.count(), User.objects.count(), Version.objects.count())

    with pytest.raises(DemoAlreadyLoaded, match="演示学校“清河区实验中学”.*已存在"):
        load_demo()

    assert (Document.objects.count(), User.objects.count(), Version.objects.count()) == before
    assert School.objects.filter(code="demo").count() == 1


def test_the_district_admin_designs_the_shared_forms_and_the_daily_logs_are_in_use(
    demo: dict[str, Any], client: Any
) -> None:
    from school_logistics.designer.services import may_design

    assert "district_admin" in {username for username, _label, _pw in demo["logins"]}
    assert may_design(User.objects.get(username="district_admin"))
    assert not may_design(User.objects.get(username="admin"))  # the forms are the district's
    written = {
        doctype: docs(doctype)
        for doctype in ("Visitor Registration", "Food Sample Retention", "Disinfection Record",
                        "Dormitory Duty Log", "Logistics Work Log")
    }  # fmt: skip
    assert all(written.values()), written
    life = User.objects.get(username="life")
    assert {d.owner for d in written["Dormitory Duty Log"]} == {life}
    client.force_login(life)
    assert client.get("/app/dormitory-duty-log/new").status_code == 200
