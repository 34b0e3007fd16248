"""Custody pages (保管): start a room's check, hand a room's assets to its new custodian, write
off what a check found missing, take a loan back; and the panels of checks and loans."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from school_logistics.assets import register, services
from school_logistics.assets.permissions import check_view_assets, manages_assets
from school_logistics.core import permissions
from school_logistics.core.meta import Meta
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.registry import get_meta
from school_logistics.core.services import DocumentStateError
from school_logistics.core.validation import DocumentValidationError, refusal_text
from school_logistics.core.views.doctypes import form_url, list_url
from school_logistics.core.views.due import due_list

CHECK = services.CHECK


def may_start_check(user: User, location: str) -> bool:
    if not permissions.has_permission(user, get_meta(CHECK), "create"):
        return False
    return manages_assets(user) or location in {name for name, _title in _kept_rooms(user)}


def _kept_rooms(user: User) -> list[tuple[str, str]]:
    return register.locations(user.school_id or 0, custodian=user.username)


@login_required
@require_POST
def start_check(request: HttpRequest) -> HttpResponse:
    """Start a 校产清查单 of a room from its books (总务处 any room, a keeper their own)."""
    user: User = request.user  # type: ignore[assignment]
    _school_id, sees_all = check_view_assets(user)
    location = request.POST.get("location", "")
    if not may_start_check(user, location):
        raise PermissionDenied(_("只能清查本人保管的场所"))
    try:
        doc = services.start_check(location, actor=user, today=timezone.localdate())
    except DocumentStateError as exc:
        messages.error(request, str(exc))
        return redirect(reverse("asset_register:list") + "?" + urlencode({"location": location}))
    messages.success(
        request, _("已生成清查单 %(n)s，请按实物核对，修改不符的行后提交") % {"n": doc.name}
    )
    return redirect(form_url(get_meta(CHECK), doc.name))


@login_required
@require_POST
def handover(request: HttpRequest) -> HttpResponse:
    """Start a 调拨单 handing a room's assets to its custodian now."""
    user: User = request.user  # type: ignore[assignment]
    location = request.POST.get("location", "")
    permissions.check_permission(user, get_meta(services.MOVEMENT), "create")
    try:
        doc = services.handover(location, actor=user)
    except (DocumentStateError, DocumentValidationError) as exc:
        messages.error(request, refusal_text(exc))
        return redirect(form_url(get_meta("Location"), location))
    messages.success(request, _("已生成交接调拨单 %(n)s，核对后提交") % {"n": doc.name})
    return redirect(form_url(get_meta(services.MOVEMENT), doc.name))


@login_required
@require_POST
def check_disposal(request: HttpRequest, check: str) -> HttpResponse:
    """Start a 校产报废单 of what a submitted check found missing."""
    user: User = request.user  # type: ignore[assignment]
    permissions.check_permission(user, get_meta(services.DISPOSAL), "create")
    try:
        doc = services.disposal_from_check(check, actor=user)
    except (DocumentStateError, DocumentValidationError) as exc:
        messages.error(request, refusal_text(exc))
        return redirect(form_url(get_meta(CHECK), check))
    messages.success(request, _("已生成报废单草稿 %(n)s，核对后提交审批") % {"n": doc.name})
    return redirect(form_url(get_meta(services.DISPOSAL), doc.name))


def check_panel(request: HttpRequest, meta: Meta, document: Document | None) -> str:
    """What a submitted check led to: the repairs it reported, and for 总务处 a way to write
    off what it found missing."""
    user: User = request.user  # type: ignore[assignment]
    if meta.name != CHECK or document is None or document.docstatus != DocStatus.SUBMITTED:
        return ""
    repair = get_meta(services.REPAIR)
    tickets = Document.objects.filter(
        doctype=services.REPAIR,
        school_id=document.school_id,
        data__description__icontains=document.name,
    ).only("name", "title", "docstatus", "workflow_state")
    short = Decimal(str(document.data.get("short_qty") or 0))
    can_read = permissions.has_permission(user, repair, "read")
    context = {
        "tickets": [(t, form_url(repair, t.name) if can_read else "") for t in tickets],
        "short": short,
        "can_dispose": short > 0
        and permissions.has_permission(user, get_meta(services.DISPOSAL), "create"),
        "action": reverse("asset_register:check_disposal", args=[document.name]),
    }
    if not context["tickets"] and not short:
        return ""
    return render_to_string("assets/_check_result.html", context, request=request)


RETURN_CONDITIONS = ("完好", "损坏", "丢失")


def loan_panel(request: HttpRequest, meta: Meta, document: Document | None) -> str:
    """A submitted loan: out since when and until when (overdue flagged), or back; 总务处
    records the return here."""
    user: User = request.user  # type: ignore[assignment]
    if meta.name != services.LOAN or document is None:
        return ""
    if document.docstatus != DocStatus.SUBMITTED:
        return ""
    today = timezone.localdate()
    due = document.data.get("due_date") or ""
    context = {
        "loan": document,
        "returned_on": document.data.get("returned_on"),
        "condition": document.data.get("return_condition") or "",
        "overdue": (today - dt.date.fromisoformat(due)).days if due else 0,
        "due": due,
        "can_return": not document.data.get("returned_on") and manages_assets(user),
        "conditions": RETURN_CONDITIONS,
        "action": reverse("asset_register:loan_return", args=[document.name]),
    }
    return render_to_string("assets/_loan_status.html", context, request=request)


@login_required
@require_POST
def loan_return(request: HttpRequest, loan: str) -> HttpResponse:
    """归还登记: 总务处 takes the assets back, saying in what state."""
    user: User = request.user  # type: ignore[assignment]
    condition = request.POST.get("condition", "")
    url = form_url(get_meta(services.LOAN), loan)
    if condition not in RETURN_CONDITIONS:
        messages.error(request, _("请选择归还情况"))
        return redirect(url)
    try:
        services.return_loan(
            loan,
            condition=condition,
            note=request.POST.get("note", "").strip()[:500],
            actor=user,
            today=timezone.localdate(),
        )
    except (DocumentStateError, DocumentValidationError) as exc:
        messages.error(request, refusal_text(exc))
        return redirect(url)
    done = _("已登记归还")
    if condition == "损坏":
        done = _("已登记归还，损坏的校产已报修")
    messages.success(request, done)
    return redirect(url)


LOANS_SHOWN = 5


def loans_panel(request: HttpRequest) -> str:
    """On 总务处's home page: what is lent out, the soonest due (overdue first)."""
    user: User = request.user  # type: ignore[assignment]
    if not user.school_id or not manages_assets(user):
        return ""
    loans = services.open_loans(user.school_id)
    if not loans:
        return ""
    meta = get_meta(services.LOAN)
    context = {"due": due_list(loans, meta, "due_date", LOANS_SHOWN), "list_url": list_url(meta)}
    return render_to_string("assets/_loans_out.html", context, request=request)
