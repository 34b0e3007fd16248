"""List printing: the list's columns and filters on paper, Currency totals, page numbers."""

from __future__ import annotations

import pytest

from school_logistics.printing import list_print
from school_logistics.printing.views import PRINT_CSP
from tests.printing.conftest import make_refund, make_students, pdf_text, squeeze

SHEET = "/app/print-lists/meal-fee-refund"


@pytest.fixture
def refunds(users):
    classes = ["七年级(1)班", "七年级(2)班"]
    students = {c: make_students(users["canteen"], c) for c in classes}
    october = [make_refund(users["teacher"], students[c], "2026-10", c) for c in classes]
    november = make_refund(users["teacher"], students[classes[0]], "2026-11", classes[0])
    return {"2026-10": october, "2026-11": [november]}


def test_printed_list_shows_the_filters_columns_rows_and_currency_totals(client, users, refunds):
    client.force_login(users["canteen"])
    response = client.get(SHEET, {"month": "2026-10", "docstatus": "0"})
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == PRINT_CSP
    html = response.content.decode()
    assert "伙食费退费单列表" in html and "测试第一中学" in html
    assert "月份：含“2026-10”" in html and "状态：草稿" in html
    for label in ("编号", "班级", "月份", "每餐标准（元）", "退费合计", "状态", "更新时间"):
        assert f"<th>{label}</th>" in html
    for doc in refunds["2026-10"]:
        assert doc.name in html
    assert refunds["2026-11"][0].name not in html
    assert "共 2 条" in html and "合计" in html
    assert "91.00" in html and "13.00" in html  # 45.50 × 2 refunds, 6.50 × 2 meal rates
    assert "printing/toolbar.js" in html and "<script>" not in html


def test_printed_list_pdf_has_heading_totals_and_page_numbers(client, users, refunds, tmp_path):
    client.force_login(users["canteen"])
    response = client.get(f"{SHEET}/pdf", {"month": "2026-10"})
    assert response.status_code == 200 and response.content[:5] == b"%PDF-"
    text = squeeze(pdf_text(response.content, tmp_path))
    assert "伙食费退费单列表" in text and "筛选条件：月份：含“2026-10”" in text
    assert all(doc.name in text for doc in refunds["2026-10"])
    assert "合计" in text and "91.00" in text
    assert "第1页共1页" in text


def test_unfiltered_list_says_no_filters_and_follows_the_lists_sort(client, users, refunds):
    client.force_login(users["canteen"])
    html = client.get(SHEET, {"sort": "name", "order": "asc"}).content.decode()
    assert "无（全部单据）" in html and "编号 升序" in html
    names = sorted(d.name for docs in refunds.values() for d in docs)
    positions = [html.index(f">{n}<") for n in names]
    assert positions == sorted(positions)


def test_long_list_is_cut_with_a_note_and_totals_say_so(client, users, refunds, monkeypatch):
    monkeypatch.setattr(list_print, "MAX_ROWS", 2)
    client.force_login(users["canteen"])
    html = client.get(SHEET).content.decode()
    assert "共 3 条" in html and "仅打印前 2 条" in html and "合计（前 2 条）" in html


def test_printing_a_list_needs_the_print_right(client, users, items):
    client.force_login(users["teacher"])  # reads the item catalogue, may not print it
    assert client.get("/app/print-lists/item").status_code == 403
    assert client.get("/app/print-lists/item/pdf").status_code == 403


def test_printed_list_shows_only_what_the_user_may_read(client, users, refunds, outsider):
    """The owner sees their refunds; a colleague and another school's staff see none of them."""
    client.force_login(users["teacher"])
    html = client.get(SHEET).content.decode()
    assert all(d.name in html for docs in refunds.values() for d in docs)
    for other in (users["colleague"], outsider):
        client.force_login(other)
        response = client.get(SHEET)
        assert response.status_code == 200
        html = response.content.decode()
        assert not any(d.name in html for docs in refunds.values() for d in docs)
        assert "没有符合条件的单据" in html


def test_list_page_links_to_the_printed_list_with_its_filters(client, users, refunds):
    client.force_login(users["canteen"])
    html = client.get("/app/meal-fee-refund/", {"month": "2026-10"}).content.decode()
    assert 'id="btn-list-print"' in html and f'href="{SHEET}?' in html and "month=2026-10" in html


def test_bad_filters_print_with_a_warning_not_an_error(client, users, refunds):
    client.force_login(users["canteen"])
    response = client.get(SHEET, {"date_from": "2026-13-40", "docstatus": "9", "page": "x"})
    assert response.status_code == 200
    assert "格式不正确" in response.content.decode()
