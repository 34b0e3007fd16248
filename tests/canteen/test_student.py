"""The student roll the canteen refunds against."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.core.validation import DocumentValidationError


def test_student_is_named_by_student_no_in_a_class_of_the_school(users, classes):
    doc = services.create_document(
        "Student",
        {"student_no": "S201", "student_name": "韩一", "class_name": "八年级（1） 班"},
        actor=users["canteen"],
    )
    assert doc.name == "S201"
    assert doc.data["class_name"] == "八年级(1)班"
    assert doc.data["meal_plan"] == "午餐"


def test_a_student_of_a_class_the_school_does_not_have_is_refused(users, classes):
    with pytest.raises(DocumentValidationError) as exc:
        services.create_document(
            "Student",
            {"student_no": "S202", "student_name": "韩二", "class_name": "八年级(9)班"},
            actor=users["canteen"],
        )
    assert exc.value.errors["class_name"] == ["本校没有班级“八年级(9)班”，请先在“班级”中登记"]
    assert not Document.objects.filter(doctype="Student").exists()


def test_student_no_is_unique(users, students):
    with pytest.raises(DocumentValidationError) as exc:
        services.create_document(
            "Student",
            {"student_no": "S001", "student_name": "重复", "class_name": "七年级(1)班"},
            actor=users["canteen"],
        )
    assert "S001" in " ".join(exc.value.messages())
    assert Document.objects.filter(doctype="Student").count() == len(students)


@pytest.mark.parametrize(
    ("values", "key", "message"),
    [
        ({"guardian_phone": "abc"}, "guardian_phone", "监护人电话：请填写正确的电话号码"),
        ({"meal_plan": "两餐"}, "meal_plan", "包餐"),
        ({"student_name": ""}, "student_name", "姓名"),
    ],
)
def test_bad_student_input_is_refused(users, classes, values, key, message):
    with pytest.raises(DocumentValidationError) as exc:
        services.create_document(
            "Student",
            {"student_no": "S301", "student_name": "韩二", "class_name": "八年级(1)班", **values},
            actor=users["canteen"],
        )
    assert message in " ".join(exc.value.errors[key])
    assert not Document.objects.filter(doctype="Student").exists()


def test_teacher_reads_their_class_roll_but_cannot_edit_it(users, students):
    with pytest.raises(PermissionDenied):
        services.save_document("Student", "S001", {"meal_plan": "不包餐"}, actor=users["teacher"])
    assert Document.objects.get(doctype="Student", name="S001").data["meal_plan"] == "三餐"


def test_namesakes_are_told_apart_by_class_in_the_student_picker(client, users, classes):
    for no, class_name in (("S101", "七年级(1)班"), ("S102", "八年级(1)班")):
        services.create_document(
            "Student",
            {"student_no": no, "student_name": "李小明", "class_name": class_name},
            actor=users["canteen"],
        )
    client.force_login(users["finance"])  # who picks among the whole school's students
    found = client.get(
        "/app/meal-fee-collection/search-link", {"target": "Student", "q": "李小明"}
    ).json()["results"]
    assert [(r["label"], r["description"]) for r in found] == [
        ("李小明", "S101 · 七年级(1)班"),
        ("李小明", "S102 · 八年级(1)班"),
    ]
