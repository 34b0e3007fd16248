"""The term's 结算清单 of a class: a page for the browser's printing, and its PDF."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from school_logistics.canteen.ledger_views import readers_school
from school_logistics.canteen.statements import Term, class_statements
from school_logistics.core.models import School
from school_logistics.core.values import parse_month
from school_logistics.printing.context import school_heading
from school_logistics.printing.pdf import CJKFontMissing, html_to_pdf
from school_logistics.printing.render import BASE_CSS
from school_logistics.printing.views import PRINT_CSP


def _sheet(request: HttpRequest, *, screen: bool) -> tuple[str, str]:
    """Return the sheet's HTML and the class it is for."""
    school_id = readers_school(request)
    class_name = request.GET.get("class_name", "")
    month = request.GET.get("month", "")
    if not class_name or parse_month(month) is None:
        raise Http404(_("请选择班级和月份"))
    term = Term.of(month)
    query = urlencode({"class_name": class_name, "month": month})
    html = render_to_string(
        "canteen/statements_sheet.html",
        {
            "school": school_heading(School.objects.get(pk=school_id)),
            "class_name": class_name,
            "term": term,
            "statements": class_statements(school_id, class_name, term),
            "printed_at": timezone.localtime(),
            "base_css": mark_safe(BASE_CSS),  # noqa: S308 - our own file
            "screen": screen,
            "pdf_url": f"{reverse('meal_fees:statements-pdf')}?{query}",
            "back_url": f"{reverse('meal_fees:report')}?{query}",
        },
        request=request,
    )
    return html, class_name


@login_required
@require_GET
def statements(request: HttpRequest) -> HttpResponse:
    html, _class_name = _sheet(request, screen=True)
    response = HttpResponse(html)
    response["Content-Security-Policy"] = PRINT_CSP
    return response


@login_required
@require_GET
def statements_pdf(request: HttpRequest) -> HttpResponse:
    html, class_name = _sheet(request, screen=False)
    try:
        pdf = html_to_pdf(html)
    except CJKFontMissing as exc:
        return render(request, "printing/problem.html", {"message": str(exc)}, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="meal-fee-statements.pdf"'
    return response
