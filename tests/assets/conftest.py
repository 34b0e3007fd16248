"""A classroom kept by the teacher and a lab kept by the head, with assets on the books."""

from __future__ import annotations

import pytest

from school_logistics.core.models import Document, User
from tests.assets.factories import make_room, register_asset


@pytest.fixture
def rooms(users: dict[str, User]) -> dict[str, Document]:
    keeper = users["storekeeper"]
    return {
        "class": make_room(keeper, "七年级(1)班教室", users["teacher"]),
        "lab": make_room(keeper, "物理实验室", users["head"], purpose="功能室"),
    }


@pytest.fixture
def assets(users: dict[str, User], rooms: dict[str, Document]) -> dict[str, Document]:
    keeper = users["storekeeper"]
    return {
        "desks": register_asset(keeper, rooms["class"], "学生课桌椅", "45", "280"),
        "board": register_asset(
            keeper, rooms["class"], "多媒体一体机", "1", "8600", category="电教设备", uom="台"
        ),
        "scope": register_asset(
            keeper, rooms["lab"], "学生显微镜", "20", "450", category="教学仪器", uom="台"
        ),
    }
