"""Every change is recorded: who, when, which field from what to what, child rows included."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.models import Document, User, Version
from school_logistics.core.validation import DocumentValidationError
from tests.core.doctypes import LIFECYCLE, install_all

URL = "/app/engine-lifecycle-test/"


@pytest.fixture(autouse=True)
def _doctypes(db: None) -> None:
    install_all()


ROWS = [
    {"item_label": "灯管", "qty": 4, "amount": "60"},
    {"item_label": "启辉器", "qty": 2, "amount": "8"},
]


def create(actor: User, **values: Any) -> Document:
    return services.create_document(
        LIFECYCLE, {"subject": "更换灯管", "amount": "80", "rows": ROWS, **values}, actor=actor
    )


def save(doc: Document, actor: User, **values: Any) -> Document:
    return services.save_document(LIFECYCLE, doc.name, values, actor=actor)


def last_version(doc: Document) -> Version:
    version = Version.objects.filter(document=doc).last()
    assert version is not None
    return version


def stored_rows(doc: Document) -> list[dict[str, Any]]:
    return list(Document.objects.get(pk=doc.pk).data["rows"])


def test_creation_is_recorded_with_who_when_and_every_value(users):
    start = timezone.now()
    doc = create(users["teacher"])
    version = last_version(doc)
    assert version.action == "create"
    assert version.actor == users["teacher"]
    assert start <= version.created <= timezone.now()
    changed = {field: (old, new) for field, old, new in version.diff["changed"]}
    assert changed["subject"] == (None, "更换灯管")
    assert changed["amount"] == (None, "80.00")
    assert [row["item_label"] for _, row in version.diff["added"]] == ["灯管", "启辉器"]


def test_a_save_records_only_the_fields_that_changed_from_and_to(users):
    doc = create(users["teacher"])
    save(doc, users["teacher"], subject="更换三楼灯管", amount="80.00", progress_note="")
    version = last_version(doc)
    assert version.action == "save"
    assert version.diff == {"changed": [["subject", "更换灯管", "更换三楼灯管"]]}


def test_the_version_names_whoever_saved(users):
    doc = create(users["teacher"])
    save(doc, users["admin"], amount="95")
    version = last_version(doc)
    assert version.actor == users["admin"]
    assert version.diff == {"changed": [["amount", "80.00", "95.00"]]}
    assert Document.objects.get(pk=doc.pk).modified_by == users["admin"]


def test_rows_added_removed_and_changed_are_each_recorded(users):
    doc = create(users["teacher"])
    lamp, starter = stored_rows(doc)
    rows = [
        {**lamp, "qty": 5},  # changed
        {"item_label": "电工胶布", "qty": 1, "amount": "3"},  # added
    ]  # the starter row is removed
    save(doc, users["teacher"], rows=rows)
    diff = last_version(doc).diff
    assert diff["row_changed"] == [["rows", 1, lamp["name"], [["qty", 4, 5]]]]
    assert [(table, row["item_label"]) for table, row in diff["added"]] == [("rows", "电工胶布")]
    assert [(table, row["name"]) for table, row in diff["removed"]] == [("rows", starter["name"])]
    assert "changed" not in diff


def test_saving_without_changes_records_nothing(users):
    doc = create(users["teacher"])
    save(doc, users["teacher"], rows=stored_rows(doc), subject="更换灯管")
    assert Version.objects.filter(document=doc).count() == 1


def test_each_step_of_the_lifecycle_is_recorded_in_order(users):
    teacher, admin = users["teacher"], users["admin"]
    doc = create(teacher)
    services.submit_document(LIFECYCLE, doc.name, actor=teacher)
    save(doc, teacher, progress_note="材料已申领")
    services.cancel_document(LIFECYCLE, doc.name, actor=admin)
    amended = services.amend_document(LIFECYCLE, doc.name, actor=teacher)
    trail = [
        (v.action, v.actor.username) for v in Version.objects.filter(document=doc).order_by("id")
    ]
    assert trail == [
        ("create", "teacher"),
        ("submit", "teacher"),
        ("update_after_submit", "teacher"),
        ("cancel", "admin"),
    ]
    assert [v.action for v in Version.objects.filter(document=amended)] == ["amend"]


def test_a_refused_save_records_no_version(users):
    doc = create(users["teacher"])
    with pytest.raises(DocumentValidationError):
        save(doc, users["teacher"], amount="abc")
    assert Version.objects.filter(document=doc).count() == 1


def test_the_timeline_shows_who_changed_what_from_and_to(client, users):
    doc = create(users["teacher"])
    lamp, _ = stored_rows(doc)
    save(doc, users["teacher"], subject="更换三楼灯管", rows=[{**lamp, "qty": 6}])
    services.add_comment(LIFECYCLE, doc.name, "周五前完成", actor=users["teacher"])
    client.force_login(users["teacher"])
    body = client.get(URL + doc.name).content.decode()
    assert "事由: 更换灯管 → 更换三楼灯管" in body
    assert "明细 第 1 行 数量: 4 → 6" in body
    assert "明细 删除第 2 行" in body
    assert "周五前完成" in body
