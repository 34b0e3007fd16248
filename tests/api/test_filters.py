"""List filters: every operator, both filter forms, promoted columns and JSON fields alike."""

from __future__ import annotations

import pytest
from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.models import Document
from tests.api.conftest import REQ, make_requisition

ITEMS = "/api/resource/Item"
REQS = f"/api/resource/{REQ}"


@pytest.fixture
def catalogue(users, items):
    """Four items: prices 23.50, 16.00, 38.00, 280.00; the desk set is not consumable."""
    services.save_document("Item", "DESK-1", {"is_consumable": 0}, actor=users["storekeeper"])
    return items


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(row["name"] for row in response.json()["data"])


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("=", "23.5", ["A4-70"]),
        ("!=", 23.5, ["DESK-1", "LAMP-T8", "TAP-15"]),
        # Numbers compare as numbers, not as the stored text ("280.00" < "38.00" as text).
        (">", 38, ["DESK-1"]),
        ("<", "38", ["A4-70", "LAMP-T8"]),
        (">=", "38.00", ["DESK-1", "TAP-15"]),
        ("<=", 16, ["LAMP-T8"]),
        ("between", [20, 40], ["A4-70", "TAP-15"]),
        ("in", [16, "280"], ["DESK-1", "LAMP-T8"]),
        ("not in", [16, 280], ["A4-70", "TAP-15"]),
    ],
)
def test_numeric_operators_on_a_json_currency_field(api, catalogue, op, value, expected):
    response = api("teacher").get(ITEMS, filters=[["reference_price", op, value]])
    assert codes(response) == expected


@pytest.mark.parametrize(
    ("field", "op", "value", "expected"),
    [
        ("item_name", "like", "%灯%", ["LAMP-T8"]),
        ("item_code", "like", "a4%", ["A4-70"]),
        ("item_name", "not like", "%纸%", ["DESK-1", "LAMP-T8", "TAP-15"]),
        ("item_name", "=", "水龙头", ["TAP-15"]),
        ("item_name", "in", "水龙头,日光灯管", ["LAMP-T8", "TAP-15"]),
    ],
)
def test_text_operators(api, catalogue, field, op, value, expected):
    response = api("teacher").get(ITEMS, filters=[[field, op, value]])
    assert codes(response) == expected


def test_like_is_case_insensitive_on_promoted_name(api, catalogue):
    assert codes(api("teacher").get(ITEMS, filters=[["name", "like", "lamp%"]])) == ["LAMP-T8"]


def test_check_field_filter(api, catalogue):
    response = api("teacher").get(ITEMS, filters={"is_consumable": 0})
    assert codes(response) == ["DESK-1"]


def test_dict_form_with_operator(api, catalogue):
    response = api("teacher").get(ITEMS, filters={"reference_price": [">", 30], "category": "家具"})
    assert codes(response) == ["DESK-1"]


def test_is_set_and_is_not_set(api, users, items):
    with_date = make_requisition(
        users["teacher"], posting_date="2026-11-20", required_by="2026-12-01"
    )
    without = make_requisition(users["teacher"])
    client = api("teacher")
    is_set = client.get(REQS, filters=[["required_by", "is", "set"]])
    assert codes(is_set) == [with_date.name]
    not_set = client.get(REQS, filters=[["required_by", "is", "not set"]])
    assert codes(not_set) == [without.name]


def test_or_filters_match_any(api, catalogue):
    response = api("teacher").get(
        ITEMS,
        or_filters=[["item_code", "=", "TAP-15"], ["reference_price", ">", 100]],
    )
    assert codes(response) == ["DESK-1", "TAP-15"]


def test_filters_and_or_filters_combine(api, catalogue):
    response = api("teacher").get(
        ITEMS,
        filters=[["category", "=", "水电材料"]],
        or_filters=[["item_code", "=", "TAP-15"], ["item_code", "=", "DESK-1"]],
    )
    assert codes(response) == ["TAP-15"]


def test_promoted_columns_docstatus_owner_total_and_date(api, users, items):
    client = api("purchaser")
    small = make_requisition(users["teacher"], qty="1", rate="5")
    big = make_requisition(users["purchaser"], qty="100", rate="50")
    services.submit_document(REQ, big.name, actor=users["purchaser"])
    assert codes(client.get(REQS, filters={"docstatus": 1})) == [big.name]
    assert codes(client.get(REQS, filters={"owner": "teacher"})) == [small.name]
    assert codes(client.get(REQS, filters=[["grand_total", ">=", "1000"]])) == [big.name]
    today = timezone.localdate().isoformat()
    both = sorted([small.name, big.name])
    assert codes(client.get(REQS, filters=[["posting_date", "between", [today, today]]])) == both
    assert codes(client.get(REQS, filters=[["creation", "between", [today, today]]])) == both
    assert codes(client.get(REQS, filters=[["modified", ">", "2000-01-01"]])) == both
    assert codes(client.get(REQS, filters=[["purpose", "like", "%用纸%"]])) == both


def test_four_element_filter_form_is_accepted(api, catalogue):
    response = api("teacher").get(ITEMS, filters=[["Item", "item_code", "=", "A4-70"]])
    assert codes(response) == ["A4-70"]


def test_sql_looking_values_are_data(api, catalogue):
    client = api("teacher")
    for value in ["' OR 1=1 --", "A4-70'; DROP TABLE core_document; --", "%' OR '1'='1"]:
        response = client.get(ITEMS, filters=[["item_code", "=", value]])
        assert codes(response) == []
        response = client.get(ITEMS, filters=[["item_name", "like", value]])
        assert codes(response) == []
    assert Document.objects.filter(doctype="Item").count() == 4


def test_sql_in_field_names_and_order_by_is_refused(api, catalogue):
    client = api("teacher")
    bad_field = client.get(ITEMS, filters=[["item_code = 1 OR 1", "=", "1"]])
    assert bad_field.status_code == 417
    bad_order = client.get(ITEMS, order_by="item_code; DROP TABLE core_document")
    assert bad_order.status_code == 417
    bad_fields = client.get(ITEMS, fields=["count(*) as n"])
    assert bad_fields.status_code == 417
    assert Document.objects.filter(doctype="Item").count() == 4


def test_unknown_operator_and_bad_values_are_417(api, catalogue):
    client = api("teacher")
    for flt in (
        [["item_code", "regexp", ".*"]],
        [["reference_price", ">", "abc"]],
        [["reference_price", "between", [1]]],
        [["required_by", "is", "maybe"]],
        [["no_such_field", "=", 1]],
        "not json",
        [["item_code"]],
    ):
        response = client.get(ITEMS, filters=flt)
        assert response.status_code == 417, (flt, response.content)
        assert response.json()["exc_type"] == "ValidationError"


def test_order_by_known_fields(api, catalogue):
    client = api("teacher")
    response = client.get(ITEMS, order_by="reference_price desc", fields=["name"])
    assert [r["name"] for r in response.json()["data"]] == ["DESK-1", "TAP-15", "A4-70", "LAMP-T8"]
    response = client.get(ITEMS, order_by="`tabItem`.`item_code` asc")
    assert [r["name"] for r in response.json()["data"]] == ["A4-70", "DESK-1", "LAMP-T8", "TAP-15"]


def test_fields_star_returns_every_value_field(api, catalogue):
    row = api("teacher").get(ITEMS, fields=["*"], filters={"name": "A4-70"}).json()["data"][0]
    assert row["item_name"] == "A4复印纸"
    assert row["docstatus"] == 0
    assert "owner" in row and "modified" in row


def test_table_fields_cannot_be_listed(api, users, items):
    response = api("teacher").get(REQS, fields=["items"])
    assert response.status_code == 417


def test_documents_without_a_value_never_match_a_comparison(api, users, items):
    services.create_document(
        "Item",
        {"item_code": "NOPRICE", "item_name": "无价物资", "category": "其他", "uom": "个"},
        actor=users["storekeeper"],
    )
    dated = make_requisition(users["teacher"], posting_date="2026-11-20", required_by="2026-12-01")
    make_requisition(users["teacher"])
    client = api("teacher")
    assert "NOPRICE" not in codes(client.get(ITEMS, filters=[["reference_price", "<", 10]]))
    assert "NOPRICE" in codes(client.get(ITEMS, filters=[["reference_price", "!=", 16]]))
    assert "NOPRICE" in codes(client.get(ITEMS, filters=[["reference_price", "is", "not set"]]))
    later = client.get(REQS, filters=[["required_by", ">", "2000-01-01"]])
    assert codes(later) == [dated.name]
