"""Sites whose students and refunds named classes before 班级 were records: migrating gives
each school the classes its records name, numbered by the series the app goes on with, so
the records stay valid and can be saved again."""

from __future__ import annotations

import importlib

from django.apps import apps

from school_logistics.core import services
from school_logistics.core.models import Department, Document, NamingSeries
from tests.canteen.test_meal_fee_refund import last_month
from tests.conftest import make_user

backfill = importlib.import_module("school_logistics.canteen.migrations.0002_school_classes")


def stored(doctype: str, name: str, school, owner, **data) -> Document:
    """A record as an earlier version stored it: written without today's checks."""
    return Document.objects.create(
        doctype=doctype, name=name, school=school, owner=owner, modified_by=owner, data=data
    )


def classes() -> list[tuple[str, str, str, str, str | None, str | None]]:
    made = Document.objects.filter(doctype="School Class").order_by("name")
    return [
        (d.name, d.school.code, d.title, d.owner.username, d.data["grade"], d.data["class_teacher"])
        for d in made
    ]


def test_migrating_gives_each_school_the_classes_its_records_name(users, school, other_school):
    canteen = users["canteen"]
    stored("Student", "S001", school, canteen, student_no="S001", student_name="林一",
           class_name="七年级(1)班", meal_plan="午餐")  # fmt: skip
    stored("Student", "S002", school, canteen, student_no="S002", student_name="林二",
           class_name="初二(3)班", meal_plan="午餐")  # fmt: skip
    stored("Meal Fee Refund", "MFR-1", school, users["teacher"], class_name="七年级(2)班",
           month=last_month(), students=[])  # fmt: skip
    theirs = make_user("s2", other_school, "canteen_manager",
                       department=Department.objects.create(school=other_school, name="食堂"))  # fmt: skip
    # Every middle school has a 七年级(1)班: the neighbour gets its own.
    stored("Student", "E001", other_school, theirs, student_no="E001", student_name="王一",
           class_name="七年级(1)班")  # fmt: skip
    stored("Student", "E002", other_school, theirs, student_no="E002", student_name="王二",
           class_name="一年级(1)班")  # fmt: skip

    backfill.add_classes(apps, None)
    backfill.add_classes(apps, None)  # a second run finds nothing missing

    assert classes() == [
        ("BJ-0001", "test-one", "七年级(1)班", "canteen", "七年级", None),
        ("BJ-0002", "test-one", "七年级(2)班", "teacher", "七年级", None),
        ("BJ-0003", "test-one", "初二(3)班", "canteen", "八年级", None),
        ("BJ-0004", "test-two", "一年级(1)班", "s2", "一年级", None),
        ("BJ-0005", "test-two", "七年级(1)班", "s2", "七年级", None),
    ]
    assert NamingSeries.objects.get(prefix="BJ-").current == 5
    # The records they name are valid again: the canteen updates a student, gives the class
    # its 班主任, who then files for it; a class made now continues the numbering.
    services.save_document("Student", "S001", {"guardian_phone": "13800000000"}, actor=canteen)
    services.save_document("School Class", "BJ-0001", {"class_teacher": "teacher"}, actor=canteen)
    refund = services.create_document(
        "Meal Fee Refund",
        {"class_name": "七年级（1）班", "month": last_month(), "meal_rate": "6.50",
         "students": [{"student": "S001", "missed_meals": 1}]},
        actor=users["teacher"],
    )  # fmt: skip
    assert refund.data["class_name"] == "七年级(1)班"
    made = services.create_document("School Class", {"class_name": "九年级(1)班"}, actor=canteen)
    assert made.name == "BJ-0006"


def test_migrating_continues_a_series_already_begun(users, school):
    NamingSeries.objects.create(prefix="BJ-", current=7)
    stored("Student", "S001", school, users["canteen"], student_no="S001", student_name="林一",
           class_name="七年级(1)班")  # fmt: skip
    backfill.add_classes(apps, None)
    assert [c[:3] for c in classes()] == [("BJ-0008", "test-one", "七年级(1)班")]
    assert NamingSeries.objects.get(prefix="BJ-").current == 8


def test_a_fresh_site_gets_no_classes(db):
    backfill.add_classes(apps, None)
    assert not Document.objects.filter(doctype="School Class").exists()
    assert not NamingSeries.objects.filter(prefix="BJ-").exists()
