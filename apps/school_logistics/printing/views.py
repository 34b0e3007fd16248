"""Voucher pages: the browser print view, the PDF, and the public verification page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from school_logistics.core import permissions
from school_logistics.core.models import User
from school_logistics.core.views.doctypes import doctype_slug, form_url, resolve_doctype
from school_logistics.printing import services
from school_logistics.printing.default_format import STANDARD_NAME
from school_logistics.printing.formats import available_formats
from school_logistics.printing.pdf import CJKFontMissing
from school_logistics.printing.sandbox import PrintTemplateError
from school_logistics.printing.verification import allow_check, verify

PRINT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'"
)


def _problem(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "printing/problem.html", {"message": message}, status=status)


def _print(request: HttpRequest, doctype: str, name: str, output: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    meta = resolve_doctype(doctype)
    document = permissions.get_document(user, meta, name, "print")
    format_name = request.GET.get("format") or None
    slug = doctype_slug(meta.name)
    toolbar = {
        "pdf_url": reverse("printing:pdf", args=[slug, name])
        + (f"?format={format_name}" if format_name else ""),
        "back_url": form_url(meta, name),
        "formats": [STANDARD_NAME] + [f.name for f in available_formats(meta, document.school_id)],
        "current": format_name or "",
    }
    try:
        result = services.print_document(
            document,
            actor=user,
            output=output,
            format_name=format_name,
            base_url=request.build_absolute_uri("/"),
            toolbar=toolbar,
        )
    except PrintTemplateError as exc:
        return _problem(request, exc.display, 422)
    except CJKFontMissing as exc:
        return _problem(request, str(exc), 503)
    if output == "pdf":
        response = HttpResponse(result.content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{result.filename}"'
        return response
    response = HttpResponse(result.content)
    # The page holds an admin's template: no inline script may run on our origin.
    response["Content-Security-Policy"] = PRINT_CSP
    return response


@login_required
@require_GET
def print_view(request: HttpRequest, doctype: str, name: str) -> HttpResponse:
    """Show the voucher for the browser's own printing; each view is a logged print."""
    return _print(request, doctype, name, "html")


@login_required
@require_GET
def print_pdf(request: HttpRequest, doctype: str, name: str) -> HttpResponse:
    """Return the voucher as a PDF built on the server."""
    return _print(request, doctype, name, "pdf")


def _client(request: HttpRequest) -> str:
    # Behind a proxy every request shares its address; a deployment sets REMOTE_ADDR right.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


@require_GET
def verify_view(request: HttpRequest, code: str) -> HttpResponse:
    """Tell anyone holding a voucher whether it is genuine and still valid; nothing more."""
    if not allow_check(_client(request)):
        return render(request, "printing/verify.html", {"limited": True}, status=429)
    result = verify(code)
    response = render(
        request,
        "printing/verify.html",
        {"result": result, "code": code},
        status=200 if result else 404,
    )
    response["X-Robots-Tag"] = "noindex"
    return response
