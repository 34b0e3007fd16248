"""Fixtures for canteen tests: classes with their 班主任, and a class roll with boarders, day
students and non-diners."""

from __future__ import annotations

import pytest

from school_logistics.core import services
from school_logistics.core.models import Document, User
from tests.canteen.factories import make_classes

# student_no, name, class, meal plan
ROLL = [
    ("S001", "林一", "七年级(1)班", "三餐"),
    ("S002", "林二", "七年级(1)班", "午餐"),
    ("S003", "林三", "七年级(1)班", "不包餐"),
    ("S101", "许一", "七年级(2)班", "午餐"),
]


@pytest.fixture(autouse=True)
def fast_passwords(settings) -> None:
    """Hash the fixture users' passwords cheaply; the default hasher costs seconds per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# The classes of the roll and their 班主任 (fixture users).
CLASS_TEACHERS = {"七年级(1)班": "teacher", "七年级(2)班": "colleague", "八年级(1)班": "head"}


def roll_classes(users: dict[str, User]) -> dict[str, Document]:
    """The roll's classes, made by whichever fixture asks first (the district's tests take
    `students` alone)."""
    made = Document.objects.filter(
        doctype="School Class", school=users["canteen"].school, title__in=CLASS_TEACHERS
    )
    return {d.title: d for d in made} or make_classes(
        users["canteen"], {name: users[who] for name, who in CLASS_TEACHERS.items()}
    )


@pytest.fixture
def classes(users: dict[str, User]) -> dict[str, Document]:
    """七年级(1)班 is the teacher's, 七年级(2)班 their colleague's, 八年级(1)班 the head's."""
    return roll_classes(users)


@pytest.fixture
def students(users: dict[str, User]) -> list[str]:
    roll_classes(users)
    return [
        services.create_document(
            "Student",
            {"student_no": no, "student_name": name, "class_name": cls, "meal_plan": plan},
            actor=users["canteen"],
        ).name
        for no, name, cls, plan in ROLL
    ]
