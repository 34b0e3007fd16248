"""征订汇总: a term's 校服 and 作业本 orders by item, class by class and size by size, for 总务处
to place with the designated supplier and to see which classes have issued in full; and an
order's reply slips (家长回执) for the class teacher to send home."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from school_logistics.core import extensions, permissions
from school_logistics.core.meta import Meta
from school_logistics.core.models import Document, User
from school_logistics.core.registry import get_meta
from school_logistics.core.views.doctypes import form_url
from school_logistics.printing.context import school_heading
from school_logistics.printing.pdf import CJKFontMissing, html_to_pdf
from school_logistics.printing.render import BASE_CSS
from school_logistics.printing.views import PRINT_CSP
from school_logistics.purchasing import student_supplies


def may_view_orders(user: User) -> bool:
    meta = get_meta(student_supplies.ORDER)
    return bool(user.school_id) and permissions.scope(user, meta, "read") == "all"


def supplies_link(user: User) -> list[extensions.DeskLink]:
    if not may_view_orders(user):
        return []
    url = reverse("student_supplies:summary")
    return [extensions.DeskLink("purchasing", _("征订汇总"), url, "fa-shirt")]


@login_required
@require_GET
def summary(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.school_id is None or not may_view_orders(user):
        raise PermissionDenied(_("没有查看征订汇总的权限"))
    terms = student_supplies.terms(user.school_id)
    term = request.GET.get("term", "")
    term = term if term in terms else (terms[0] if terms else "")
    context = {
        "terms": terms,
        "term": term,
        "items": student_supplies.summary(user.school_id, term) if term else [],
        "orders_url": reverse("desk:list", args=["student-supply-order"]),
    }
    return render(request, "purchasing/supplies_summary.html", context)


def supply_order_panel(request: HttpRequest, meta: Meta, document: Document | None) -> str:
    """On an order, the reply slips (回执) the class teacher sends home to ask each parent."""
    if meta.name != student_supplies.ORDER or document is None:
        return ""
    context = {
        "slips_url": reverse("student_supplies:slips", args=[document.name]),
        "pdf_url": reverse("student_supplies:slips-pdf", args=[document.name]),
    }
    return render_to_string("purchasing/_supply_slips_panel.html", context, request=request)


def _slips(request: HttpRequest, name: str, *, screen: bool) -> str:
    """The order's reply slips, a slip a student, to print and send home."""
    user: User = request.user  # type: ignore[assignment]
    order = permissions.get_document(user, get_meta(student_supplies.ORDER), name, "read")
    data = order.data
    per_student = data.get("per_student") or 1
    price = Decimal(str(data.get("unit_price") or 0))
    return render_to_string(
        "purchasing/supply_slips.html",
        {
            "school": school_heading(order.school),
            "order": order,
            "data": data,
            "amount": price * per_student,
            "uniform": data.get("category") == student_supplies.UNIFORM,
            "students": data.get("students") or [],
            "base_css": mark_safe(BASE_CSS),  # noqa: S308 - our own file
            "screen": screen,
            "pdf_url": reverse("student_supplies:slips-pdf", args=[name]),
            "back_url": form_url(get_meta(student_supplies.ORDER), name),
        },
        request=request,
    )


@login_required
@require_GET
def slips(request: HttpRequest, name: str) -> HttpResponse:
    response = HttpResponse(_slips(request, name, screen=True))
    response["Content-Security-Policy"] = PRINT_CSP
    return response


@login_required
@require_GET
def slips_pdf(request: HttpRequest, name: str) -> HttpResponse:
    try:
        pdf = html_to_pdf(_slips(request, name, screen=False))
    except CJKFontMissing as exc:
        return render(request, "printing/problem.html", {"message": str(exc)}, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="supply-order-slips.pdf"'
    return response
