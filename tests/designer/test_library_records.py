"""The library's records of the seed notes' routines: the canteen supervision group's monthly
rating (problems and requirements written down when it is not good), 消防演练 (a faulty
extinguisher named), and the logistics office's daily log (a problem found is followed up)."""

from __future__ import annotations

import pytest

from school_logistics.core import services as core
from school_logistics.core.models import User
from school_logistics.core.validation import DocumentValidationError
from school_logistics.designer import library

pytestmark = pytest.mark.django_db


def refused_fields(doctype: str, values: dict, actor: User) -> list[str]:
    with pytest.raises(DocumentValidationError) as exc:
        core.create_document(doctype, values, actor=actor)
    return list(exc.value.errors)


def test_a_canteen_rating_adds_up_and_a_poor_one_says_what_to_fix(users) -> None:
    library.install("canteen_supervision", actor=users["admin"])
    scores = {"hygiene": 23, "quality": 20, "price": 18, "service": 12, "environment": 13}
    values = {"month": "2026-11", "members": "副校长、总务处主任、教师和家长代表", **scores}
    good = core.create_document("Canteen Supervision", {**values, "conclusion": "良好"},
                                actor=users["purchaser"])  # fmt: skip
    assert good.data["total"] == 86
    assert refused_fields("Canteen Supervision", {**values, "conclusion": "合格"},
                          users["purchaser"]) == ["findings", "requirements"]  # fmt: skip
    assert refused_fields("Canteen Supervision", {**values, "hygiene": 30, "conclusion": "优秀"},
                          users["purchaser"]) == ["hygiene"]  # fmt: skip


def test_a_fire_drill_names_the_equipment_found_faulty(users) -> None:
    library.install("fire_drill", actor=users["admin"])
    values = {"drill_type": "疏散演练", "scope": "全校师生", "participants": 1260,
              "minutes_taken": "3.5", "review": "二楼东侧楼梯口拥堵，下次分批疏散"}  # fmt: skip
    assert refused_fields("Fire Drill", values, users["purchaser"]) == ["equipment_note"]
    doc = core.create_document("Fire Drill", {**values, "equipment_ok": "1"},
                               actor=users["purchaser"])  # fmt: skip
    assert doc.data["participants"] == 1260


def test_a_problem_in_the_daily_log_is_followed_up(users) -> None:
    library.install("logistics_work_log", actor=users["admin"])
    values = {
        "summary": "维修 1 处，宿舍楼巡查",
        "work_done": "更换 302 教室灯管；巡查宿舍楼消防通道",
        "problems": "宿舍楼灭火器压力不足",
    }
    assert refused_fields("Logistics Work Log", values, users["purchaser"]) == ["follow_up"]
    doc = core.create_document("Logistics Work Log", {**values, "follow_up": "联系消防公司充装"},
                               actor=users["purchaser"])  # fmt: skip
    assert doc.data["recorder"] == "purchaser"
