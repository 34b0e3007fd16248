"""Fixtures for canteen tests: a class roll with boarders, day students and non-diners."""

from __future__ import annotations

import pytest

from school_logistics.core import services
from school_logistics.core.models import User

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


@pytest.fixture
def students(users: dict[str, User]) -> list[str]:
    return [
        services.create_document(
            "Student",
            {"student_no": no, "student_name": name, "class_name": cls, "meal_plan": plan},
            actor=users["canteen"],
        ).name
        for no, name, cls, plan in ROLL
    ]
