"""A 隐患整改单's 整改期限 is not already past on the day it is written; one that has passed
since still lets the responsible person record the fix."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.models import Document, User
from school_logistics.core.validation import DocumentValidationError
from tests.assets.factories import make_room

RECTIFICATION = "Hazard Rectification"
INSPECTION = "Safety Inspection"


@pytest.fixture
def dorm(users: dict[str, User]) -> Document:
    return make_room(users["storekeeper"], "男生宿舍1号楼101", users["head"], purpose="宿舍")


def hazard(users, dorm, deadline: dt.date) -> Document:
    return services.create_document(
        RECTIFICATION,
        {"hazard": "宿舍走廊应急灯不亮", "location": dorm.name, "severity": "一般",
         "responsible": "worker", "deadline": deadline},
        actor=users["purchaser"],
    )  # fmt: skip


def test_a_deadline_already_past_is_refused_and_nothing_is_saved(users, dorm):
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    with pytest.raises(DocumentValidationError) as exc:
        hazard(users, dorm, yesterday)
    assert exc.value.errors == {
        "deadline": [
            f"整改期限 {yesterday.isoformat()} 已经过去，请定在 {today.isoformat()} 或之后"
        ]
    }
    assert not Document.objects.filter(doctype=RECTIFICATION).exists()
    assert hazard(users, dorm, today).data["deadline"] == today.isoformat()


def test_a_deadline_moved_into_the_past_is_refused(users, dorm):
    today = timezone.localdate()
    doc = hazard(users, dorm, today + dt.timedelta(days=3))
    with pytest.raises(DocumentValidationError, match="整改期限 .* 已经过去"):
        services.save_document(
            RECTIFICATION, doc.name, {"deadline": today - dt.timedelta(days=2)},
            actor=users["purchaser"],
        )  # fmt: skip
    doc.refresh_from_db()
    assert doc.data["deadline"] == (today + dt.timedelta(days=3)).isoformat()


def test_an_overdue_hazard_can_still_be_saved_with_its_deadline(users, dorm):
    """The deadline passed since it was written: saving it again does not set it."""
    today = timezone.localdate()
    doc = hazard(users, dorm, today)
    past = (today - dt.timedelta(days=2)).isoformat()
    Document.objects.filter(pk=doc.pk).update(data={**doc.data, "deadline": past})
    doc = services.save_document(
        RECTIFICATION, doc.name, {"measures": "更换应急灯 2 盏"}, actor=users["purchaser"]
    )
    assert (doc.data["deadline"], doc.data["measures"]) == (past, "更换应急灯 2 盏")


def test_an_inspection_recorded_late_hands_on_the_deadlines_it_set_that_day(users, dorm):
    """A paper inspection entered a week later: its hazards keep the deadlines set on the
    day of the inspection (the inspection's rule), even ones that have passed since."""
    day = timezone.localdate() - dt.timedelta(days=7)
    doc = services.create_document(
        INSPECTION,
        {"title": "月度安全检查", "inspection_type": "月度安全检查", "area": "学生宿舍",
         "conclusion": "发现隐患 1 处", "inspection_date": day,
         "findings": [{"location": dorm.name, "hazard": "灭火器压力不足", "severity": "一般",
                       "responsible": "worker", "deadline": day + dt.timedelta(days=3)}]},
        actor=users["purchaser"],
    )  # fmt: skip
    services.submit_document(INSPECTION, doc.name, actor=users["purchaser"])
    fix = Document.objects.get(doctype=RECTIFICATION)
    assert fix.data["deadline"] == (day + dt.timedelta(days=3)).isoformat()
