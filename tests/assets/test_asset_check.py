"""校产清查 (期初、期中、期末): a room checked against its books; what is damaged is reported
for repair, what is missing written off through a 报废单."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from school_logistics.assets.services import check_type_for, start_check
from school_logistics.core import services
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import DocumentValidationError

CHECK = "Asset Check"
D = Decimal


def counted(check: Document, found: dict[str, tuple[str, str, str]], actor: User) -> Document:
    """Enter what was found: asset → (actual, damaged, note)."""
    rows = []
    for row in check.data["items"]:
        actual, damaged, note = found.get(row["asset"], (row["actual_qty"], "0", ""))
        rows.append({**row, "actual_qty": actual, "damaged_qty": damaged, "note": note})
    return services.save_document(CHECK, check.name, {"items": rows}, actor=actor)


def test_a_check_starts_from_the_rooms_books_found_as_they_say(users, rooms, assets):
    check = start_check(rooms["class"].name, actor=users["teacher"], today=dt.date(2026, 11, 9))
    rows = {r["asset"]: r for r in check.data["items"]}
    assert set(rows) == {assets["desks"].name, assets["board"].name}
    desks = rows[assets["desks"].name]
    assert (D(desks["book_qty"]), D(desks["actual_qty"])) == (D(45), D(45))
    assert check.data["check_type"] == "期中检查"
    assert check.title == "七年级(1)班教室期中检查"
    assert D(check.data["short_qty"]) == 0


def test_the_term_decides_the_kind_of_check():
    assert [check_type_for(m) for m in (9, 11, 1, 3, 5, 6)] == [
        *("期初检查", "期中检查", "期末检查", "期初检查", "期中检查", "期末检查"),
    ]


def test_a_keeper_checks_only_the_rooms_they_keep(client, users, rooms, assets):
    client.force_login(users["teacher"])
    response = client.post("/app/asset-register/check", {"location": rooms["lab"].name})
    assert response.status_code == 403
    response = client.post("/app/asset-register/check", {"location": rooms["class"].name})
    check = Document.objects.get(doctype=CHECK)
    assert response.url == f"/app/asset-check/{check.name}"
    with pytest.raises(DocumentValidationError) as exc:
        services.create_document(
            CHECK,
            {"title": "实验室检查", "location": rooms["lab"].name, "check_type": "期中检查",
             "items": [{"asset": assets["scope"].name, "actual_qty": "20"}]},
            actor=users["teacher"],
        )  # fmt: skip
    assert exc.value.errors["location"] == ["只能清查本人保管的场所"]


def test_damage_found_is_reported_for_repair_against_the_asset(client, users, rooms, assets):
    teacher = users["teacher"]
    check = start_check(rooms["class"].name, actor=teacher, today=dt.date(2026, 11, 9))
    desks = assets["desks"].name
    check = counted(check, {desks: ("43", "3", "桌面开裂 3 套，2 套缺失")}, teacher)
    assert (D(check.data["short_qty"]), D(check.data["damaged_qty"])) == (D(2), D(3))
    services.submit_document(CHECK, check.name, actor=teacher)
    ticket = Document.objects.get(doctype="Repair Ticket")
    assert ticket.title == "期中检查发现损坏：学生课桌椅 3套"
    assert (ticket.data["asset"], ticket.data["location"], ticket.data["category"]) == (
        desks,
        rooms["class"].name,
        "课桌椅",
    )
    assert check.name in ticket.data["description"] and "桌面开裂" in ticket.data["description"]
    assert ticket.owner == teacher and ticket.docstatus == DocStatus.SUBMITTED  # no flow here
    client.force_login(users["storekeeper"])
    page = client.get(f"/app/asset-check/{check.name}").content.decode()
    assert 'id="check-repairs"' in page and ticket.name in page
    history = client.get(f"/app/asset-register/{desks}").content.decode()
    assert "维修记录（1 次）" in history and ticket.name in history


def test_what_is_missing_is_written_off_through_a_disposal(client, users, rooms, assets):
    keeper = users["storekeeper"]
    check = start_check(rooms["class"].name, actor=keeper, today=dt.date(2026, 11, 9))
    desks = assets["desks"].name
    check = counted(check, {desks: ("43", "0", "两套下落不明，班主任已查")}, keeper)
    services.submit_document(CHECK, check.name, actor=keeper)
    client.force_login(keeper)
    response = client.post(f"/app/asset-register/check-disposal/{check.name}")
    disposal = Document.objects.get(doctype="Asset Disposal")
    assert response.url == f"/app/asset-disposal/{disposal.name}"
    assert disposal.data["reason"] == "丢失短缺"
    assert [(r["asset"], D(r["qty"]), r["book_value"]) for r in disposal.data["items"]] == [
        (desks, D(2), "560.00")
    ]
    assert "两套下落不明" in disposal.data["description"]


@pytest.mark.parametrize(
    ("found", "message"),
    [
        (("46", "0"), "实有数量多于账面 45"),
        (("40", "41"), "损坏数量不能多于实有数量"),
        (("-1", "0"), "数量不能为负数"),
    ],
)
def test_counts_the_books_cannot_hold_are_refused(users, rooms, assets, found, message):
    keeper = users["storekeeper"]
    check = start_check(rooms["class"].name, actor=keeper, today=dt.date(2026, 11, 9))
    with pytest.raises(DocumentValidationError) as exc:
        counted(check, {assets["desks"].name: (*found, "")}, keeper)
    assert message in str(exc.value.messages())


def test_an_asset_of_another_room_is_not_checked_here(users, rooms, assets):
    with pytest.raises(DocumentValidationError) as exc:
        services.create_document(
            CHECK,
            {"title": "检查", "location": rooms["class"].name, "check_type": "日常检查",
             "items": [{"asset": assets["scope"].name, "actual_qty": "20"}]},
            actor=users["storekeeper"],
        )  # fmt: skip
    assert "不在本场所，请先办理调拨" in str(exc.value.messages())


@pytest.mark.workflows
def test_a_reported_damage_goes_into_the_repair_flow(users, rooms, assets):
    teacher = users["teacher"]
    check = start_check(rooms["class"].name, actor=teacher, today=dt.date(2026, 11, 9))
    check = counted(check, {assets["board"].name: ("1", "1", "屏幕无法触控")}, teacher)
    services.submit_document(CHECK, check.name, actor=teacher)
    ticket = Document.objects.get(doctype="Repair Ticket")
    assert (ticket.docstatus, ticket.workflow_state) == (DocStatus.DRAFT, "总务处派工")
    assert ticket.data["category"] == "电教"
