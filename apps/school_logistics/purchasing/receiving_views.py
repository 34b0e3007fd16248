"""The store's side of purchasing on pages: the approved requisitions whose goods are due
(待入库) on the home page of those who receive them, and a supplier's certificates on its page."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from school_logistics.core import permissions
from school_logistics.core.meta import Meta
from school_logistics.core.models import Document, User
from school_logistics.core.registry import get_meta
from school_logistics.core.views.doctypes import form_url
from school_logistics.purchasing.certificates import certificate_rows, certificate_status
from school_logistics.purchasing.procurement import REQUISITION
from school_logistics.purchasing.receiving import RECEIPT, awaiting_goods

AWAITING_SHOWN = 5


def awaiting_goods_panel(request: HttpRequest) -> str:
    """On the home page of those who receive goods into the store (库管员, 总务处): the
    approved requisitions nothing or only part of whose goods came yet, soonest needed first."""
    user: User = request.user  # type: ignore[assignment]
    if not user.school_id or not permissions.has_permission(user, get_meta(RECEIPT), "create"):
        return ""
    meta = get_meta(REQUISITION)
    readable = permissions.readable(user, meta).filter(school_id=user.school_id)
    found = awaiting_goods(readable)
    if not found:
        return ""
    shown = found[:AWAITING_SHOWN]
    context = {
        "count": len(found),
        "rows": [(a, form_url(meta, a.requisition.name)) for a in shown],
        "more": len(found) - len(shown),
    }
    return render_to_string("purchasing/_awaiting_goods.html", context, request=request)


def supplier_certificates_panel(request: HttpRequest, meta: Meta, document: Document | None) -> str:
    """On a supplier's page: whether its certificates (索证) are valid, expiring or expired."""
    if meta.name != "Supplier" or document is None:
        return ""
    today = timezone.localdate()
    label, style = certificate_status(document.data, today)
    context = {
        "label": label,
        "style": style,
        "rows": certificate_rows(document.data, today),
    }
    return render_to_string("purchasing/_supplier_certificates.html", context, request=request)
