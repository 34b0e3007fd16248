"""Records that are never submitted show 在用 or 停用, not 草稿 (which asks for a submission)."""

from __future__ import annotations

from school_logistics.core import services
from tests.stores.factories import make_items


def badge(page: str) -> str:
    start = page.find('id="doc-status">')
    return page[start + len('id="doc-status">') : page.index("<", start)] if start >= 0 else ""


def test_an_item_is_in_use_or_disabled_and_never_a_draft(client, users):
    make_items(users["purchaser"])
    services.save_document("Item", "TAP-15", {"disabled": 1}, actor=users["purchaser"])
    client.force_login(users["storekeeper"])
    assert badge(client.get("/app/item/A4-70").content.decode()) == "在用"
    assert badge(client.get("/app/item/TAP-15").content.decode()) == "停用"
    listing = client.get("/app/item/").content.decode()
    assert "草稿" not in listing and "停用" in listing


def test_a_record_without_a_disabled_box_shows_no_status(client, users):
    room = services.create_document(
        "Location",
        {"location_name": "302 教室", "purpose": "教室", "building": "明德楼"},
        actor=users["storekeeper"],
    )
    client.force_login(users["storekeeper"])
    page = client.get(f"/app/location/{room.name}").content.decode()
    assert 'id="doc-status"' not in page and "草稿" not in page
    assert "确定删除此场所吗？" in page
