"""采购方式 on an approved requisition's page: whether its amount must go to quotes or to
public tender under the school's 采购限额标准, the tenders that buy it, and 发起询价."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from school_logistics.core import permissions
from school_logistics.core.meta import Meta
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.registry import get_meta
from school_logistics.core.views.doctypes import form_url
from school_logistics.core.views.starts import start_from
from school_logistics.purchasing.procurement import (
    REQUISITION,
    SPLIT_DAYS,
    TENDER,
    needs_quotes,
    split_purchase,
    tender_from_requisition,
    tenders_of,
)


def procurement_panel(request: HttpRequest, meta: Meta, document: Document | None) -> str:
    if meta.name != REQUISITION or document is None or document.docstatus == DocStatus.CANCELLED:
        return ""
    threshold = needs_quotes(document)
    if threshold is None:
        return _split_panel(request, document)
    if document.docstatus != DocStatus.SUBMITTED:
        return ""
    user: User = request.user  # type: ignore[assignment]
    tender_meta = get_meta(TENDER)
    can_read = permissions.has_permission(user, tender_meta, "read")
    tenders = tenders_of(document)
    context = {
        "threshold": threshold,
        "method": threshold.method_for(document.grand_total or Decimal(0)),
        "tenders": [(t, form_url(tender_meta, t.name) if can_read else "") for t in tenders],
        "decided": any(t.docstatus == DocStatus.SUBMITTED for t in tenders),
        "can_start": not tenders and permissions.has_permission(user, tender_meta, "create"),
        "action": reverse("procurement:start-tender", args=[document.name]),
    }
    return render_to_string("purchasing/_requisition_procurement.html", context, request=request)


def _split_panel(request: HttpRequest, document: Document) -> str:
    """化整为零: the department's other requisitions of the same kinds that, with this one,
    reach the quotes amount; purchasing may buy them together by one 询价."""
    split = split_purchase(document)
    if split is None:
        return ""
    user: User = request.user  # type: ignore[assignment]
    mergeable = document.docstatus == DocStatus.SUBMITTED and any(
        d.docstatus == DocStatus.SUBMITTED for d in split.others
    )
    context = {
        "split": split,
        "others": [(d, form_url(get_meta(REQUISITION), d.name)) for d in split.others],
        "days": SPLIT_DAYS,
        "can_merge": mergeable and permissions.has_permission(user, get_meta(TENDER), "create"),
        "action": reverse("procurement:merged-tender", args=[document.name]),
    }
    return render_to_string("purchasing/_requisition_split.html", context, request=request)


@login_required
@require_POST
def start_merged_tender(request: HttpRequest, requisition: str) -> HttpResponse:
    """One 询价 (or 公开招标) of a requisition with the approved ones it looks split from."""
    return _start(request, requisition, merged=True)


@login_required
@require_POST
def start_tender(request: HttpRequest, requisition: str) -> HttpResponse:
    """Start a 询价 (or 公开招标) of an approved requisition whose amount needs one."""
    return _start(request, requisition, merged=False)


def _start(request: HttpRequest, requisition: str, *, merged: bool) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]

    def done(made: Document) -> str:
        values = {"m": made.data.get("method"), "n": made.name}
        if merged:
            text = _(
                "已生成合并%(m)s草稿 %(n)s（%(k)s 张申购单），请邀请至少三家供应商、登记报价后提交"
            )
            return text % {**values, "k": len(made.data["requisitions"])}
        return _("已生成%(m)s草稿 %(n)s，请邀请至少三家供应商、登记报价后提交") % values

    return start_from(
        request,
        lambda: tender_from_requisition(requisition, actor=user, merged=merged),
        back_url=form_url(get_meta(REQUISITION), requisition),
        done=done,
    )
