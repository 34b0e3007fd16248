"""Registers kept shift after shift: the gate's visitor register is the guards' together (the
next shift records when a visitor the last one let in leaves), and a life teacher reads the
dormitory's earlier duty logs while writing only their own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from school_logistics.core import permissions, services
from school_logistics.core.models import School, User
from school_logistics.core.registry import get_meta
from school_logistics.core.validation import DocumentValidationError
from school_logistics.designer import library
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
VISITOR, DUTY = "Visitor Registration", "Dormitory Duty Log"


@pytest.fixture
def guards(school: School) -> list[User]:
    return [make_user(f"guard{i}", school, "guard", full_name=f"门卫{i}") for i in (1, 2)]


def test_the_next_guard_records_when_the_last_ones_visitor_leaves(users, guards) -> None:
    library.install("visitor_registration", actor=users["admin"])
    day = dt.date(2026, 12, 8)
    visit = services.create_document(
        VISITOR,
        {"visitor_name": "送货人员（演示）", "id_number": "110105198001010001",
         "visit_purpose": "送货", "host": "食堂管理员", "visit_date": day,
         "time_in": dt.datetime(2026, 12, 8, 7, 50)},
        actor=guards[0],
    )  # fmt: skip
    later = services.save_document(
        VISITOR, visit.name, {"time_out": dt.datetime(2026, 12, 8, 16, 30)}, actor=guards[1]
    )
    assert later.data["stay_hours"] == "8.670"  # the form rounds the stay to 0.01 h
    # A teacher still sees only the visitors they registered themselves.
    with pytest.raises(Http404):
        permissions.get_document(users["teacher"], get_meta(VISITOR), visit.name, "read")


def test_a_life_teacher_reads_the_last_shifts_log_but_writes_only_their_own(users, school):
    library.install("dorm_duty", actor=users["admin"])
    night, morning = (make_user(n, school, "life_teacher") for n in ("life_n", "life_m"))
    log = services.create_document(
        DUTY,
        {"duty_date": dt.date(2026, 12, 7), "building": "男生宿舍1号楼", "shift": "夜班",
         "duty_teacher": "life_n", "boarders": 120, "present": 118,
         "absent_note": "两人病假回家"},
        actor=night,
    )  # fmt: skip
    meta = get_meta(DUTY)
    assert permissions.get_document(morning, meta, log.name, "read").name == log.name
    assert not permissions.has_permission(morning, meta, "write", log)


@pytest.mark.parametrize(
    ("form", "doctype", "values", "field", "words"),
    [
        ("visitor_registration", VISITOR,
         {"visitor_name": "家长（演示）", "id_number": "110105198001010002", "visit_purpose": "家长来访",
          "host": "班主任", "visit_date": dt.date(2026, 12, 8),
          "time_in": dt.datetime(2026, 12, 8, 10, 0), "time_out": dt.datetime(2026, 12, 8, 8, 30)},
         "stay_hours", "停留时长（小时）：按填写的内容算得 -1.5，不能小于 0，请检查"),
        ("dorm_duty", DUTY,
         {"duty_date": dt.date(2026, 12, 7), "building": "男生宿舍1号楼", "shift": "夜班",
          "duty_teacher": "teacher", "boarders": 120, "present": 125},
         "absent", "不能小于 0"),
    ],
)  # fmt: skip
def test_a_computed_figure_that_cannot_be_is_refused_with_what_to_check(
    users, form, doctype, values, field, words
) -> None:
    """Leaving before arriving, more present than live there: the inputs are wrong."""
    library.install(form, actor=users["admin"])
    with pytest.raises(DocumentValidationError) as refused:
        services.create_document(doctype, values, actor=users["teacher"])
    assert any(words in m for m in refused.value.errors[field])


def test_a_phone_field_takes_a_phone_number_and_offers_the_phones_keypad(client, users) -> None:
    """外来人员登记's 联系电话 is set to 电话号码: "abc" is refused, a landline is kept."""
    library.install("visitor_registration", actor=users["admin"])
    values = {"visitor_name": "维修技师（演示）", "id_number": "110105198001010003",
              "visit_purpose": "维修施工", "host": "总务处", "visit_date": dt.date(2026, 12, 8),
              "time_in": dt.datetime(2026, 12, 8, 9, 0)}  # fmt: skip
    with pytest.raises(DocumentValidationError) as refused:
        services.create_document(VISITOR, {**values, "phone": "abc"}, actor=users["teacher"])
    assert refused.value.errors["phone"] == [
        "联系电话：请填写正确的电话号码，如 13800000000 或 0571-88880000"
    ]
    kept = services.create_document(
        VISITOR, {**values, "phone": "0571-88880000"}, actor=users["teacher"]
    )
    assert kept.data["phone"] == "0571-88880000"
    client.force_login(users["teacher"])
    form = client.get("/app/visitor-registration/new").content.decode()
    assert 'inputmode="tel" class="form-control' in form
