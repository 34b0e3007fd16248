"""班级: the canteen manager keeps the school's classes with their 班主任; students and the
per-class documents name one of them. The list, form, Excel and API come from the metadata."""

from __future__ import annotations

import io
import time
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from school_logistics.core import services
from school_logistics.core.models import Document, ImportStatus
from school_logistics.core.services import DocumentStateError
from school_logistics.core.validation import DocumentValidationError
from tests.api.conftest import ApiClient, server_messages
from tests.canteen.factories import make_classes
from tests.concurrency import at_once
from tests.conftest import make_user
from tests.core.test_import_export import filled, messages, run

CLASS = "School Class"
DESK = "/app/school-class"
API = f"/api/resource/{quote(CLASS)}"


def classes_stored() -> list[tuple[str, Any]]:
    """The classes by their name within the school, with their data."""
    return sorted(Document.objects.filter(doctype=CLASS).values_list("title", "data"))


def test_a_class_is_numbered_and_known_by_its_name_as_the_school_writes_it(users):
    doc = services.create_document(
        CLASS,
        {"class_name": "八年级（3） 班", "class_teacher": "teacher"},
        actor=users["canteen"],
    )
    assert (doc.name, doc.title) == ("BJ-0001", "八年级(3)班")
    assert (doc.data["class_name"], doc.data["grade"]) == ("八年级(3)班", "八年级")
    assert doc.data["class_teacher"] == "teacher"
    assert (
        services.create_document(CLASS, {"class_name": "八年级(4)班"}, actor=users["canteen"]).name
        == "BJ-0002"
    )


def test_the_same_class_in_other_brackets_is_refused(users):
    make_classes(users["canteen"], {"七年级(1)班": users["teacher"]})
    before = classes_stored()
    for typed in ("七年级(1)班", "七年级（1）班"):
        with pytest.raises(DocumentValidationError) as exc:
            services.create_document(CLASS, {"class_name": typed}, actor=users["canteen"])
        assert exc.value.errors["class_name"] == ["班级“七年级(1)班”已存在"]
    assert classes_stored() == before


def test_two_schools_each_have_their_own_class_of_the_same_name(users, outsider, other_school):
    ours = make_classes(users["canteen"], {"七年级(1)班": users["teacher"]})["七年级(1)班"]
    theirs = services.create_document(CLASS, {"class_name": "七年级（1）班"}, actor=outsider)
    assert (theirs.school, theirs.title) == (other_school, "七年级(1)班")
    assert theirs.name != ours.name
    # Each school's students name their own: a student of ours in it, one of theirs in theirs.
    services.create_document(
        "Student", {"student_no": "S001", "student_name": "林一", "class_name": "七年级(1)班"},
        actor=users["canteen"],
    )  # fmt: skip
    services.create_document(
        "Student", {"student_no": "E001", "student_name": "王一", "class_name": "七年级(1)班"},
        actor=outsider,
    )  # fmt: skip
    with pytest.raises(DocumentStateError, match="已有学生或单据，不能删除"):
        services.delete_document(CLASS, ours.name, actor=users["canteen"])


def test_a_class_teacher_must_work_at_the_school(users, outsider):
    with pytest.raises(DocumentValidationError) as exc:
        services.create_document(
            CLASS,
            {"class_name": "七年级(1)班", "class_teacher": "outsider"},
            actor=users["canteen"],
        )
    assert exc.value.errors["class_teacher"] == ["班主任：找不到“outsider”"]
    assert classes_stored() == []


def test_the_class_teacher_changes_and_the_name_only_while_nothing_names_the_class(users, students):
    empty = make_classes(users["canteen"], {"九年级(1)班": None})["九年级(1)班"]
    services.save_document(CLASS, empty.name, {"class_name": "九年级(2)班"}, actor=users["canteen"])
    assert Document.objects.get(pk=empty.pk).title == "九年级(2)班"
    seventh = Document.objects.get(doctype=CLASS, title="七年级(1)班")
    services.save_document(
        CLASS, seventh.name, {"class_teacher": "colleague"}, actor=users["canteen"]
    )
    assert dict(classes_stored())["七年级(1)班"]["class_teacher"] == "colleague"
    before = classes_stored()
    with pytest.raises(DocumentValidationError) as exc:  # its students hold the name
        services.save_document(
            CLASS, seventh.name, {"class_name": "七年级(9)班"}, actor=users["canteen"]
        )
    assert exc.value.errors["class_name"] == [
        "班级“七年级(1)班”已有学生或单据，不能改名；如需新名称，请新建班级"
    ]
    with pytest.raises(DocumentValidationError) as exc:  # nor take another class's name
        services.save_document(
            CLASS, empty.name, {"class_name": "七年级（2）班"}, actor=users["canteen"]
        )
    assert exc.value.errors["class_name"] == ["班级“七年级(2)班”已存在"]
    assert classes_stored() == before


def test_teachers_read_the_classes_and_only_the_canteen_keeps_them(users):
    make_classes(users["canteen"], {"七年级(1)班": users["teacher"]})
    with pytest.raises(PermissionDenied):
        services.create_document(CLASS, {"class_name": "七年级(2)班"}, actor=users["teacher"])
    with pytest.raises(PermissionDenied):
        services.save_document(
            CLASS, "BJ-0001", {"class_teacher": "teacher"}, actor=users["finance"]
        )
    services.create_document(CLASS, {"class_name": "七年级(2)班"}, actor=users["admin"])
    assert [name for name, _data in classes_stored()] == ["七年级(1)班", "七年级(2)班"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second", ["new", "renamed"])
def test_two_managers_naming_one_class_at_once_make_it_once(users, monkeypatch, second):
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass")
    other = make_user("canteen2", users["canteen"].school, "canteen_manager")
    spare = make_classes(other, {"九年级(1)班": None})["九年级(1)班"]
    store = services._store

    def slow_store(*args: Any, **kwargs: Any) -> None:
        time.sleep(0.3)  # between the name's look-up and its insert: unlocked, both look first
        store(*args, **kwargs)

    monkeypatch.setattr(services, "_store", slow_store)
    wanted = {"class_name": "七年级（5）班"}
    theirs = {
        "new": lambda: services.create_document(CLASS, wanted, actor=other),
        "renamed": lambda: services.save_document(CLASS, spare.name, wanted, actor=other),
    }[second]
    outcomes = at_once(
        lambda: services.create_document(
            CLASS, {"class_name": "七年级(5)班"}, actor=users["canteen"]
        ),
        theirs,
    )
    assert outcomes == ["done", "refused"]
    assert [name for name, _data in classes_stored()].count("七年级(5)班") == 1


def test_a_class_with_students_is_not_deleted(users, students, classes):
    empty = make_classes(users["canteen"], {"九年级(1)班": None})["九年级(1)班"]
    with pytest.raises(DocumentStateError, match="班级 七年级\\(1\\)班 已有学生或单据，不能删除"):
        services.delete_document(CLASS, classes["七年级(1)班"].name, actor=users["canteen"])
    services.delete_document(CLASS, empty.name, actor=users["canteen"])  # nobody in it
    assert [name for name, _data in classes_stored()] == [
        "七年级(1)班",
        "七年级(2)班",
        "八年级(1)班",
    ]


def test_the_canteen_adds_a_class_on_the_form_and_finds_it_in_the_list(client, users):
    client.force_login(users["canteen"])
    assert client.get(f"{DESK}/new").status_code == 200
    response = client.post(
        f"{DESK}/new", {"class_name": "七年级（3）班", "class_teacher": "teacher"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{DESK}/BJ-0001"
    assert Document.objects.get(doctype=CLASS).title == "七年级(3)班"
    listed = client.get(f"{DESK}/").content.decode()
    assert "七年级(3)班" in listed and "BJ-0001" in listed and "teacher" in listed
    client.force_login(users["teacher"])
    assert client.get(f"{DESK}/BJ-0001").status_code == 200
    assert client.get(f"{DESK}/new").status_code == 403


def test_classes_come_in_from_excel_and_go_out_to_it(
    client, users, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = ""  # the import runs inline
    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(users["canteen"])
    lines = [
        {"class_name": "七年级（1）班", "class_teacher": "teacher"},
        {"class_name": "七年级(2)班", "class_teacher": "colleague", "grade": "七年级"},
    ]
    content = filled(client, DESK, lines)
    record = run(client, DESK, content, django_capture_on_commit_callbacks)
    assert record.status == ImportStatus.SUCCESS, messages(record)
    assert [(n, d["class_teacher"]) for n, d in classes_stored()] == [
        ("七年级(1)班", "teacher"),
        ("七年级(2)班", "colleague"),
    ]
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"{DESK}/export.xlsx").content))
    rows = [[c.value for c in row] for row in sheet.worksheets[0].iter_rows()]
    assert any("七年级(2)班" in row for row in rows)


def test_classes_are_read_and_kept_through_the_api(users):
    make_classes(users["canteen"], {"七年级(1)班": users["teacher"]})
    listed = ApiClient(users["teacher"]).get(API, fields=["name", "class_name", "class_teacher"])
    assert listed.json()["data"] == [
        {"name": "BJ-0001", "class_name": "七年级(1)班", "class_teacher": "teacher"}
    ]
    refused = ApiClient(users["teacher"]).post(API, {"class_name": "七年级(2)班"})
    assert refused.status_code == 403
    made = ApiClient(users["canteen"]).post(API, {"class_name": "七年级（2）班"})
    assert made.status_code == 200, made.content
    assert (made.json()["data"]["name"], made.json()["data"]["class_name"]) == (
        "BJ-0002",
        "七年级(2)班",
    )
    unknown = ApiClient(users["canteen"]).post(
        API, {"class_name": "七年级(3)班", "class_teacher": "nobody"}
    )
    assert server_messages(unknown) == ["班主任：找不到“nobody”"]
