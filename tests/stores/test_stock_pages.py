"""库存台账: who may read the store's books, what they show, and what they cost to read."""

from __future__ import annotations

import pytest

from school_logistics.core import services
from school_logistics.core.services import DocumentStateError
from school_logistics.ledger.models import StockLedgerEntry
from tests.query_counts import page_statements
from tests.stores.factories import ITEMS, make_items
from tests.stores.test_stock_ledger import issue_draft, receive


@pytest.fixture
def stocked(users) -> None:
    make_items(users["purchaser"])
    receive(users["storekeeper"], [("A4-70", "10", "23.50"), ("LAMP-T8", "20", "16")])
    doc = issue_draft(users["teacher"], [("A4-70", "4")])
    services.submit_document("Stock Issue", doc.name, actor=users["storekeeper"])


def test_the_storekeeper_reads_each_items_balance(client, users, stocked):
    client.force_login(users["storekeeper"])
    page = client.get("/app/stock/").content.decode()
    assert "A4复印纸" in page and "日光灯管" in page
    assert "水龙头" not in page  # nothing held: listed only with 全部物资
    assert "¥461.00" in page  # 6 packs at 23.50 + 20 tubes at 16.00
    everything = client.get("/app/stock/?show=all").content.decode()
    assert "水龙头" in everything
    lamps = client.get("/app/stock/?category=水电材料").content.decode()
    assert "日光灯管" in lamps and "A4复印纸" not in lamps
    assert "A4复印纸" in client.get("/app/stock/?q=A4").content.decode()


def test_an_items_movements_show_the_balance_after_each(client, users, stocked):
    client.force_login(users["finance"])
    page = client.get("/app/stock/A4-70").content.decode()
    assert page.index(">-94.00<") < page.index(">235.00<")  # newest first: 4 out, 10 in
    assert ">141.00<" in page  # the value left after the issue: 6 × 23.50
    assert client.get("/app/stock/NO-SUCH").status_code == 404


@pytest.mark.parametrize("who", ["teacher", "head", "worker"])
def test_those_who_do_not_keep_the_books_are_refused(client, users, stocked, who):
    client.force_login(users[who])
    assert client.get("/app/stock/").status_code == 403
    assert client.get("/app/stock/A4-70").status_code == 403
    assert "库存台账" not in client.get("/app/").content.decode()


def test_another_schools_storekeeper_sees_none_of_our_stock(client, users, stocked, outsider):
    client.force_login(outsider)
    page = client.get("/app/stock/?show=all").content.decode()
    assert "A4复印纸" not in page
    assert client.get("/app/stock/A4-70").status_code == 404


def test_the_sidebar_and_home_offer_the_stock_ledger_to_the_store(client, users, stocked):
    client.force_login(users["storekeeper"])
    assert client.get("/app/").content.decode().count('href="/app/stock/"') == 2


def test_the_stock_page_reads_the_same_number_of_statements_as_items_grow(client, users, stocked):
    client.force_login(users["storekeeper"])

    def statements() -> int:
        return page_statements(client, "/app/stock/?show=all")

    statements()  # the first request of a session reads what later ones find cached
    before = statements()
    for n in range(10):
        code = f"X-{n}"
        services.create_document(
            "Item",
            {"item_code": code, "item_name": f"物资{n}", "category": "其他", "uom": "个"},
            actor=users["purchaser"],
        )
        receive(users["storekeeper"], [(code, "1", "1")])
    assert statements() == before
    assert len(ITEMS) + 10 == page_rows(client)


def page_rows(client) -> int:
    return client.get("/app/stock/?show=all").content.decode().count('<tr data-href="/app/stock/')


def test_an_item_with_movements_cannot_be_deleted(users, stocked):
    with pytest.raises(DocumentStateError, match="已有出入库记录，不能删除"):
        services.delete_document("Item", "A4-70", actor=users["purchaser"])
    services.delete_document("Item", "TAP-15", actor=users["purchaser"])  # never moved
    assert StockLedgerEntry.objects.filter(item="A4-70").count() == 2


def test_a_long_list_comes_in_pages_with_the_whole_lists_total(client, users, stocked, monkeypatch):
    from school_logistics.stores import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    client.force_login(users["storekeeper"])
    first = client.get("/app/stock/?category=办公用品&show=all").content.decode()
    assert "第 1 / 1 页" not in first  # one office item: no pager
    page = client.get("/app/stock/?show=all&page=2").content.decode()
    assert "第 2 / 4 页" in page
    assert page.count('<tr data-href="/app/stock/') == 1
    assert "¥461.00" in page  # every item's value, not the page's
    assert 'href="?show=all&amp;page=3"' in page


def test_the_stocktake_sheet_lists_the_book_and_leaves_the_count_blank(client, users, stocked):
    import io

    from openpyxl import load_workbook

    client.force_login(users["storekeeper"])
    page = client.get("/app/stock/?category=水电材料").content.decode()
    assert 'href="/app/stock/export.xlsx?category=%E6%B0%B4' in page  # the page's filters
    response = client.get("/app/stock/export.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A1"].value == "测试第一中学 库存盘点表"
    rows = {r[0]: r for r in ws.iter_rows(min_row=4, values_only=True)}
    assert set(rows) == {"A4-70", "LAMP-T8"}
    code, name, _spec, _cat, uom, book, rate, value, counted, diff, _note = rows["A4-70"]
    assert (name, uom, book, rate, value, counted) == ("A4复印纸", "包", 6, 23.5, 141, None)
    assert diff == '=IF(I4="","",I4-F4)'
    client.force_login(users["teacher"])
    assert client.get("/app/stock/export.xlsx").status_code == 403


def test_the_storekeepers_home_lists_items_below_their_safety_stock(client, users, stocked):
    set_safety = {"A4-70": "10", "LAMP-T8": "5", "TAP-15": "2"}  # 6, 20 and 0 held
    for code, qty in set_safety.items():
        services.save_document("Item", code, {"safety_stock": qty}, actor=users["purchaser"])
    services.save_document("Item", "TAP-15", {"safety_stock": ""}, actor=users["purchaser"])
    client.force_login(users["storekeeper"])
    home = client.get("/app/").content.decode()
    panel = home[home.index('id="home-low-stock"') :]
    assert "A4复印纸" in panel and "6 包（最低 10）" in panel
    assert "日光灯管" not in panel and "水龙头" not in panel  # enough, and no longer watched
    client.force_login(users["teacher"])
    assert 'id="home-low-stock"' not in client.get("/app/").content.decode()


def test_the_stocktake_button_and_sheet_follow_a_category_chosen_by_htmx(client, users, stocked):
    client.force_login(users["storekeeper"])
    response = client.get("/app/stock/?category=办公用品", headers={"HX-Request": "true"})
    part = response.content.decode()
    assert "<html" not in part and "A4复印纸" in part and "日光灯管" not in part
    # The buttons sit above the swapped results: they come along, out of band, in their place.
    actions = part[part.index('id="stock-actions"') :]
    assert actions.startswith('id="stock-actions" hx-swap-oob="true"')
    assert '<input type="hidden" name="category" value="办公用品">' in actions
    assert "盘点办公用品</button>" in actions
    assert 'href="/app/stock/export.xlsx?category=%E5%8A%9E%E5%85%AC%E7%94%A8%E5%93%81"' in actions
    everything = client.get("/app/stock/", headers={"HX-Request": "true"}).content.decode()
    assert '<input type="hidden" name="category" value="">' in everything
    assert "盘点库存</button>" in everything and 'href="/app/stock/export.xlsx"' in everything
    page = client.get("/app/stock/?category=办公用品").content.decode()
    assert page.count('id="stock-actions"') == 1 and "hx-swap-oob" not in page
    assert "盘点办公用品</button>" in page
    client.force_login(users["finance"])  # reads the books, does not count them
    read_only = client.get("/app/stock/?category=办公用品", headers={"HX-Request": "true"})
    assert 'hx-swap-oob="true"' in read_only.content.decode()
    assert 'id="btn-stocktake"' not in read_only.content.decode()
