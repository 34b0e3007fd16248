"""学生离校登记 from the library: the class's own 班主任 and the head of 政教处 sign, whoever
files it; the filer cannot name who signs (班主任、政教处签名)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from school_logistics.core import services as core
from school_logistics.core.models import Department, Document, School, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import DocumentValidationError
from school_logistics.designer import library
from school_logistics.designer.exchange import import_bundle
from school_logistics.workflow import actions
from school_logistics.workflow.models import ApprovalTask, TaskStatus
from tests.conftest import make_user

LEAVE = "Student Leave"
pytestmark = [pytest.mark.django_db, pytest.mark.workflows]


@pytest.fixture
def affairs(school: School, departments: dict[str, Department]) -> User:
    """The head of 政教处, who signs every early leave."""
    office = Department.objects.create(school=school, name="政教处", parent=departments["校长室"])
    head = make_user("affairs", school, "teacher", "dept_head", department=office)
    office.head = head
    office.save()
    return head


@pytest.fixture
def classes(users: dict[str, User]) -> dict[str, Document]:
    """七年级(1)班, whose 班主任 is `teacher`; 七年级(2)班 has none on record."""
    return {
        name: core.create_document(
            "School Class", {"class_name": name, "class_teacher": teacher}, actor=users["canteen"]
        )
        for name, teacher in (("七年级(1)班", "teacher"), ("七年级(2)班", None))
    }


def leave(school_class: str, **extra: Any) -> dict[str, Any]:
    return {
        "student_name": "李小明", "school_class": school_class, "reason": "发烧，家长接回就医",
        "guardian_name": "李父", "relation": "父亲", "guardian_phone": "13900000001",
        "leave_time": "2026-03-02 10:00", "expected_return": "2026-03-02 15:00", **extra,
    }  # fmt: skip


def waiting_with(doc: Document) -> list[str]:
    tasks = ApprovalTask.objects.filter(document=doc, status=TaskStatus.PENDING)
    return sorted(tasks.values_list("assignee__username", flat=True))


def test_the_class_teacher_and_the_head_of_student_affairs_sign_whoever_files_it(
    users: dict[str, User], affairs: User, classes: dict[str, Document]
) -> None:
    library.install("student_leave", actor=users["admin"])
    filer = users["colleague"]  # a teacher, not the class's 班主任
    doc = core.create_document(LEAVE, leave(classes["七年级(1)班"].name), actor=filer)
    assert (doc.data["class_name"], doc.data["class_teacher"]) == ("七年级(1)班", "teacher")
    core.send_document(LEAVE, doc.name, actor=filer)
    assert waiting_with(doc) == ["teacher"]
    actions.approve(ApprovalTask.objects.get(document=doc, assignee=users["teacher"]).pk,
                     actor=users["teacher"])  # fmt: skip
    assert waiting_with(doc) == ["affairs"]
    actions.approve(ApprovalTask.objects.get(document=doc, assignee=affairs).pk, actor=affairs)
    doc.refresh_from_db()
    assert doc.docstatus == DocStatus.SUBMITTED


def test_a_filer_cannot_name_a_friend_to_sign(
    users: dict[str, User], affairs: User, classes: dict[str, Document]
) -> None:
    library.install("student_leave", actor=users["admin"])
    filer, friend = users["colleague"], users["head"]
    values = leave(classes["七年级(1)班"].name, class_teacher=friend.username)
    with pytest.raises(DocumentValidationError) as exc:  # no field names 政教处's signer
        core.create_document(LEAVE, {**values, "affairs_officer": friend.username}, actor=filer)
    assert list(exc.value.errors) == ["affairs_officer"]
    doc = core.create_document(LEAVE, values, actor=filer)
    assert doc.data["class_teacher"] == "teacher"  # the class's, not the one typed
    core.send_document(LEAVE, doc.name, actor=filer)
    actions.approve(ApprovalTask.objects.get(document=doc, assignee=users["teacher"]).pk,
                    actor=users["teacher"])  # fmt: skip
    assert waiting_with(doc) == ["affairs"]
    assert not ApprovalTask.objects.filter(document=doc, assignee=friend).exists()


def test_a_class_with_no_class_teacher_on_record_is_refused(
    users: dict[str, User], classes: dict[str, Document]
) -> None:
    library.install("student_leave", actor=users["admin"])
    with pytest.raises(DocumentValidationError) as exc:
        core.create_document(LEAVE, leave(classes["七年级(2)班"].name), actor=users["colleague"])
    assert list(exc.value.errors) == ["class_teacher"]
    assert not Document.objects.filter(doctype=LEAVE).exists()


def test_the_class_teacher_filing_for_their_own_pupil_signs_it_themselves(
    users: dict[str, User], affairs: User, classes: dict[str, Document]
) -> None:
    library.install("student_leave", actor=users["admin"])
    teacher = users["teacher"]
    doc = core.create_document(LEAVE, leave(classes["七年级(1)班"].name), actor=teacher)
    core.send_document(LEAVE, doc.name, actor=teacher)
    assert waiting_with(doc) == ["teacher"]  # not handed to the admin
    actions.approve(ApprovalTask.objects.get(document=doc, assignee=teacher).pk, actor=teacher)
    assert waiting_with(doc) == ["affairs"]


def old_library_copy() -> dict[str, Any]:
    """The bundle as it was first shipped: 班主任 and 政教处审批人 typed in by the filer."""
    bundle = copy.deepcopy(library.bundle("student_leave"))
    doctype = bundle["doctypes"][0]
    fields = [f for f in doctype["fields"] if f["fieldname"] != "school_class"]
    for f in fields:
        if f["fieldname"] in ("class_name", "class_teacher"):
            for prop in ("read_only", "fetch_from", "description"):
                f.pop(prop, None)
            f["reqd"] = 1
    fields.append({"fieldname": "affairs_officer", "fieldtype": "User", "label": "政教处审批人",
                   "label_en": "Student affairs", "reqd": 1})  # fmt: skip
    doctype["fields"] = fields
    steps = bundle["workflows"][0]["definition"]["steps"]
    steps[0].pop("allow_self_approval")
    steps[1]["approvers"] = [{"type": "field", "value": "affairs_officer"}]
    return bundle


def test_an_installed_copy_keeps_its_documents_and_takes_the_new_form_by_import(
    users: dict[str, User], affairs: User, classes: dict[str, Document]
) -> None:
    admin, filer = users["admin"], users["colleague"]
    import_bundle(old_library_copy(), actor=admin, install=True)
    old = core.create_document(
        LEAVE,
        {**{k: v for k, v in leave("").items() if k != "school_class"},
         "class_name": "七年级(1)班", "class_teacher": "head", "affairs_officer": "head"},
        actor=filer,
    )  # fmt: skip
    core.send_document(LEAVE, old.name, actor=filer)
    assert waiting_with(old) == ["head"]  # the loophole the new form closes

    import_bundle(library.bundle("student_leave"), actor=admin)  # the library's form, updated
    old.refresh_from_db()
    assert old.data["affairs_officer"] == "head"  # what was stored stays
    actions.approve(ApprovalTask.objects.get(document=old, assignee=users["head"]).pk,
                    actor=users["head"])  # fmt: skip
    doc = core.create_document(LEAVE, leave(classes["七年级(1)班"].name), actor=filer)
    core.send_document(LEAVE, doc.name, actor=filer)
    assert waiting_with(doc) == ["teacher"]


def test_a_return_before_the_leave_is_refused(
    users: dict[str, User], classes: dict[str, Document], affairs: User
) -> None:
    library.install("student_leave", actor=users["admin"])
    values = leave(classes["七年级(1)班"].name, expected_return="2026-03-02 07:00")
    with pytest.raises(DocumentValidationError) as exc:
        core.create_document(LEAVE, values, actor=users["colleague"])
    assert "不能小于 0" in exc.value.errors["away_hours"][0]
