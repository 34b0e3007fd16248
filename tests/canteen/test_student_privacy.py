"""A student's record holds their guardian's phone: a teacher reads the students of the classes
they are the 班主任 of, and no others — on the page, in the list, through the API and in the
student picker of their own forms. The canteen, finance and the principal read every student."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from school_logistics.core import permissions, services
from school_logistics.core.models import Document
from school_logistics.core.registry import get_meta
from tests.api.conftest import ApiClient

PHONE = "13800001111"


@pytest.fixture
def phones(users, students) -> None:
    for no in ("S001", "S101"):
        services.save_document("Student", no, {"guardian_phone": PHONE}, actor=users["canteen"])


def readable_students(user) -> list[str]:
    return sorted(permissions.readable(user, get_meta("Student")).values_list("name", flat=True))


def test_a_teacher_reads_only_the_students_of_their_own_class(client, users, phones, outsider):
    assert readable_students(users["teacher"]) == ["S001", "S002", "S003"]  # 七年级(1)班
    assert readable_students(users["colleague"]) == ["S101"]  # 七年级(2)班
    assert readable_students(users["head"]) == []  # 八年级(1)班 has no one on the roll
    assert readable_students(outsider) == []
    for reader in ("canteen", "finance", "principal"):
        assert readable_students(users[reader]) == ["S001", "S002", "S003", "S101"]

    client.force_login(users["teacher"])
    own = client.get("/app/student/S001")
    assert own.status_code == 200 and PHONE in own.content.decode()
    assert client.get("/app/student/S101").status_code == 404
    listed = client.get("/app/student/").content.decode()
    assert "S001" in listed and "S101" not in listed
    client.force_login(users["head"])  # a department head teaching another class
    assert client.get("/app/student/S001").status_code == 404


def test_the_api_gives_a_teacher_only_their_own_classs_students(users, phones):
    api = ApiClient(users["colleague"])
    listed = api.get(f"/api/resource/{quote('Student')}", fields=["name", "guardian_phone"])
    assert listed.json()["data"] == [{"name": "S101", "guardian_phone": PHONE}]
    assert api.get(f"/api/resource/{quote('Student')}/S001").status_code == 404


def test_a_class_teacher_picks_only_their_own_pupils_on_a_refund(client, users, phones):
    client.force_login(users["teacher"])
    found = client.get("/app/meal-fee-refund/search-link", {"target": "Student", "q": ""})
    assert [r["value"] for r in found.json()["results"]] == ["S001", "S002", "S003"]
    client.force_login(users["colleague"])
    found = client.get("/app/meal-fee-refund/search-link", {"target": "Student", "q": "林"})
    assert found.json()["results"] == []


def test_a_new_class_teacher_reads_the_class_from_the_day_they_are_registered(users, phones):
    """The grant follows the class's record: a class handed over is read by its new 班主任."""
    cls = Document.objects.get(doctype="School Class", title="七年级(2)班")
    services.save_document(
        "School Class", cls.name, {"class_teacher": "head"}, actor=users["canteen"]
    )
    assert readable_students(users["head"]) == ["S101"]
    assert readable_students(users["colleague"]) == []
