"""Batch printing: many vouchers in one PDF, built by a background job with a progress count."""

from __future__ import annotations

import datetime as dt
import io
import logging
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core import permissions
from school_logistics.core.jobs import enqueue
from school_logistics.core.models import Document, User
from school_logistics.core.registry import get_meta
from school_logistics.core.validation import DocumentValidationError
from school_logistics.printing.models import BatchStatus, PrintBatch, PrintLog
from school_logistics.printing.pdf import check_cjk_font, release_fonts, render_document
from school_logistics.printing.sandbox import PrintTemplateError

if TYPE_CHECKING:
    from weasyprint.document import Document as Rendered

logger = logging.getLogger(__name__)
# A batch takes about half a second per voucher: 500 is a few minutes of one worker.
MAX_BATCH = 500
# Vouchers laid out together before their pages are written out and dropped: memory holds one
# chunk (~3 MiB of layout per voucher), not the batch. Each chunk embeds its own font subsets,
# so bigger chunks make a smaller file; 20 keeps the peak near that of a 20-voucher batch.
CHUNK_SIZE = 20


def start_batch(doctype: str, names: list[str], *, actor: User) -> PrintBatch:
    """Queue one PDF of the named documents; the job checks each one's print right."""
    meta = get_meta(doctype)
    unique = list(dict.fromkeys(n.strip() for n in names if n and n.strip()))
    if not unique:
        raise DocumentValidationError({"names": [_("请至少选择一张单据")]})
    if len(unique) > MAX_BATCH:
        raise DocumentValidationError(
            {"names": [_("一次最多打印 %(max)s 张单据") % {"max": MAX_BATCH}]}
        )
    if actor.school_id is None:
        raise DocumentValidationError({"names": [_("您不属于任何学校，无法批量打印")]})
    with transaction.atomic():
        batch = PrintBatch.objects.create(
            school_id=actor.school_id,
            created_by=actor,
            doctype=meta.name,
            names=unique,
            total=len(unique),
        )
        transaction.on_commit(lambda: enqueue(build_batch, batch.pk))
    return batch


def month_names(doctype: str, month: str, *, actor: User) -> list[str]:
    """Return the names of a month's documents the user may read (e.g. 伙食费退费单 of 2026-10)."""
    meta = get_meta(doctype)
    try:
        start = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        raise DocumentValidationError({"month": [_("月份格式应为 YYYY-MM")]}) from None
    if actor.school_id is None:
        return []
    rows = permissions.readable(actor, meta).filter(school_id=actor.school_id)
    if meta.get_field("month"):
        rows = rows.filter(data__month=month)
    else:
        end = (start + dt.timedelta(days=32)).replace(day=1)
        rows = rows.filter(created__date__gte=start, created__date__lt=end)
    return list(rows.order_by("name").values_list("name", flat=True))


def _claim(batch_id: int) -> PrintBatch | None:
    # Claim by update: a job delivered twice runs once.
    claimed = PrintBatch.objects.filter(pk=batch_id, status=BatchStatus.QUEUED).update(
        status=BatchStatus.RUNNING
    )
    return PrintBatch.objects.get(pk=batch_id) if claimed else None


def _printable(batch: PrintBatch, user: User, name: str) -> Document | None:
    meta = get_meta(batch.doctype)
    try:
        document = permissions.get_document(user, meta, name, "print")
    except (Http404, PermissionDenied):
        return None
    return document if document.school_id == batch.school_id else None


def _write_chunk(rendered: list[Rendered]) -> bytes:
    """Write the pages of a few laid-out vouchers as one PDF (each keeps its own page numbers)."""
    pages = [page for document in rendered for page in document.pages]
    return rendered[0].copy(pages).write_pdf()


def join_pdfs(parts: list[bytes]) -> bytes:
    """Return one PDF of the parts' pages, in order."""
    if len(parts) == 1:
        return parts[0]
    from pypdf import PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def build_batch(batch_id: int) -> None:
    """Render every printable document of a batch into one PDF (the RQ job; safe to run twice)."""
    from school_logistics.printing.services import prepare_voucher

    batch = _claim(batch_id)
    if batch is None:
        return
    user = batch.created_by
    chunk: list[Rendered] = []
    parts: list[bytes] = []
    skipped: list[str] = []
    logs: list[PrintLog] = []
    try:
        check_cjk_font()
        for done, name in enumerate(batch.names, start=1):
            document = _printable(batch, user, name)
            if document is None:
                skipped.append(name)
            else:
                html, log = prepare_voucher(document, actor=user, output="pdf")
                chunk.append(render_document(html))
                logs.append(log)
            if len(chunk) >= CHUNK_SIZE:
                parts.append(_write_chunk(chunk))
                chunk = []
            PrintBatch.objects.filter(pk=batch.pk).update(done=done, skipped=skipped)
        if chunk:
            parts.append(_write_chunk(chunk))
            chunk = []
        if not parts:
            raise PrintTemplateError(_("所选单据您都无权打印"))
        pdf = join_pdfs(parts)
    except Exception as exc:  # the page shows why; the worker must not die on one batch
        logger.exception("print batch %s failed", batch.pk)
        message = exc.display if isinstance(exc, PrintTemplateError) else str(exc)
        PrintBatch.objects.filter(pk=batch.pk).update(
            status=BatchStatus.FAILED, error=message, skipped=skipped, finished=timezone.now()
        )
        return
    finally:
        # An RQ work horse ends with os._exit, which would leave the fonts' temporary copies.
        release_fonts()
    with transaction.atomic():
        PrintLog.objects.bulk_create(logs)
        batch.refresh_from_db()
        batch.file.save(f"batch-{batch.pk}.pdf", ContentFile(pdf), save=False)
        batch.status = BatchStatus.DONE
        batch.skipped = skipped
        batch.finished = timezone.now()
        batch.save(update_fields=["file", "status", "skipped", "finished"])
