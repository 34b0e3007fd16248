"""校产台账: who reads which assets, what the pages and the sheet show, and their cost."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.ledger.models import AssetBin
from tests.assets.factories import make_room, move, register_asset


def test_the_office_reads_every_asset_where_it_is_with_its_keeper(client, users, assets):
    client.force_login(users["finance"])
    page = client.get("/app/asset-register/").content.decode()
    assert "学生课桌椅" in page and "学生显微镜" in page
    assert "¥30,200.00" in page  # 12,600 + 8,600 + 9,000
    lab = client.get(f"/app/asset-register/?location={assets['scope'].data['location']}")
    assert "学生显微镜" in lab.content.decode() and "学生课桌椅" not in lab.content.decode()
    tv = client.get("/app/asset-register/?category=电教设备").content.decode()
    assert "多媒体一体机" in tv and "学生课桌椅" not in tv
    assert "学生显微镜" in client.get("/app/asset-register/?q=显微镜").content.decode()


def test_a_teacher_finds_every_asset_to_borrow_and_sees_what_they_keep_at_home(
    client, users, assets
):
    client.force_login(users["teacher"])
    home = client.get("/app/").content.decode()
    assert "我保管的校产" in home and "¥21,200.00" in home
    page = client.get("/app/asset-register/").content.decode()
    assert "学生课桌椅" in page and "学生显微镜" in page
    mine = client.get("/app/asset-register/?mine=1").content.decode()
    assert "学生课桌椅" in mine and "学生显微镜" not in mine
    # Their own room's sheet is theirs to sign; the school's list is exported by the office.
    assert client.get("/app/asset-register/export.xlsx?mine=1").status_code == 200
    assert client.get("/app/asset-register/export.xlsx").status_code == 403
    # So the page offers what they may open only: their sheet, their loans; no 调拨/报废 lists.
    assert 'id="asset-export"' in mine and 'id="asset-export"' not in page
    assert "/app/asset-loan/" in page
    assert "/app/asset-movement/" not in page and "/app/asset-disposal/" not in page
    client.force_login(users["storekeeper"])
    office = client.get("/app/asset-register/").content.decode()
    assert 'id="asset-export"' in office and "/app/asset-movement/" in office


def test_a_keeper_who_may_not_read_cards_reads_only_what_they_keep(client, users, rooms):
    keeper = users["storekeeper"]
    hall = make_room(keeper, "学生餐厅", users["canteen"], purpose="食堂")
    tables = register_asset(keeper, hall, "餐桌椅", "60", "520")
    desks = register_asset(keeper, rooms["class"], "学生课桌椅", "45", "280")
    client.force_login(users["canteen"])
    page = client.get("/app/asset-register/").content.decode()
    assert "我保管的校产" in page and "餐桌椅" in page and "学生课桌椅" not in page
    # Asking for another room changes nothing: they read only what they keep.
    other = client.get(f"/app/asset-register/?location={rooms['class'].name}").content.decode()
    assert "学生课桌椅" not in other
    assert client.get(f"/app/asset-register/{tables.name}").status_code == 200
    assert client.get(f"/app/asset-register/{desks.name}").status_code == 404
    assert client.get(f"/app/asset/{tables.name}").status_code in (403, 404)
    assert client.get("/app/asset-register/export.xlsx").status_code == 200  # theirs only


def test_those_who_keep_nothing_and_may_not_read_cards_are_refused(client, users, assets):
    for user in (users["canteen"], users["worker"]):
        client.force_login(user)
        assert client.get("/app/asset-register/").status_code == 403
        assert client.get(f"/app/asset-register/{assets['desks'].name}").status_code == 403
        assert client.get("/app/asset-register/export.xlsx").status_code == 403
        assert "校产台账" not in client.get("/app/").content.decode()


def test_another_schools_office_reads_its_own_books_not_ours(client, assets, outsider):
    client.force_login(outsider)
    assert "学生课桌椅" not in client.get("/app/asset-register/").content.decode()
    assert client.get(f"/app/asset-register/{assets['desks'].name}").status_code == 404


def test_an_assets_history_and_its_card_show_where_it_went(client, users, rooms, assets):
    keeper = users["storekeeper"]
    move(keeper, [assets["scope"].name], rooms["class"], reason="显微镜调入教室")
    client.force_login(keeper)
    history = client.get(f"/app/asset-register/{assets['scope'].name}").content.decode()
    assert "显微镜调入教室" in history and "七年级(1)班教室" in history and "物理实验室" in history
    assert history.index("七年级(1)班教室") < history.index("物理实验室")  # newest first
    card = client.get(f"/app/asset/{assets['scope'].name}").content.decode()
    assert 'id="asset-now"' in card and "七年级(1)班教室 · teacher" in card


def test_a_rooms_page_shows_what_it_holds_and_its_sheet_lists_it_to_sign(
    client, users, rooms, assets
):
    client.force_login(users["storekeeper"])
    page = client.get(f"/app/location/{rooms['class'].name}").content.decode()
    assert 'id="location-assets"' in page and "2 项 · ¥21,200.00" in page
    response = client.get(f"/app/asset-register/export.xlsx?location={rooms['class'].name}")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert "七年级(1)班教室" in values[0][0]
    names = [row[1] for row in values[3:5]]
    assert sorted(names) == ["多媒体一体机", "学生课桌椅"]
    assert values[5][0] == "合计" and values[5][1] == "=SUM(I4:I5)"
    assert values[-1][0] == "保管人签字："


def test_the_register_costs_the_same_few_queries_however_many_assets(
    client, users, rooms, assets, django_assert_max_num_queries
):
    client.force_login(users["storekeeper"])
    client.get("/app/asset-register/")
    for n in range(10):
        register_asset(users["storekeeper"], rooms["lab"], f"实验凳{n}", "10", "60")
    with django_assert_max_num_queries(14):
        page = client.get("/app/asset-register/").content.decode()
    assert "实验凳9" in page


def test_a_new_custodian_of_a_room_takes_its_assets_over_by_one_transfer(
    client, users, rooms, assets
):
    keeper = users["storekeeper"]
    room = rooms["class"].name
    services.save_document("Location", room, {"custodian": "colleague"}, actor=keeper)
    client.force_login(keeper)
    page = client.get(f"/app/location/{room}").content.decode()
    assert 'id="location-handover"' in page and "2 项校产仍由原保管人保管" in page
    response = client.post("/app/asset-register/handover", {"location": room})
    draft = Document.objects.get(doctype="Asset Movement")
    assert response.url == f"/app/asset-movement/{draft.name}"
    assert draft.data["target_custodian"] == "colleague"
    assert {r["asset"] for r in draft.data["items"]} == {assets["desks"].name, assets["board"].name}
    services.submit_document("Asset Movement", draft.name, actor=keeper)
    assert set(AssetBin.objects.filter(location=room).values_list("custodian", flat=True)) == {
        "colleague"
    }
    assert 'id="location-handover"' not in client.get(f"/app/location/{room}").content.decode()


def test_a_disposals_rows_show_and_print_the_room_by_its_name(client, users, rooms, assets):
    """Rooms are named LOC-0001 inside; people know them by name, on the page and on paper."""
    from school_logistics.printing.services import print_document
    from tests.assets.factories import disposal_draft

    doc = disposal_draft(users["storekeeper"], [(assets["desks"].name, "2")])
    room = rooms["class"]
    assert doc.data["items"][0]["location"] == room.name
    client.force_login(users["storekeeper"])
    page = client.get(f"/app/asset-disposal/{doc.name}").content.decode()
    assert "七年级(1)班教室" in page and f">{room.name}<" not in page
    html = print_document(doc, actor=users["storekeeper"], output="html").content
    assert "七年级(1)班教室" in html and f">{room.name}<" not in html
