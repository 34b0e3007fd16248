"""List printing pages: any list view as a printable table (browser) and as a PDF."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from school_logistics.core.models import User
from school_logistics.core.views.doctypes import doctype_slug, list_url, resolve_doctype
from school_logistics.printing.list_print import build_sheet, render_sheet
from school_logistics.printing.pdf import CJKFontMissing, html_to_pdf
from school_logistics.printing.views import PRINT_CSP


def _sheet_page(request: HttpRequest, doctype: str, output: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    meta = resolve_doctype(doctype)
    sheet = build_sheet(user, meta, request.GET)  # PermissionDenied (403) without `print`
    query = request.GET.urlencode()
    suffix = f"?{query}" if query else ""
    if output == "pdf":
        try:
            pdf = html_to_pdf(render_sheet(sheet, screen=False))
        except CJKFontMissing as exc:
            return render(request, "printing/problem.html", {"message": str(exc)}, status=503)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{doctype_slug(meta.name)}-list.pdf"'
        return response
    toolbar = {
        "pdf_url": reverse("printing:list-pdf", args=[doctype_slug(meta.name)]) + suffix,
        "back_url": list_url(meta) + suffix,
    }
    response = HttpResponse(render_sheet(sheet, screen=True, toolbar=toolbar))
    # Same policy as the voucher page: only our own script file may run here.
    response["Content-Security-Policy"] = PRINT_CSP
    return response


@login_required
@require_GET
def list_print_view(request: HttpRequest, doctype: str) -> HttpResponse:
    """Show the filtered list as a table for the browser's own printing."""
    return _sheet_page(request, doctype, "html")


@login_required
@require_GET
def list_print_pdf(request: HttpRequest, doctype: str) -> HttpResponse:
    """Return the filtered list as a PDF table with page numbers."""
    return _sheet_page(request, doctype, "pdf")
