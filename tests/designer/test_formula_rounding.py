"""round() in a designed form's formula rounds half up (四舍五入), as people and the desk form do."""

from __future__ import annotations

from decimal import Decimal

import pytest

from school_logistics.core import services as core
from school_logistics.core.models import User
from school_logistics.designer import services
from school_logistics.designer.formulas import FUNCTIONS

pytestmark = pytest.mark.django_db


def test_a_formula_rounds_half_a_fen_up_on_the_saved_document(
    admin: User, users: dict[str, User]
) -> None:
    services.create_doctype(
        {
            "name": "Power Bill",
            "label": "电费登记",
            "label_en": "Power Bill",
            "module": "safety",
            "autoname": "DF-.####",
            "fields": [
                {"fieldname": "kwh", "fieldtype": "Float", "label": "用电量", "reqd": 1},
                {"fieldname": "price", "fieldtype": "Float", "label": "单价", "reqd": 1},
                {"fieldname": "cost", "fieldtype": "Float", "label": "电费",
                 "formula": "round(kwh * price, 2)"},
            ],
            "permissions": [{"role": "purchaser", "read": 1, "write": 1, "create": 1}],
        },
        actor=admin,
    )  # fmt: skip
    doc = core.create_document(
        "Power Bill", {"kwh": "160.5", "price": "0.65"}, actor=users["purchaser"]
    )
    assert Decimal(doc.data["cost"]) == Decimal("104.33")  # 104.325, not 104.32 (to even)


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [("104.325", 2, "104.33"), ("2.5", 0, "3"), ("-2.5", 0, "-3"), ("0.125", 2, "0.13")],
)
def test_round_is_half_up_outside_a_formulas_own_context(
    value: str, places: int, expected: str
) -> None:
    assert FUNCTIONS["round"](Decimal(value), places) == Decimal(expected)
