"""执行情况 on a contract's page: what has been delivered against it, item by item, and what
is left of its amount, with 按合同入库 starting a 入库单 for the rest."""

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
from school_logistics.purchasing.contracts import (
    CONTRACT,
    RECEIPT,
    deliveries,
    receipt_from_contract,
)


def contract_panel(request: HttpRequest, meta: Meta, document: Document | None) -> str:
    if meta.name != CONTRACT or document is None or document.docstatus != DocStatus.SUBMITTED:
        return ""
    user: User = request.user  # type: ignore[assignment]
    rows, receipts = deliveries(document)
    receipt_meta = get_meta(RECEIPT)
    can_read = permissions.has_permission(user, receipt_meta, "read")
    received = sum((r.amount for r in rows), Decimal(0))
    amount = document.grand_total or Decimal(0)
    context = {
        "rows": rows,
        "amount": amount,
        "received": received,
        "left": amount - received,
        "ends_on": document.data.get("ends_on"),
        "receipts": [(r, form_url(receipt_meta, r.name) if can_read else "") for r in receipts],
        "can_receive": any(r.remaining > 0 for r in rows)
        and permissions.has_permission(user, receipt_meta, "create"),
        "action": reverse("contracts:receive", args=[document.name]),
    }
    return render_to_string("purchasing/_contract_deliveries.html", context, request=request)


@login_required
@require_POST
def receive(request: HttpRequest, name: str) -> HttpResponse:
    """Start a 入库单 for what a contract in force has still to deliver."""
    user: User = request.user  # type: ignore[assignment]
    return start_from(
        request,
        lambda: receipt_from_contract(name, actor=user),
        back_url=form_url(get_meta(CONTRACT), name),
        done=lambda made: (
            _("已生成入库单草稿 %(n)s，请核对实收数量和单价后提交") % {"n": made.name}
        ),
    )
