"""报销 on a requisition's page: what its goods came to once received, and its reimbursement
(or a button that starts one), the last link of 请购 → 审批 → 验收 → 入库 → 报销."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.db.models import Sum
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
from school_logistics.purchasing.expense_claims import CLAIM, REQUISITION, claim_from_requisition


def requisition_claim_panel(request: HttpRequest, meta: Meta, document: Document | None) -> str:
    if meta.name != REQUISITION or document is None or document.docstatus != DocStatus.SUBMITTED:
        return ""
    received = Document.objects.filter(
        doctype="Stock Receipt",
        school_id=document.school_id,
        docstatus=DocStatus.SUBMITTED,
        data__requisition=document.name,
    ).aggregate(n=Sum("grand_total"))["n"]
    if received is None:
        return ""  # nothing received yet: nothing to reimburse
    user: User = request.user  # type: ignore[assignment]
    claim_meta = get_meta(CLAIM)
    found = list(
        Document.objects.filter(
            doctype=CLAIM, school_id=document.school_id, data__requisition=document.name
        )
        .exclude(docstatus=DocStatus.CANCELLED)
        .order_by("name")
        .values("name", "docstatus", "workflow_state", "grand_total")
    )
    claimed = sum((c["grand_total"] or Decimal(0) for c in found), Decimal(0))
    claims = [{**c, "url": form_url(claim_meta, c["name"])} for c in found]
    context = {
        "received": received,
        "claims": claims,
        # A delivery in parts is reimbursed in parts: what came since the last claim.
        "can_claim": received > claimed and permissions.has_permission(user, claim_meta, "create"),
        "action": reverse("claims:from_requisition", args=[document.name]),
    }
    return render_to_string("purchasing/_requisition_claim.html", context, request=request)


@login_required
@require_POST
def from_requisition(request: HttpRequest, requisition: str) -> HttpResponse:
    """Start a 采购报销 for an approved requisition's received goods."""
    user: User = request.user  # type: ignore[assignment]
    return start_from(
        request,
        lambda: claim_from_requisition(requisition, actor=user),
        back_url=form_url(get_meta(REQUISITION), requisition),
        done=lambda made: (
            _("已生成报销单草稿 %(n)s，请填写发票号码、上传票据后提交") % {"n": made.name}
        ),
    )
