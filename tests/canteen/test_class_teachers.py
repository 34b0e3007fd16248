"""A class teacher files refunds and aid only for the class they are the 班主任 of — on the form,
through the API and by import — and their form offers only those classes. The canteen, finance
and the school's administrator are not held to it, and choose among all the school's classes;
every document names a class its school keeps."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest

from school_logistics.core import services
from school_logistics.core.models import Document, ImportStatus, User
from school_logistics.core.validation import DocumentValidationError
from tests.api.conftest import ApiClient, server_messages
from tests.canteen.factories import make_classes
from tests.canteen.test_meal_fee_collection import collection, standard
from tests.canteen.test_meal_fee_refund import last_month
from tests.conftest import make_user
from tests.core.test_import_export import filled, messages, run
from tests.purchasing.test_student_supplies import awarded_tender, order

REFUND = "Meal Fee Refund"
AID = "Student Aid"
NOT_YOURS = "七年级(2)班 不是您担任班主任的班级，您只能为本班填报（您的班级：七年级(1)班）"


def values(class_name: str | None = "七年级(1)班", student: str = "S002") -> dict[str, Any]:
    given = {"month": last_month(), "meal_rate": "6.50"}
    return {
        **given,
        **({"class_name": class_name} if class_name is not None else {}),
        "students": [{"student": student, "missed_meals": 2}],
    }


def refunds() -> list[tuple[str, str]]:
    return sorted(Document.objects.filter(doctype=REFUND).values_list("name", "data__class_name"))


def test_a_teacher_files_a_refund_only_for_the_class_they_teach(users, students, outsider):
    for who in ("teacher", "colleague"):  # the owner of one class, then of the other
        with pytest.raises(DocumentValidationError) as exc:
            other = "七年级(2)班" if who == "teacher" else "七年级(1)班"
            services.create_document(REFUND, values(other, "S101"), actor=users[who])
        assert "不是您担任班主任的班级" in exc.value.errors["class_name"][0]
    assert refunds() == []
    mine = services.create_document(REFUND, values(), actor=users["teacher"])
    theirs = services.create_document(
        REFUND, values("七年级(2)班", "S101"), actor=users["colleague"]
    )
    assert refunds() == [(mine.name, "七年级(1)班"), (theirs.name, "七年级(2)班")]


def test_the_refusal_names_the_teachers_own_classes(users, students):
    with pytest.raises(DocumentValidationError) as exc:
        services.create_document(REFUND, values("七年级(2)班", "S101"), actor=users["teacher"])
    assert exc.value.errors["class_name"] == [NOT_YOURS]
    nobody = User.objects.create_user(
        username="new", password="x", school=users["teacher"].school, full_name="新老师"
    )
    nobody.roles.set(users["teacher"].roles.all())
    with pytest.raises(DocumentValidationError) as exc:
        services.create_document(REFUND, values(), actor=nobody)
    assert exc.value.errors["class_name"] == [
        "七年级(1)班 不是您担任班主任的班级：您还没有登记为班主任，请食堂管理员在“班级”中登记后再填报"
    ]
    with pytest.raises(DocumentValidationError) as exc:  # left blank: required, as for anyone
        services.create_document(REFUND, values(class_name=None), actor=users["teacher"])
    assert exc.value.errors["class_name"] == ["班级：这个字段是必填项。"]
    assert refunds() == []


def test_the_form_refuses_another_teachers_class_and_keeps_what_was_typed(client, users, students):
    client.force_login(users["teacher"])
    post = {
        "class_name": "七年级(2)班", "month": last_month(), "meal_rate": "6.50",
        "students-present": "1", "students-0-student": "S101", "students-0-missed_meals": "2",
    }  # fmt: skip
    response = client.post("/app/meal-fee-refund/new", post)
    assert response.status_code == 400
    page = response.content.decode()
    assert NOT_YOURS in page and 'value="七年级(2)班"' in page
    assert refunds() == []


def test_a_forged_class_is_refused_by_its_name_alone(client, users, students):
    """Another class's refund of the month is not the teacher's to read: the refusal names
    the class, not that refund (its number was given away by the check for a second one)."""
    theirs = services.create_document(
        REFUND, values("七年级(2)班", "S101"), actor=users["colleague"]
    )
    with pytest.raises(DocumentValidationError) as exc:
        services.create_document(REFUND, values("七年级(2)班", "S101"), actor=users["teacher"])
    assert exc.value.errors == {"class_name": [NOT_YOURS]}
    client.force_login(users["teacher"])
    post = {
        "class_name": "七年级(2)班", "month": last_month(), "meal_rate": "6.50",
        "students-present": "1", "students-0-student": "S101", "students-0-missed_meals": "2",
    }  # fmt: skip
    response = client.post("/app/meal-fee-refund/new", post)
    assert response.status_code == 400
    page = response.content.decode()
    assert NOT_YOURS in page
    assert theirs.name not in page and "已有退费单" not in page
    api = ApiClient(users["teacher"])
    refused = api.post(f"/api/resource/{quote(REFUND)}", values("七年级(2)班", "S101"))
    assert server_messages(refused) == [NOT_YOURS]
    assert refunds() == [(theirs.name, "七年级(2)班")]


def test_a_forged_aid_or_order_names_no_document_of_the_other_class(users, students):
    standard(users)
    ask = {"from_month": last_month(), "to_month": last_month(), "monthly_waiver": "50",
           "category": "低保家庭", "reason": "父亲因病丧失劳动能力", "student": "S101"}  # fmt: skip
    aid = services.create_document(AID, ask, actor=users["colleague"])
    with pytest.raises(DocumentValidationError) as exc:  # not "已有资助申请 <aid>"
        services.create_document(AID, ask, actor=users["teacher"])
    assert exc.value.errors == {"student": [NOT_YOURS]}
    tender = awarded_tender(users)
    placed = services.create_document(
        "Student Supply Order",
        {"item_name": "秋季校服（运动套装）", "category": "校服", "term": "2026年秋季",
         "class_name": "七年级(2)班", "tender": tender, "unit_price": "120.00",
         "per_student": 2},
        actor=users["colleague"],
    )  # fmt: skip
    with pytest.raises(DocumentValidationError) as exc:  # not "已有…的征订单 <order>"
        order(users, tender, class_name="七年级(2)班")
    assert exc.value.errors == {"class_name": [NOT_YOURS]}
    kept = Document.objects.filter(doctype__in=[AID, "Student Supply Order"])
    assert sorted(kept.values_list("name", flat=True)) == sorted([aid.name, placed.name])


def test_the_api_refuses_another_teachers_class(users, students):
    api = ApiClient(users["teacher"])
    response = api.post(f"/api/resource/{quote(REFUND)}", values("七年级(2)班", "S101"))
    assert response.status_code == 417
    assert server_messages(response) == [NOT_YOURS]
    assert refunds() == []
    made = api.post(f"/api/resource/{quote(REFUND)}", values())
    assert made.status_code == 200, made.content
    assert made.json()["data"]["class_name"] == "七年级(1)班"


def test_an_imported_refund_for_another_teachers_class_is_refused(
    client, users, students, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = ""  # the import runs inline
    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(users["teacher"])
    base = "/app/meal-fee-refund"
    line = {"month": last_month(), "meal_rate": 6.5, "students.missed_meals": 2}
    sheet = filled(
        client, base, [{**line, "class_name": "七年级(2)班", "students.student": "S101"}]
    )
    record = run(client, base, sheet, django_capture_on_commit_callbacks)
    assert record.status == ImportStatus.FAILED
    assert any(NOT_YOURS in m for m in messages(record))
    assert refunds() == []
    sheet = filled(
        client, base, [{**line, "class_name": "七年级(1)班", "students.student": "S002"}]
    )
    record = run(client, base, sheet, django_capture_on_commit_callbacks)
    assert record.status == ImportStatus.SUCCESS, messages(record)


def offered(client, user, path: str) -> list[str] | None:
    """The classes the form at `path` offers the user to choose from (None: typed as text)."""
    client.force_login(user)
    page = client.get(path).content.decode()
    select = re.search(r'<select[^>]*id="f-class_name".*?</select>', page, re.S)
    return re.findall(r'<option value="([^"]*)"', select.group(0)) if select else None


def test_the_form_offers_a_teacher_the_classes_they_teach_and_others_all(
    client, users, students, outsider
):
    new_refund = "/app/meal-fee-refund/new"
    assert offered(client, users["teacher"], new_refund) == ["", "七年级(1)班"]
    assert offered(client, users["colleague"], new_refund) == ["", "七年级(2)班"]
    make_classes(users["canteen"], {"七年级(10)班": users["teacher"], "九年级(1)班": None})
    assert offered(client, users["teacher"], new_refund) == ["", "七年级(1)班", "七年级(10)班"]
    assert offered(client, users["teacher"], "/app/student-supply-order/new") == [
        "", "七年级(1)班", "七年级(10)班"
    ]  # fmt: skip
    # By grade, then by number: 七年级(2)班 before 七年级(10)班, 七年级 before 八年级.
    every = ["", "七年级(1)班", "七年级(2)班", "七年级(10)班", "八年级(1)班", "九年级(1)班"]
    assert offered(client, users["canteen"], "/app/student/new") == every
    assert offered(client, users["finance"], "/app/meal-fee-collection/new") == every
    assert offered(client, users["admin"], new_refund) == every
    # A teacher no class names types one (and is told whom to ask); an aid's class comes with
    # its student; another school's canteen is offered none of ours.
    nobody = User.objects.create_user(
        username="new", password="x", school=users["teacher"].school, full_name="新老师"
    )
    nobody.roles.set(users["teacher"].roles.all())
    assert offered(client, nobody, new_refund) is None
    assert offered(client, users["teacher"], "/app/student-aid/new") is None
    assert offered(client, outsider, "/app/student/new") is None


def test_a_stored_refund_keeps_its_class_among_the_teachers_choices(client, users, students):
    doc = services.create_document(REFUND, values(), actor=users["teacher"])
    seventh = Document.objects.get(doctype="School Class", title="七年级(1)班")
    services.save_document(
        "School Class", seventh.name, {"class_teacher": "colleague"}, actor=users["canteen"]
    )
    make_classes(users["canteen"], {"九年级(1)班": users["teacher"]})
    assert offered(client, users["teacher"], f"/app/meal-fee-refund/{doc.name}") == [
        "", "七年级(1)班", "九年级(1)班"
    ]  # fmt: skip


def test_a_teacher_of_two_classes_files_for_either(users, students):
    make_classes(users["canteen"], {"九年级(1)班": users["teacher"]})
    assert (
        services.create_document(REFUND, values(), actor=users["teacher"]).data["class_name"]
        == "七年级(1)班"
    )
    with pytest.raises(DocumentValidationError) as exc:
        services.create_document(REFUND, values("七年级(2)班", "S101"), actor=users["teacher"])
    assert exc.value.errors["class_name"] == [
        "七年级(2)班 不是您担任班主任的班级，您只能为本班填报（您的班级：七年级(1)班、九年级(1)班）"
    ]


def test_every_document_names_a_class_its_school_keeps(users, students, outsider):
    for doctype, given in (
        (REFUND, values("九年级(9)班")),
        ("Meal Fee Collection", {"class_name": "九年级(9)班", "month": last_month()}),
    ):
        with pytest.raises(DocumentValidationError) as exc:
            services.create_document(doctype, given, actor=users["admin"])
        assert exc.value.errors["class_name"] == ["本校没有班级“九年级(9)班”，请先在“班级”中登记"]
    with pytest.raises(DocumentValidationError) as exc:  # ours is not the other school's
        services.create_document(
            "Student", {"student_no": "E001", "student_name": "王一", "class_name": "七年级(1)班"},
            actor=outsider,
        )  # fmt: skip
    assert exc.value.errors["class_name"] == ["本校没有班级“七年级(1)班”，请先在“班级”中登记"]
    assert refunds() == []
    assert not Document.objects.filter(doctype="Student", name="E001").exists()


def test_a_draft_cannot_be_moved_to_another_teachers_class(users, students):
    doc = services.create_document(REFUND, values(), actor=users["teacher"])
    with pytest.raises(DocumentValidationError) as exc:
        services.save_document(
            REFUND, doc.name, values("七年级(2)班", "S101"), actor=users["teacher"]
        )
    assert exc.value.errors["class_name"] == [NOT_YOURS]
    assert refunds() == [(doc.name, "七年级(1)班")]


def test_a_draft_filed_before_the_class_changed_hands_is_still_finished(users, students):
    doc = services.create_document(REFUND, values(), actor=users["teacher"])
    seventh = Document.objects.get(doctype="School Class", title="七年级(1)班")
    services.save_document(
        "School Class", seventh.name, {"class_teacher": "colleague"}, actor=users["canteen"]
    )
    services.save_document(REFUND, doc.name, {"remarks": "病假"}, actor=users["teacher"])
    services.submit_document(REFUND, doc.name, actor=users["teacher"])
    with pytest.raises(DocumentValidationError):  # but no new one for the class
        services.create_document(REFUND, values(), actor=users["teacher"])


def test_the_admin_finance_and_the_canteen_are_not_held_to_one_class(users, students):
    doc = services.create_document(REFUND, values("七年级(2)班", "S101"), actor=users["admin"])
    assert doc.data["class_name"] == "七年级(2)班"
    standard(users)
    assert collection(users, class_name="七年级(2)班").data["class_name"] == "七年级(2)班"
    services.create_document(
        "Student",
        {"student_no": "S201", "student_name": "韩一", "class_name": "八年级(1)班"},
        actor=users["canteen"],
    )


def test_aid_is_asked_only_for_a_pupil_of_the_teachers_class(users, students):
    standard(users)
    ask = {"from_month": last_month(), "to_month": last_month(), "monthly_waiver": "50",
           "category": "低保家庭", "reason": "父亲因病丧失劳动能力"}  # fmt: skip
    with pytest.raises(DocumentValidationError) as exc:
        services.create_document(AID, {**ask, "student": "S101"}, actor=users["teacher"])
    assert exc.value.errors["student"] == [NOT_YOURS]
    assert not Document.objects.filter(doctype=AID).exists()
    doc = services.create_document(AID, {**ask, "student": "S002"}, actor=users["teacher"])
    assert doc.data["class_name"] == "七年级(1)班"
    other = services.create_document(AID, {**ask, "student": "S101"}, actor=users["colleague"])
    assert other.data["class_name"] == "七年级(2)班"


def test_a_teacher_of_one_class_finds_it_chosen_already(client, users, students):
    client.force_login(users["teacher"])
    page = client.get("/app/meal-fee-refund/new").content.decode()
    select = re.search(r'<select[^>]*id="f-class_name".*?</select>', page, re.S)
    assert select is not None
    assert re.findall(r'<option value="([^"]*)"[^>]*selected', select.group(0)) == ["七年级(1)班"]


def test_a_teacher_of_no_class_is_told_on_the_new_form_whom_to_ask(client, users, students):
    """Before typing a class that saving would refuse; the class's 班主任 is not told."""
    nobody = make_user("new", users["teacher"].school, "teacher", full_name="新老师")
    users["canteen"].full_name = "食堂王主任"
    users["canteen"].save(update_fields=["full_name"])
    client.force_login(nobody)
    for path in ("/app/meal-fee-refund/new", "/app/student-aid/new"):
        page = client.get(path).content.decode()
        assert 'id="not-a-class-teacher"' in page, path
        assert "您还没有登记为任何班级的班主任，现在填写的单据不能保存" in page
        assert "请联系食堂管理员（食堂王主任）在“班级”中把您登记为该班班主任" in page
    # Nor does the student picker offer them anyone's pupils.
    found = client.get("/app/meal-fee-refund/search-link", {"target": "Student", "q": ""})
    assert found.json()["results"] == []
    client.force_login(users["teacher"])
    assert 'id="not-a-class-teacher"' not in client.get("/app/meal-fee-refund/new").content.decode()
    client.force_login(users["finance"])  # files any class's collection
    page = client.get("/app/meal-fee-collection/new").content.decode()
    assert 'id="not-a-class-teacher"' not in page
