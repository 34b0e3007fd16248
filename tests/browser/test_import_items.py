"""A storekeeper fills the import template in Excel's place and finds the items in the list."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from school_logistics.core.models import Document, User

pytestmark = pytest.mark.browser

NEW_ITEMS = [
    ("IMP-01", "白板笔", "办公用品", "支", 3.5),
    ("IMP-02", "粉笔", "教学用品", "盒", 12),
    ("IMP-03", "扫把", "清洁用品", "把", 15.8),
]


@pytest.fixture(autouse=True)
def inline_jobs(settings: Any, tmp_path: Path) -> None:
    """Without REDIS_URL the import runs in the upload request, as on the embedded default."""
    settings.REDIS_URL = ""
    settings.MEDIA_ROOT = str(tmp_path)


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pass12345")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/app/")


def fill_template(path: Path) -> bytes:
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    keys = [c.value for c in ws[2]]
    for r, (code, name, category, uom, price) in enumerate(NEW_ITEMS, start=3):
        line = {"item_code": code, "item_name": name, "category": category, "uom": uom}
        line["reference_price"] = price
        for key, value in line.items():
            ws.cell(row=r, column=keys.index(key) + 1, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_storekeeper_downloads_template_uploads_it_and_sees_the_items(
    page, phone, live_server, transactional_db, users: dict[str, User], tmp_path, shot
):
    base = live_server.url
    sign_in(page, base, "storekeeper")
    page.goto(f"{base}/app/item/")
    page.locator("#btn-import-page").click()
    page.wait_for_url(f"{base}/app/item/import/")
    shot(page, "import-1-upload-page")

    with page.expect_download() as info:
        page.locator("#btn-template").click()
    template = tmp_path / "template.xlsx"
    info.value.save_as(template)
    assert info.value.suggested_filename == "物资-导入模板.xlsx"

    page.set_input_files(
        "#import-file",
        files=[
            {
                "name": "物资.xlsx",
                "mimeType": "application/octet-stream",
                "buffer": fill_template(template),
            }
        ],
    )
    page.locator("#btn-import").click()
    page.wait_for_url(f"{base}/app/item/import/*")
    status = page.locator("#import-status")
    status.and_(page.locator('[data-status="success"]')).wait_for()
    assert "已导入 3 条单据" in page.locator("#import-result").inner_text()
    shot(page, "import-2-finished")

    page.locator("#btn-to-list").click()
    page.wait_for_url(f"{base}/app/item/")
    for code, name, *_rest in NEW_ITEMS:
        assert page.get_by_text(name).first.is_visible(), code
    shot(page, "import-3-list")

    # The filter changes the list in place; the export takes what the list shows now.
    page.locator("#flt-category").select_option("办公用品")
    page.wait_for_url("**category=*")
    with page.expect_download() as exported:
        page.locator("#btn-export").click()
    sheet = openpyxl.load_workbook(io.BytesIO(exported.value.path().read_bytes())).worksheets[0]
    assert [r[0] for r in sheet.iter_rows(min_row=3, values_only=True)] == ["IMP-01"]
    sign_in(phone, base, "storekeeper")
    phone.goto(f"{base}/app/item/")
    assert phone.locator("#btn-export").is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width  # the three buttons wrap instead of widening the page
    shot(phone, "import-5-list-phone")
    prices = {d.name: d.data["reference_price"] for d in Document.objects.filter(doctype="Item")}
    assert {k: Decimal(v) for k, v in prices.items()} == {
        "IMP-01": Decimal("3.50"),
        "IMP-02": Decimal("12.00"),
        "IMP-03": Decimal("15.80"),
    }


def test_storekeeper_sees_which_row_to_fix_and_nothing_is_saved(
    page, live_server, transactional_db, users: dict[str, User], shot
):
    base = live_server.url
    sign_in(page, base, "storekeeper")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["物资编码", "品名", "类别", "单位", "参考单价"])
    ws.append(["IMP-01", "白板笔", "办公用品", "支", 3.5])
    ws.append(["IMP-02", "粉笔", "文具", "盒", "十二"])
    out = io.BytesIO()
    wb.save(out)
    page.goto(f"{base}/app/item/import/")
    page.set_input_files(
        "#import-file",
        files=[
            {"name": "物资.xlsx", "mimeType": "application/octet-stream", "buffer": out.getvalue()}
        ],
    )
    page.locator("#btn-import").click()
    page.locator('#import-status[data-status="failed"]').wait_for()
    table = page.locator("#import-errors").inner_text()
    assert "第 3 行：类别：" in table and "第 3 行：参考单价：" in table
    shot(page, "import-4-errors")
    assert not Document.objects.filter(doctype="Item").exists()
