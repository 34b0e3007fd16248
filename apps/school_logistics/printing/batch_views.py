"""Batch printing pages: start a batch, watch its progress bar, download the one PDF."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from school_logistics.core import permissions
from school_logistics.core.models import User
from school_logistics.core.registry import get_meta
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.views.doctypes import list_url, resolve_doctype
from school_logistics.core.views.htmx import render_page
from school_logistics.printing.batch import month_names, start_batch
from school_logistics.printing.models import BatchStatus, PrintBatch


def _own_batch(request: HttpRequest, pk: int) -> PrintBatch:
    # A batch is its creator's: another user gets 404, not a hint that it exists.
    user: User = request.user  # type: ignore[assignment]
    batch = PrintBatch.objects.filter(pk=pk, created_by=user).first()
    if batch is None:
        raise Http404("没有这个批量打印任务")
    return batch


def _list_url(doctype: str) -> str:
    try:
        return list_url(get_meta(doctype))
    except Http404:  # the DocType was removed since: the page still shows the batch
        return ""


@login_required
@require_POST
def batch_start(request: HttpRequest, doctype: str) -> HttpResponse:
    """Queue one PDF of the checked documents, or of a whole month (`month=YYYY-MM`)."""
    user: User = request.user  # type: ignore[assignment]
    meta = resolve_doctype(doctype)
    # Each document is checked again by the job; without the right at all, queue nothing.
    permissions.check_permission(user, meta, "print")
    try:
        month = request.POST.get("month", "").strip()
        names = (
            month_names(meta.name, month, actor=user) if month else request.POST.getlist("names")
        )
        batch = start_batch(meta.name, names, actor=user)
    except DocumentValidationError as exc:
        message = "；".join(exc.messages())
        return render(request, "printing/problem.html", {"message": message}, status=422)
    return HttpResponseRedirect(reverse("printing:batch", args=[batch.pk]))


@login_required
@require_GET
def batch_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a batch's progress; the partial re-polls every second until it is finished."""
    batch = _own_batch(request, pk)
    running = batch.status in (BatchStatus.QUEUED, BatchStatus.RUNNING)
    return render_page(
        request,
        "printing/batch.html",
        {"batch": batch, "running": running, "list_url": _list_url(batch.doctype)},
        partial="printing/_batch_progress.html",
    )


@login_required
@require_GET
def batch_download(request: HttpRequest, pk: int) -> FileResponse:
    """Return the batch's PDF once it is built."""
    batch = _own_batch(request, pk)
    if batch.status != BatchStatus.DONE or not batch.file:
        raise Http404("PDF 尚未生成")
    return FileResponse(
        batch.file.open("rb"),
        content_type="application/pdf",
        # "下载 PDF" saves the file; a phone's viewer would otherwise replace the progress page.
        as_attachment=True,
        filename=f"{batch.doctype}-{batch.pk}.pdf".replace(" ", "-"),
    )
