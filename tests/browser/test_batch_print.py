"""The canteen manager picks refund vouchers in the list, batch prints them and downloads one PDF."""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from school_logistics.core.models import User
from school_logistics.printing import batch as batch_module
from school_logistics.printing.models import BatchStatus, PrintBatch
from tests.browser.test_requisition_journey import sign_in
from tests.printing.conftest import make_refund, make_students

pytestmark = pytest.mark.browser

CLASSES = ["七年级(1)班", "七年级(2)班", "七年级(3)班", "七年级(4)班"]


@pytest.fixture(autouse=True)
def background_jobs(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Build batches on a thread, as a worker would: the request returns and the page polls."""
    settings.REDIS_URL = ""
    settings.MEDIA_ROOT = str(tmp_path / "media")

    def work(func: Any, *args: Any) -> None:
        try:
            func(*args)
        finally:
            connection.close()  # the thread's own connection

    def enqueue(func: Any, *args: Any) -> None:
        threading.Thread(target=work, args=(func, *args), daemon=True).start()

    monkeypatch.setattr(batch_module, "enqueue", enqueue)


@pytest.fixture
def refunds(transactional_db: None, users: dict[str, User]) -> list[str]:
    names = []
    for class_name in CLASSES:
        students = make_students(users["canteen"], class_name)
        names.append(make_refund(users["teacher"], students, "2026-10", class_name).name)
    return names


def pdf_words(path: Path) -> str:
    assert shutil.which("pdftotext"), "poppler-utils must be installed (see .ci/run)"
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return "".join(out.stdout.split())


def wait_until_done(page: Any) -> None:
    """Watch the polled progress bar until the batch is finished, then check it shows 100 %."""
    page.locator('#batch-progress[data-status="done"]').wait_for(timeout=120_000)
    bar = page.locator("#batch-progress .progress")
    assert bar.get_attribute("aria-valuenow") == "100"
    assert page.locator("#batch-progress .progress-bar").inner_text().strip() == "100%"


def test_canteen_manager_batch_prints_three_refunds_from_the_list(
    page: Any, live_server: Any, refunds: list[str], tmp_path: Path, shot: Any
) -> None:
    base = live_server.url
    picked = refunds[:3]
    sign_in(page, base, "canteen")
    page.goto(f"{base}/app/meal-fee-refund/")
    for name in picked:
        page.locator(f'input[name="names"][value="{name}"]').check()
    assert page.locator("#batch-print-count").inner_text() == "3"
    assert page.locator("#pick-all").evaluate("el => el.indeterminate")
    shot(page, "batch-print-1-list-desktop")
    page.locator("#btn-batch-print").click()
    page.wait_for_url(f"{base}/app/print-batches/*")
    wait_until_done(page)
    assert page.locator("#batch-progress").inner_text().count("3 / 3") == 1
    shot(page, "batch-print-2-done-desktop")
    with page.expect_download() as download:
        page.locator("#batch-download").click()
    path = tmp_path / "batch.pdf"
    download.value.save_as(path)
    words = pdf_words(path)
    assert all(name in words for name in picked)
    assert refunds[3] not in words  # the fourth was not ticked
    batch = PrintBatch.objects.get()
    assert batch.status == BatchStatus.DONE and sorted(batch.names) == sorted(picked)


def test_printed_list_opens_with_the_filters_in_its_heading(
    page: Any, live_server: Any, refunds: list[str], shot: Any
) -> None:
    base = live_server.url
    sign_in(page, base, "canteen")
    page.goto(f"{base}/app/meal-fee-refund/")
    page.locator("#flt-class_name").fill("七年级(2)班")
    page.wait_for_url("**class_name=*")
    with page.expect_popup() as popup:
        page.locator("#btn-list-print").click()
    sheet = popup.value
    sheet.wait_for_load_state()
    heading = sheet.locator("#list-conditions").inner_text()
    assert "班级：含“七年级(2)班”" in heading
    table = sheet.locator("table.list").inner_text()
    assert refunds[1] in table and refunds[0] not in table and "合计" in table
    shot(sheet, "batch-print-5-list-sheet")


def test_canteen_manager_prints_a_whole_month_on_a_phone(
    phone: Any, live_server: Any, refunds: list[str], shot: Any
) -> None:
    base = live_server.url
    sign_in(phone, base, "canteen")
    phone.goto(f"{base}/app/meal-fee-refund/")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width  # buttons, month picker and row cards fit the screen
    box = phone.locator(f'input[name="names"][value="{refunds[0]}"]').locator("..").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375 and box["height"] >= 40
    phone.locator(f'input[name="names"][value="{refunds[0]}"]').locator("..").tap()
    assert phone.locator(f'input[name="names"][value="{refunds[0]}"]').is_checked()
    assert phone.url == f"{base}/app/meal-fee-refund/"  # ticking does not open the voucher
    phone.locator("label.pick-all").tap()
    assert phone.locator('input[name="names"]:checked').count() == len(refunds)
    shot(phone, "batch-print-3-list-phone")
    phone.fill("#month-print-month", "2026-10")
    phone.locator("#btn-month-print").tap()
    phone.wait_for_url(f"{base}/app/print-batches/*")
    wait_until_done(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shot(phone, "batch-print-4-done-phone", full_page=False)
    assert PrintBatch.objects.get().names == sorted(refunds)


def test_empty_selection_is_stopped_in_the_page(
    page: Any, live_server: Any, refunds: list[str]
) -> None:
    base = live_server.url
    sign_in(page, base, "canteen")
    page.goto(f"{base}/app/meal-fee-refund/")
    page.locator("#btn-batch-print").click()
    assert page.locator("#batch-print-hint").is_visible()
    assert page.url == f"{base}/app/meal-fee-refund/" and not PrintBatch.objects.exists()
