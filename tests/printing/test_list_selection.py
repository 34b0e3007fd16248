"""Batch printing from the list: row checkboxes, select all, 批量打印 and 打印本月全部."""

from __future__ import annotations

import pytest

from school_logistics.printing.models import BatchStatus, PrintBatch, PrintLog
from tests.printing.conftest import make_refund, make_requisition, make_students, pdf_text, squeeze

REFUNDS = "/app/meal-fee-refund/"
BATCH = "/app/print-batches/new/meal-fee-refund"


@pytest.fixture(autouse=True)
def inline_jobs(settings, tmp_path):
    settings.REDIS_URL = ""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def refunds(users):
    classes = ["七年级(1)班", "七年级(2)班"]
    students = {c: make_students(users["canteen"], c) for c in classes}
    october = [make_refund(users["teacher"], students[c], "2026-10", c) for c in classes]
    november = make_refund(users["teacher"], students[classes[0]], "2026-11", classes[0])
    return {"2026-10": october, "2026-11": [november]}


def test_refund_list_gives_the_canteen_manager_checkboxes_batch_and_month_buttons(
    client, users, refunds
):
    client.force_login(users["canteen"])
    html = client.get(REFUNDS).content.decode()
    for doc in refunds["2026-10"] + refunds["2026-11"]:
        assert f'name="names" value="{doc.name}" form="batch-print-form"' in html
    assert 'id="pick-all"' in html and "全选本页" in html
    assert 'id="batch-print-form"' in html and f'action="{BATCH}"' in html and "批量打印" in html
    assert 'id="month-print-form"' in html and 'type="month" name="month"' in html
    assert "打印本月全部" in html
    assert 'id="btn-export"' in html  # the transfer buttons stay


def test_filtered_partial_keeps_the_checkboxes(client, users, refunds):
    client.force_login(users["canteen"])
    html = client.get(REFUNDS, {"month": "2026-11"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in html and 'id="pick-all"' in html
    assert html.count('form="batch-print-form"') == 1


def test_requisition_list_has_batch_printing_but_no_month_shortcut(client, users, items):
    make_requisition(users["teacher"])
    client.force_login(users["purchaser"])
    html = client.get("/app/material-requisition/").content.decode()
    assert 'id="batch-print-form"' in html and 'form="batch-print-form"' in html
    assert "打印本月全部" not in html


def test_reader_without_print_right_sees_no_checkboxes_or_print_buttons(client, users, items):
    client.force_login(users["teacher"])  # teachers read the item catalogue but may not print it
    html = client.get("/app/item/").content.decode()
    assert "A4-70" in html
    assert "batch-print-form" not in html and "pick-all" not in html and "批量打印" not in html


def test_batch_start_without_print_right_is_refused_and_queues_nothing(client, users, items):
    client.force_login(users["teacher"])
    response = client.post("/app/print-batches/new/item", {"names": ["A4-70"]})
    assert response.status_code == 403
    assert PrintBatch.objects.count() == 0


def test_posted_selection_prints_the_checked_refunds(
    client, users, refunds, django_capture_on_commit_callbacks, tmp_path
):
    picked = [refunds["2026-10"][0].name, refunds["2026-11"][0].name]
    client.force_login(users["canteen"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BATCH, {"names": picked})
    assert response.status_code == 302
    batch = PrintBatch.objects.get()
    assert batch.status == BatchStatus.DONE and batch.names == picked
    text = squeeze(pdf_text(batch.file.read(), tmp_path))
    assert all(name in text for name in picked) and refunds["2026-10"][1].name not in text


def test_month_shortcut_prints_every_refund_of_that_month_only(
    client, users, refunds, django_capture_on_commit_callbacks
):
    client.force_login(users["canteen"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BATCH, {"month": "2026-10"})
    assert response.status_code == 302
    batch = PrintBatch.objects.get()
    assert batch.names == sorted(d.name for d in refunds["2026-10"])
    assert batch.status == BatchStatus.DONE
    assert PrintLog.objects.filter(printed_by=users["canteen"]).count() == 2


@pytest.mark.parametrize("month", ["2026-13", "十月", "2026-1-1"])
def test_bad_month_is_refused_with_a_message_and_queues_nothing(client, users, refunds, month):
    client.force_login(users["canteen"])
    response = client.post(BATCH, {"month": month})
    assert response.status_code == 422 and "月份格式" in response.content.decode()
    assert PrintBatch.objects.count() == 0


def test_month_without_refunds_says_so(client, users, refunds):
    client.force_login(users["canteen"])
    response = client.post(BATCH, {"month": "2025-01"})
    assert response.status_code == 422 and "至少选择" in response.content.decode()
    assert PrintBatch.objects.count() == 0


def test_colleague_cannot_batch_print_the_owners_refunds(
    client, users, refunds, outsider, django_capture_on_commit_callbacks
):
    """Teachers print their own refunds only; an outsider's school sees none of ours."""
    name = refunds["2026-10"][0].name
    for other in (users["colleague"], outsider):
        client.force_login(other)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(BATCH, {"names": [name]})
    assert PrintLog.objects.count() == 0
    statuses = set(PrintBatch.objects.values_list("status", flat=True))
    assert statuses <= {BatchStatus.FAILED}
