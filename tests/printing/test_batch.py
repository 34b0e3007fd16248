"""Batch printing: one PDF of many vouchers, built in the background, skipping what may not print."""

from __future__ import annotations

import pytest

from school_logistics.core.services import DocumentValidationError
from school_logistics.printing.batch import build_batch, start_batch
from school_logistics.printing.models import BatchStatus, PrintBatch, PrintLog
from tests.printing.conftest import make_requisition, pdf_text, squeeze


@pytest.fixture(autouse=True)
def inline_jobs(settings, tmp_path):
    """Run the job inline (the embedded mode) and keep batch files in a temporary folder."""
    settings.REDIS_URL = ""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def docs(users, items):
    return [make_requisition(users["teacher"]) for _ in range(3)]


def run(batch_maker, capture):
    with capture(execute=True):
        batch = batch_maker()
    batch.refresh_from_db()
    return batch


def test_batch_builds_one_pdf_of_every_voucher_and_logs_each_print(
    users, docs, django_capture_on_commit_callbacks, tmp_path
):
    names = [d.name for d in docs]
    batch = run(
        lambda: start_batch("Material Requisition", names, actor=users["teacher"]),
        django_capture_on_commit_callbacks,
    )
    assert batch.status == BatchStatus.DONE and batch.done == batch.total == 3
    assert batch.skipped == []
    text = squeeze(pdf_text(batch.file.read(), tmp_path))
    for name in names:
        assert name in text
    assert text.count("物资申购单") >= 3
    assert PrintLog.objects.filter(printed_by=users["teacher"], document__in=docs).count() == 3


def test_documents_the_user_may_not_print_are_skipped_and_listed(
    users, docs, outsider, django_capture_on_commit_callbacks
):
    # The colleague may not print the teacher's own requisitions (if_owner): all skipped → failed.
    batch = run(
        lambda: start_batch(
            "Material Requisition", [docs[0].name, "REQ-NONE"], actor=users["colleague"]
        ),
        django_capture_on_commit_callbacks,
    )
    assert batch.status == BatchStatus.FAILED and "无权打印" in batch.error
    assert batch.skipped == [docs[0].name, "REQ-NONE"]
    assert PrintLog.objects.count() == 0
    # The purchaser may print all of them; a stranger's name is skipped, the rest print.
    batch = run(
        lambda: start_batch(
            "Material Requisition", [docs[1].name, "REQ-NONE"], actor=users["purchaser"]
        ),
        django_capture_on_commit_callbacks,
    )
    assert batch.status == BatchStatus.DONE and batch.skipped == ["REQ-NONE"]
    assert PrintLog.objects.filter(document=docs[1]).count() == 1


def test_empty_selection_is_refused_with_a_message_and_queues_nothing(users):
    with pytest.raises(DocumentValidationError, match="至少选择"):
        start_batch("Material Requisition", ["", " "], actor=users["teacher"])
    assert PrintBatch.objects.count() == 0


def test_job_delivered_twice_builds_once(users, docs, django_capture_on_commit_callbacks):
    batch = run(
        lambda: start_batch("Material Requisition", [docs[0].name], actor=users["teacher"]),
        django_capture_on_commit_callbacks,
    )
    build_batch(batch.pk)
    assert PrintLog.objects.count() == 1


def test_batch_page_polls_while_running_and_offers_download_when_done(
    client, users, docs, django_capture_on_commit_callbacks
):
    client.force_login(users["teacher"])
    queued = PrintBatch.objects.create(
        school=users["teacher"].school,
        created_by=users["teacher"],
        doctype="Material Requisition",
        names=[docs[0].name],
        total=1,
    )
    html = client.get(f"/app/print-batches/{queued.pk}", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in html and "排队中" in html and "<html" not in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/app/print-batches/new/material-requisition", {"names": [d.name for d in docs]}
        )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "已完成" in page and "3 / 3" in page and "every 1s" not in page and "下载 PDF" in page
    pdf = client.get(response["Location"] + "/pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content)[:5] == b"%PDF-"


def test_another_user_cannot_see_or_download_a_batch(
    client, users, docs, outsider, django_capture_on_commit_callbacks
):
    batch = run(
        lambda: start_batch("Material Requisition", [docs[0].name], actor=users["teacher"]),
        django_capture_on_commit_callbacks,
    )
    for other in (users["colleague"], outsider):
        client.force_login(other)
        assert client.get(f"/app/print-batches/{batch.pk}").status_code == 404
        assert client.get(f"/app/print-batches/{batch.pk}/pdf").status_code == 404


def test_start_without_selection_shows_a_message_not_an_error(client, users):
    client.force_login(users["teacher"])
    response = client.post("/app/print-batches/new/material-requisition", {})
    assert response.status_code == 422 and "至少选择" in response.content.decode()
    assert PrintBatch.objects.count() == 0


def test_batch_written_in_chunks_joins_every_voucher_in_order(
    users, docs, django_capture_on_commit_callbacks, tmp_path, monkeypatch
):
    import io

    from pypdf import PdfReader

    from school_logistics.printing import batch as batch_module

    monkeypatch.setattr(batch_module, "CHUNK_SIZE", 2)  # three vouchers: chunks of 2 and 1
    names = [d.name for d in docs]
    batch = run(
        lambda: start_batch("Material Requisition", names, actor=users["teacher"]),
        django_capture_on_commit_callbacks,
    )
    assert batch.status == BatchStatus.DONE
    pdf = batch.file.read()
    reader = PdfReader(io.BytesIO(pdf))
    page_texts = [squeeze(page.extract_text()) for page in reader.pages]
    assert len(reader.pages) == 3  # one A4 page per two-line requisition
    assert [next(n for n in names if n in text) for text in page_texts] == names
    # Each voucher keeps its own page count after the join.
    assert all("第1页共1页" in text for text in page_texts)
    assert squeeze(pdf_text(pdf, tmp_path)).count("物资申购单") >= 3
