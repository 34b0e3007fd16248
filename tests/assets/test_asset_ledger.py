"""The asset books: a card registers an asset in its room, 调拨 moves it to another room and
keeper, 报废 takes it off, and cancelling any of them mirrors its rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.core.validation import DocumentValidationError
from school_logistics.ledger.models import AssetBin, AssetLedgerEntry
from tests.assets.factories import disposal_draft, move, register_asset
from tests.concurrency import submit_at_once

D = Decimal


def place(asset: str) -> tuple[str, str, Decimal, Decimal]:
    b = AssetBin.objects.get(asset=asset)
    return b.location, b.custodian, b.qty, b.value


def room_holds(room: Document) -> tuple[Decimal, Decimal]:
    """What the room holds by the sum of its ledger rows (not the bins)."""
    rows = AssetLedgerEntry.objects.filter(location=room.name)
    return (
        sum((e.qty_change for e in rows), D(0)),
        sum((e.value_change for e in rows), D(0)),
    )


def test_a_submitted_card_puts_the_asset_on_the_books_in_its_room_with_its_keeper(users, rooms):
    desks = register_asset(users["storekeeper"], rooms["class"], "学生课桌椅", "45", "280")
    assert desks.data["custodian"] == "teacher"  # the room's keeper, fetched
    assert desks.data["value"] == "12600.00"
    assert place(desks.name) == (rooms["class"].name, "teacher", D("45"), D("12600.00"))
    entry = AssetLedgerEntry.objects.get(voucher=desks)
    assert (entry.qty_change, entry.value_change, entry.created_by) == (
        D("45"),
        D("12600.00"),
        users["storekeeper"],
    )


def test_a_draft_card_is_not_on_the_books(users, rooms):
    services.create_document(
        "Asset",
        {"asset_name": "投影仪", "category": "电教设备", "qty": "1", "uom": "台",
         "unit_price": "3200", "location": rooms["lab"].name},
        actor=users["storekeeper"],
    )  # fmt: skip
    assert not AssetBin.objects.exists()


def test_a_transfer_moves_the_asset_and_its_value_to_the_new_room_and_keeper(users, rooms):
    keeper = users["storekeeper"]
    projector = register_asset(keeper, rooms["lab"], "投影仪", "1", "3200", category="电教设备")
    doc = move(keeper, [projector.name], rooms["class"])
    row = doc.data["items"][0]
    assert (row["from_location"], row["from_custodian"]) == (rooms["lab"].name, "head")
    assert place(projector.name) == (rooms["class"].name, "teacher", D("1"), D("3200.00"))
    assert room_holds(rooms["lab"]) == (D("0"), D("0"))
    assert room_holds(rooms["class"]) == (D("1"), D("3200.00"))


def test_a_new_keeper_in_the_same_room_is_a_transfer_too(users, rooms):
    keeper = users["storekeeper"]
    desks = register_asset(keeper, rooms["class"], "学生课桌椅", "45", "280")
    move(keeper, [desks.name], rooms["class"], target_custodian="colleague", reason="班主任交接")
    assert place(desks.name)[:2] == (rooms["class"].name, "colleague")


def test_moving_an_asset_where_it_already_is_is_refused(users, rooms):
    keeper = users["storekeeper"]
    desks = register_asset(keeper, rooms["class"], "学生课桌椅", "45", "280")
    with pytest.raises(DocumentValidationError) as exc:
        move(keeper, [desks.name], rooms["class"])
    assert "已在调入地点" in str(exc.value.messages())
    assert not Document.objects.filter(doctype="Asset Movement").exists()


def test_an_asset_not_on_the_books_cannot_be_moved_or_disposed_of(users, rooms):
    keeper = users["storekeeper"]
    draft = services.create_document(
        "Asset",
        {"asset_name": "投影仪", "category": "电教设备", "qty": "1", "uom": "台",
         "unit_price": "3200", "location": rooms["lab"].name},
        actor=keeper,
    )  # fmt: skip
    with pytest.raises(DocumentValidationError) as exc:
        move(keeper, [draft.name], rooms["class"])
    assert "不在校产台账上" in str(exc.value.messages())
    with pytest.raises(DocumentValidationError):
        disposal_draft(keeper, [(draft.name, "1")])


def test_disposing_of_some_units_takes_their_share_of_the_value_and_the_last_take_the_rest(
    users, rooms
):
    keeper = users["storekeeper"]
    chairs = register_asset(keeper, rooms["class"], "学生椅", "3", "100.00")
    first = disposal_draft(keeper, [(chairs.name, "1")])
    assert first.data["items"][0]["book_value"] == "100.00"
    assert first.data["items"][0]["location"] == rooms["class"].name
    services.submit_document("Asset Disposal", first.name, actor=keeper)
    assert place(chairs.name)[2:] == (D("2"), D("200.00"))
    rest = disposal_draft(keeper, [(chairs.name, "2")])
    services.submit_document("Asset Disposal", rest.name, actor=keeper)
    assert place(chairs.name)[2:] == (D("0"), D("0.00"))
    assert room_holds(rooms["class"]) == (D("0"), D("0.00"))


def test_disposal_values_an_odd_share_to_the_fen_and_keeps_the_books_whole(users, rooms):
    keeper = users["storekeeper"]
    tables = register_asset(keeper, rooms["class"], "实验桌", "3", "33.33")  # 99.99
    doc = disposal_draft(keeper, [(tables.name, "1")])
    services.submit_document("Asset Disposal", doc.name, actor=keeper)
    assert place(tables.name)[2:] == (D("2"), D("66.66"))


def test_disposing_of_more_than_the_books_hold_is_refused_with_what_they_hold(users, rooms):
    keeper = users["storekeeper"]
    chairs = register_asset(keeper, rooms["class"], "学生椅", "3", "100")
    with pytest.raises(DocumentValidationError) as exc:
        disposal_draft(keeper, [(chairs.name, "5")])
    assert "账面只有 3套" in str(exc.value.messages())


def test_compensation_names_who_pays(users, rooms):
    keeper = users["storekeeper"]
    chairs = register_asset(keeper, rooms["class"], "学生椅", "3", "100")
    with pytest.raises(DocumentValidationError) as exc:
        disposal_draft(keeper, [(chairs.name, "1")], reason="人为损坏", compensation="50")
    assert exc.value.errors == {"responsible": ["有赔偿金额时须写明责任人"]}
    doc = disposal_draft(
        keeper,
        [(chairs.name, "1")],
        reason="人为损坏",
        compensation="50",
        responsible="七(1)班学生",
    )
    assert doc.data["compensation"] == "50.00"


def test_cancelling_a_transfer_brings_the_asset_back_to_its_room_and_keeper(users, rooms):
    keeper, buyer = users["storekeeper"], users["purchaser"]
    projector = register_asset(keeper, rooms["lab"], "投影仪", "1", "3200")
    doc = move(keeper, [projector.name], rooms["class"])
    services.cancel_document("Asset Movement", doc.name, actor=buyer)
    assert place(projector.name) == (rooms["lab"].name, "head", D("1"), D("3200.00"))
    mirrors = AssetLedgerEntry.objects.filter(voucher=doc, reverses__isnull=False)
    assert mirrors.count() == 2 and mirrors.first().created_by == buyer


def test_a_card_or_transfer_cannot_be_cancelled_once_a_later_document_moved_the_asset(users, rooms):
    keeper = users["storekeeper"]
    projector = register_asset(keeper, rooms["lab"], "投影仪", "1", "3200")
    first = move(keeper, [projector.name], rooms["class"])
    then = move(keeper, [projector.name], rooms["lab"], reason="借用后归还实验室")
    for doctype, name in (("Asset", projector.name), ("Asset Movement", first.name)):
        with pytest.raises(DocumentValidationError) as exc:
            services.cancel_document(doctype, name, actor=keeper)
        assert then.name in str(exc.value.messages())
    assert place(projector.name)[0] == rooms["lab"].name
    # Undo the later one first, and the earlier one may go.
    services.cancel_document("Asset Movement", then.name, actor=keeper)
    services.cancel_document("Asset Movement", first.name, actor=keeper)
    services.cancel_document("Asset", projector.name, actor=keeper)
    assert place(projector.name)[2:] == (D("0"), D("0.00"))


def test_cancelling_a_disposal_puts_the_units_back_at_the_value_they_left_with(users, rooms):
    keeper, buyer = users["storekeeper"], users["purchaser"]
    tables = register_asset(keeper, rooms["class"], "实验桌", "3", "33.33")
    doc = disposal_draft(keeper, [(tables.name, "1")])
    services.submit_document("Asset Disposal", doc.name, actor=keeper)
    services.cancel_document("Asset Disposal", doc.name, actor=buyer)
    assert place(tables.name)[2:] == (D("3"), D("99.99"))


def test_a_room_that_held_assets_cannot_be_deleted(users, rooms):
    keeper = users["storekeeper"]
    register_asset(keeper, rooms["class"], "学生课桌椅", "45", "280")
    with pytest.raises(Exception) as exc:
        services.delete_document("Location", rooms["class"].name, actor=keeper)
    assert "已登记过校产" in str(exc.value)
    services.delete_document("Location", rooms["lab"].name, actor=keeper)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_disposals_of_the_last_units_at_once_take_them_off_once(users, rooms):
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass")
    keeper = users["storekeeper"]
    chairs = register_asset(keeper, rooms["class"], "学生椅", "2", "100")
    drafts = [disposal_draft(keeper, [(chairs.name, "2")]) for _ in range(2)]
    outcomes = submit_at_once("Asset Disposal", [d.name for d in drafts], keeper)
    assert outcomes == ["refused", "submitted"]
    assert place(chairs.name)[2:] == (D("0"), D("0.00"))


def test_the_list_shows_rooms_by_name_as_the_form_does(client, users, rooms, assets):
    doc = move(users["storekeeper"], [assets["scope"].name], rooms["class"])
    client.force_login(users["storekeeper"])
    page = client.get("/app/asset-movement/").content.decode()
    assert doc.name in page and "七年级(1)班教室" in page
    assert rooms["class"].name not in page.split(doc.name, 1)[1].split("</tr>", 1)[0]
