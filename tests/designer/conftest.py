"""Designer fixtures: a 用车申请 DocType made through the designer services."""

from __future__ import annotations

from typing import Any

import pytest

from school_logistics.core.models import DocType, User
from school_logistics.designer import services

VR = "Vehicle Request"
PASSENGER = "Vehicle Passenger"

VR_FIELDS: list[dict[str, Any]] = [
    {"fieldname": "destination", "fieldtype": "Data", "label": "目的地", "reqd": 1,
     "in_list_view": 1},
    {"fieldname": "trip_date", "fieldtype": "Date", "label": "用车日期", "reqd": 1},
    {"fieldname": "vehicle", "fieldtype": "Select", "label": "车型", "options": "轿车\n商务车\n大客车"},
    {"fieldname": "column_break_1", "fieldtype": "Column Break"},
    {"fieldname": "seats", "fieldtype": "Data", "label": "座位数"},
    {"fieldname": "note", "fieldtype": "Small Text", "label": "备注"},
]  # fmt: skip


@pytest.fixture
def admin(users: dict[str, User]) -> User:
    return users["admin"]


@pytest.fixture
def vehicle_request(admin: User) -> DocType:
    """用车申请 with a few fields, made by the admin in the designer."""
    return services.create_doctype(
        {
            "name": VR,
            "label": "用车申请",
            "label_en": "Vehicle Request",
            "module": "safety",
            "autoname": "VR-.YYYY.-.####",
            "is_submittable": 1,
            "title_field": "destination",
            "icon": "fa-car",
            "fields": VR_FIELDS,
        },
        actor=admin,
    )
