"""A number no column can hold is refused when it is typed or computed: a quantity × price of
22 digits once saved as a draft, and every list and inbox naming it answered 500."""

from __future__ import annotations

import pytest
from django.test import Client

from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.core.validation import DocumentValidationError

MR = "Material Requisition"


@pytest.fixture
def marker(users):
    return services.create_document(
        "Item",
        {"item_code": "JX-MARKER", "item_name": "白板笔", "uom": "盒", "category": "办公用品"},
        actor=users["admin"],
    )


def values(teacher, qty: str, rate: str) -> dict:
    return {
        "department": teacher.department.name,
        "purpose": "教学用品",
        "items": [{"item": "JX-MARKER", "qty": qty, "rate": rate}],
    }


def test_a_computed_amount_past_a_trillion_is_refused_and_nothing_is_saved(users, marker):
    teacher = users["teacher"]
    with pytest.raises(DocumentValidationError) as refused:
        services.create_document(MR, values(teacher, "99999999999999", "99999999"), actor=teacher)
    assert "物资明细第 1 行：金额：数字太大，不能达到 1 万亿" in refused.value.messages()
    assert not Document.objects.filter(doctype=MR).exists()


def test_the_form_says_so_and_the_list_still_opens(users, marker):
    teacher = users["teacher"]
    client = Client()
    client.force_login(teacher)
    posted = {
        "department": teacher.department.name,
        "purpose": "教学用品",
        "items-present": "1",
        "items-0-item": "JX-MARKER",
        "items-0-qty": "99999999",
        "items-0-rate": "999999999",
    }
    response = client.post("/app/material-requisition/new", posted)
    assert response.status_code == 400 and "数字太大，不能达到 1 万亿" in response.content.decode()
    assert client.get("/app/material-requisition/").status_code == 200
    # A large but possible amount is kept.
    doc = services.create_document(MR, values(teacher, "1000", "99999.99"), actor=teacher)
    assert str(doc.grand_total) == "99999990.00"
