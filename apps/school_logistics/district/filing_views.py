"""招标备案 pages: the filing's state on a decided tender (with 报送教育局备案), and the bureau's
list of filings to review."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from school_logistics.core import permissions
from school_logistics.core.meta import Meta
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.registry import get_meta
from school_logistics.core.services import DocumentStateError
from school_logistics.core.validation import DocumentValidationError, refusal_text
from school_logistics.core.views.doctypes import form_url
from school_logistics.district import filings
from school_logistics.district.access import bureau_users, schools_of
from school_logistics.district.models import FilingStatus, TenderFiling


def tender_filing_panel(request: HttpRequest, meta: Meta, document: Document | None) -> str:
    """On a decided tender: its filing with the bureau, or the button that files it."""
    if meta.name != filings.TENDER or document is None:
        return ""
    if document.docstatus != DocStatus.SUBMITTED:
        return ""
    filing = TenderFiling.objects.filter(tender=document).select_related("reviewed_by").first()
    if filing is None and not bureau_users(document.school_id).exists():
        return ""  # no bureau looks after this school
    user: User = request.user  # type: ignore[assignment]
    context = {
        "filing": filing,
        "can_file": (filing is None or filing.status == FilingStatus.RETURNED)
        and permissions.has_permission(user, meta, "submit", document),
        "action": reverse("district:file", args=[document.name]),
    }
    return render_to_string("district/_tender_filing.html", context, request=request)


@login_required
@require_POST
def file(request: HttpRequest, name: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    try:
        filings.file_tender(name, actor=user)
    except (DocumentStateError, DocumentValidationError) as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, _("已报送教育局备案"))
    return redirect(form_url(get_meta(filings.TENDER), name))


@login_required
@require_http_methods(["GET", "POST"])
def filing_list(request: HttpRequest) -> HttpResponse:
    """The bureau's filings of the schools it looks after, those to review first."""
    user: User = request.user  # type: ignore[assignment]
    schools = schools_of(user)
    if not schools:
        raise PermissionDenied(_("没有查看招标备案的权限"))
    if request.method == "POST":
        pk = request.POST.get("filing", "")
        try:
            filings.review(
                int(pk) if pk.isdigit() else 0,
                actor=user,
                accept=request.POST.get("decision") == "accept",
                note=request.POST.get("note", ""),
            )
        except (DocumentStateError, DocumentValidationError) as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, _("已处理备案"))
        return redirect(request.get_full_path())
    status = request.GET.get("status", FilingStatus.FILED)
    status = status if status in FilingStatus.values or status == "all" else FilingStatus.FILED
    found = TenderFiling.objects.filter(school__in=schools).select_related(
        "school", "tender", "filed_by", "reviewed_by"
    )
    if status != "all":
        found = found.filter(status=status)
    tender = get_meta(filings.TENDER)
    context = {
        "rows": [(f, form_url(tender, f.tender.name)) for f in found.order_by("-filed_at")[:200]],
        "status": status,
        "statuses": [*FilingStatus.choices, ("all", _("全部"))],
    }
    return render(request, "district/filings.html", context)
