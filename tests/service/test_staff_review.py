"""后勤考核: a month of each logistics staff member's measurable work — approvals handled and
how promptly, repairs and their ratings, feedback answered and its ratings, hazards put right
by their deadline — for the principal and for the head of the office they work in."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from school_logistics.core import services
from school_logistics.core.models import Document, User
from school_logistics.core.values import months_back
from school_logistics.service import staff_review
from school_logistics.workflow import actions
from school_logistics.workflow.models import ApprovalTask, TaskStatus
from tests.conftest import make_user
from tests.query_counts import page_statements
from tests.repairs.test_repair_flow import complete, dispatch, fresh, report
from tests.workflow.conftest import pending

pytestmark = pytest.mark.workflows
FEEDBACK = "Feedback"
HAZARD = "Hazard Rectification"


@pytest.fixture
def office(departments, users) -> User:
    """总务处主任 heads 总务处, and the canteen is under 总务处."""
    director = make_user("director", users["teacher"].school, "dept_head", "purchaser",
                         department=departments["总务处"])  # fmt: skip
    departments["总务处"].head = director
    departments["总务处"].save()
    departments["食堂"].parent = departments["总务处"]
    departments["食堂"].save()
    return director


def feedback(users, subject: str = "午餐偏咸") -> Document:
    doc = services.create_document(
        FEEDBACK, {"subject": subject, "category": "食堂伙食", "content": "炒菜偏咸"},
        actor=users["teacher"],
    )  # fmt: skip
    actions.start_approval(FEEDBACK, doc.name, actor=users["teacher"])
    return doc


def answer(doc: Document, users, *, late: bool = False) -> None:
    purchaser = users["purchaser"]
    task = pending(doc, purchaser)
    if late:  # its 48 hours ran out before the answer
        ApprovalTask.objects.filter(pk=task.pk).update(
            due_at=timezone.now() - dt.timedelta(hours=1)
        )
    services.save_document(FEEDBACK, doc.name, {"reply": "已要求食堂减盐"}, actor=purchaser)
    actions.approve(task.pk, actor=purchaser)


def rate(doc: Document, users, satisfaction: str) -> None:
    services.save_document(FEEDBACK, doc.name, {"satisfaction": satisfaction},
                           actor=users["teacher"])  # fmt: skip
    actions.approve(pending(doc, users["teacher"]).pk, actor=users["teacher"])


def hazard(users, location: str, deadline: dt.date, rectified_on: dt.date | None) -> Document:
    doc = services.create_document(
        HAZARD,
        {"hazard": "灭火器过期", "location": location, "responsible": "storekeeper",
         "deadline": max(deadline, timezone.localdate()).isoformat(), "inspector": "purchaser"},
        actor=users["purchaser"],
    )  # fmt: skip
    # Written when its deadline was still ahead (a deadline already past is refused today).
    doc.data["deadline"] = deadline.isoformat()
    if rectified_on:  # recorded as its 整改 step would (the drafter may not fill it in)
        doc.data["rectified_on"] = rectified_on.isoformat()
    doc.save(update_fields=["data"])
    return doc


def this_month() -> str:
    return timezone.localdate().strftime("%Y-%m")


def review_of(user: User, reviewer: User, month: str | None = None) -> staff_review.StaffReview:
    staff = staff_review.staff_of(reviewer)
    assert staff is not None
    rows = staff_review.reviews(user.school_id, staff, month or this_month(), timezone.now())
    return next(r for r in rows if r.user == user)


def test_answers_count_with_their_time_limits_and_the_askers_ratings(users):
    on_time, late, waiting = feedback(users), feedback(users, "汤太淡"), feedback(users, "灯")
    answer(on_time, users)
    rate(on_time, users, "满意")
    answer(late, users, late=True)
    rate(late, users, "基本满意")
    ApprovalTask.objects.filter(document=waiting, status=TaskStatus.PENDING).update(
        due_at=timezone.now() - dt.timedelta(hours=2)
    )
    r = review_of(users["purchaser"], users["principal"])
    assert (r.handled, r.timed, r.on_time, r.on_time_share) == (2, 2, 1, 0.5)
    assert (r.pending, r.overdue) == (1, 1)
    assert (r.replies.done, r.replies.rated, r.replies.satisfied) == (2, 2, 1)
    assert r.average_hours is not None and r.average_hours < 1


def test_a_rating_counts_once_for_the_last_answer(users):
    doc = feedback(users)
    answer(doc, users)
    actions.reject(pending(doc, users["teacher"]).pk, actor=users["teacher"], comment="没有措施")
    answer(doc, users)
    rate(doc, users, "满意")
    r = review_of(users["purchaser"], users["principal"])
    assert (r.replies.done, r.replies.rated, r.replies.satisfied) == (2, 1, 1)


def test_repairs_show_the_workers_completions_and_ratings(users, items, classroom):
    doc = report(users, classroom)
    complete(doc, users, dispatch(doc, users))
    services.save_document("Repair Ticket", doc.name, {"satisfaction": "满意"},
                           actor=users["teacher"])  # fmt: skip
    r = review_of(users["worker"], users["principal"])
    assert r.repairs is not None
    assert (r.repairs.done, r.repairs.prompt, r.repairs.rated, r.repairs.satisfied) == (1, 1, 1, 1)
    assert fresh(doc).workflow_state  # still on its flow: the reporter confirms next
    assert review_of(users["purchaser"], users["principal"]).repairs is None


def test_hazards_are_weighed_against_their_deadlines(users, classroom):
    today = timezone.localdate()
    last = months_back(this_month(), 2)[1]
    first = dt.date(int(last[:4]), int(last[5:]), 1)
    hazard(users, classroom, first + dt.timedelta(days=9), first + dt.timedelta(days=8))
    hazard(users, classroom, first + dt.timedelta(days=9), first + dt.timedelta(days=12))
    hazard(users, classroom, first + dt.timedelta(days=20), None)  # not yet, deadline passed
    hazard(users, classroom, today + dt.timedelta(days=40), None)  # due in a later month
    r = review_of(users["storekeeper"], users["principal"], last)
    assert (r.hazards_due, r.hazards_in_time, r.hazards_late) == (3, 1, 2)


def test_the_principal_sees_all_staff_the_director_their_office(users, office, outsider):
    principal = {u.username for u in staff_review.staff_of(users["principal"]) or []}
    assert principal == {"purchaser", "storekeeper", "worker", "canteen", "finance", "director"}
    director = {u.username for u in staff_review.staff_of(office) or []}
    assert director == {"purchaser", "storekeeper", "worker", "canteen", "finance", "director"}
    assert staff_review.staff_of(users["head"]) == []  # heads 语文组: no logistics staff
    assert staff_review.staff_of(users["teacher"]) is None
    assert staff_review.staff_of(outsider) == [outsider]  # their own school's staff only


def test_the_page_and_its_sheet_for_the_reviewer_only(client, users, office):
    answer(feedback(users), users)
    client.force_login(users["principal"])
    home = client.get("/app/").content.decode()
    assert "/app/staff-review/" in home
    page = client.get("/app/staff-review/").content.decode()
    assert 'id="review-purchaser"' in page and 'id="review-canteen"' in page
    assert "后勤人员考核" in page
    sheet = client.get(f"/app/staff-review/export.xlsx?month={this_month()}")
    assert sheet.status_code == 200
    ws = load_workbook(io.BytesIO(sheet.content)).active
    rows = {row[0]: row for row in ws.iter_rows(min_row=4, values_only=True) if row[0]}
    purchaser = rows[users["purchaser"].display_name]
    assert purchaser[2] == 1 and purchaser[3] == 1  # one answer, within its 48 hours
    assert "后勤人员考核表" in ws["A1"].value
    client.force_login(users["teacher"])
    assert "/app/staff-review/" not in client.get("/app/").content.decode()
    assert client.get("/app/staff-review/").status_code == 403
    assert client.get("/app/staff-review/export.xlsx").status_code == 403
    client.force_login(users["head"])  # a head of a group without logistics staff
    assert "/app/staff-review/" not in client.get("/app/").content.decode()


def test_the_page_costs_the_same_as_staff_and_work_grow(client, users, departments):
    client.force_login(users["principal"])
    answer(feedback(users), users)
    page_statements(client, "/app/staff-review/")
    before = page_statements(client, "/app/staff-review/")
    for n in range(3):
        make_user(f"keeper{n}", users["teacher"].school, "storekeeper",
                  department=departments["总务处"])  # fmt: skip
        doc = feedback(users, f"意见{n}")
        answer(doc, users)
        rate(doc, users, "满意")
    assert page_statements(client, "/app/staff-review/") == before
