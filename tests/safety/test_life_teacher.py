"""A 生活老师 patrols the dormitory: they record a safety check and report a hazard like any
member of staff, and read only their own."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.models import Document, School, User
from tests.assets.factories import make_room
from tests.conftest import make_user

INSPECTION = "Safety Inspection"
RECTIFICATION = "Hazard Rectification"
pytestmark = pytest.mark.workflows


@pytest.fixture
def life(school: School) -> dict[str, User]:
    return {
        "owner": make_user("life", school, "life_teacher", full_name="生活老师甲"),
        "colleague": make_user("life2", school, "life_teacher", full_name="生活老师乙"),
    }


def test_a_life_teacher_reports_a_dormitory_hazard_to_be_fixed(
    client: Any, life: dict[str, User], users: dict[str, User], outsider: User
) -> None:
    dorm = make_room(users["storekeeper"], "男生宿舍1号楼101", users["head"], purpose="宿舍")
    owner = life["owner"]
    client.force_login(owner)
    for page in ("/app/hazard-rectification/new", "/app/safety-inspection/new"):
        assert client.get(page).status_code == 200
    deadline = timezone.localdate() + dt.timedelta(days=2)
    response = client.post(
        "/app/hazard-rectification/new",
        {"hazard": "宿舍走廊应急灯不亮", "location": dorm.name, "severity": "一般",
         "responsible": "worker", "deadline": deadline.isoformat(), "inspector": "life"},
    )  # fmt: skip
    assert response.status_code == 302
    fix = Document.objects.get(doctype=RECTIFICATION)
    assert (fix.owner_id, fix.data["responsible"]) == (owner.pk, "worker")
    for other in (life["colleague"], outsider):
        client.force_login(other)
        assert client.get(f"/app/hazard-rectification/{fix.name}").status_code in (403, 404)


def test_a_life_teachers_patrol_hands_each_hazard_to_its_responsible_person(
    life: dict[str, User], users: dict[str, User]
) -> None:
    dorm = make_room(users["storekeeper"], "男生宿舍1号楼101", users["head"], purpose="宿舍")
    patrol = services.create_document(
        INSPECTION,
        {"title": "男生宿舍夜间巡查", "inspection_type": "日常巡查", "area": "男生宿舍",
         "conclusion": "发现隐患 1 处",
         "findings": [{"location": dorm.name, "hazard": "插线板私接", "severity": "较大",
                       "responsible": "worker",
                       "deadline": timezone.localdate() + dt.timedelta(days=1)}]},
        actor=life["owner"],
    )  # fmt: skip
    services.submit_document(INSPECTION, patrol.name, actor=life["owner"])
    fix = Document.objects.get(doctype=RECTIFICATION)
    assert (fix.data["inspector"], fix.data["responsible"]) == ("life", "worker")
    assert fix.workflow_state == "限期整改"
