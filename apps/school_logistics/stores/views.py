"""库存台账: the store's balance of every item, and the movements of one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from school_logistics.core import extensions, permissions
from school_logistics.core.extensions import first_refusal
from school_logistics.core.meta import Meta
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.registry import get_meta
from school_logistics.core.services import DocumentStateError
from school_logistics.core.views.doctypes import form_url, list_url
from school_logistics.core.views.htmx import render_page
from school_logistics.core.views.starts import start_from
from school_logistics.core.views.transfer import xlsx_response
from school_logistics.ledger.stock import balances
from school_logistics.stores import stock
from school_logistics.stores.items import receipt_holds
from school_logistics.stores.permissions import check_view_stock, may_view_stock
from school_logistics.stores.services import (
    ISSUE,
    RECEIPT,
    REPAIR,
    REQUISITION,
    STOCKTAKE,
    outstanding,
    receipt_from_requisition,
    repair_parts,
    start_stocktake,
)
from school_logistics.stores.stock_sheet import stock_workbook

MOVEMENTS = 200
PAGE_SIZE = 100  # items a page of 库存台账 shows; the totals count every item filtered


def stock_link(user: User) -> list[extensions.DeskLink]:
    if not may_view_stock(user):
        return []
    return [extensions.DeskLink("stores", _("库存台账"), reverse("stock:balance"), "fa-warehouse")]


def _categories() -> list[str]:
    field = get_meta("Item").get_field("category")
    return field.select_options if field else []


@login_required
def balance(request: HttpRequest) -> HttpResponse:
    """Every item's quantity and value in the store, filtered by category and words."""
    user: User = request.user  # type: ignore[assignment]
    school_id = check_view_stock(user)
    q, category, show_all = _filters(request)
    rows = stock.stock_rows(school_id, q=q, category=category, in_stock=not show_all)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    kept = {
        k: v
        for k, v in {"q": q, "category": category, "show": "all" if show_all else ""}.items()
        if v
    }
    context = {
        "rows": rows,
        "page": page,
        "page_query": urlencode(kept),
        "q": q,
        "category": category,
        "categories": _categories(),
        "export_query": urlencode(kept),
        "show_all": show_all,
        "can_stocktake": permissions.has_permission(user, get_meta(STOCKTAKE), "create"),
        "total_value": sum((r.value for r in rows), Decimal(0)),
    }
    return render_page(request, "stores/stock.html", context, partial="stores/_stock_results.html")


@login_required
def export(request: HttpRequest) -> HttpResponse:
    """库存台账 as filtered on the page, as a 盘点表 to count the shelves against."""
    user: User = request.user  # type: ignore[assignment]
    school_id = check_view_stock(user)
    permissions.check_permission(user, get_meta(RECEIPT), "export")
    q, category, show_all = _filters(request)
    rows = stock.stock_rows(school_id, q=q, category=category, in_stock=not show_all)
    now = timezone.localtime()
    school = user.school.name if user.school else ""
    content = stock_workbook(rows, school=school, taken_at=now)
    name = _("库存盘点表-%(stamp)s.xlsx") % {"stamp": now.strftime("%Y%m%d-%H%M")}
    return xlsx_response(content, name)


def _filters(request: HttpRequest) -> tuple[str, str, bool]:
    """Return the words, the category and whether to show items not in stock, as asked."""
    q = request.GET.get("q", "").strip()[:100]
    category = request.GET.get("category", "")
    if category not in _categories():
        category = ""
    return q, category, request.GET.get("show") == "all"


@login_required
def item_ledger(request: HttpRequest, item: str) -> HttpResponse:
    """One item's movements in and out of the store, newest first, with the balance after each."""
    user: User = request.user  # type: ignore[assignment]
    school_id = check_view_stock(user)
    doc = Document.objects.filter(doctype="Item", school_id=school_id, name=item).first()
    if doc is None:
        raise Http404(_("没有这个物资"))
    entries = stock.movements(school_id, item, MOVEMENTS)
    # A document's page is its list's URL and its name: one reverse() per kind, not per row.
    bases = {name: list_url(get_meta(name)) for name in {e.voucher.doctype for e in entries}}
    labels = {name: get_meta(name).label for name in bases}
    rows = [
        {
            "entry": e,
            "url": bases[e.voucher.doctype] + quote(e.voucher.name),
            "label": labels[e.voucher.doctype],
        }
        for e in entries
    ]
    bin_ = balances(school_id, [item]).get(item)
    context = {
        "item": doc,
        "item_url": form_url(get_meta("Item"), item),
        "rows": rows,
        "qty": bin_.qty if bin_ else Decimal(0),
        "value": bin_.value if bin_ else Decimal(0),
        "limited": len(entries) == MOVEMENTS,
    }
    return render(request, "stores/stock_item.html", context)


LOW_STOCK_SHOWN = 5


def low_stock_panel(request: HttpRequest) -> str:
    """On the home page of those who keep the store, the items below their 最低库存."""
    user: User = request.user  # type: ignore[assignment]
    if not user.school_id or not may_view_stock(user):
        return ""
    count, rows = stock.below_safety_stock(user.school_id, LOW_STOCK_SHOWN)
    if not count:
        return ""
    context = {"count": count, "rows": rows, "more": count - len(rows)}
    return render_to_string("stores/_low_stock.html", context, request=request)


def stock_panel(request: HttpRequest, meta: Meta, document: Document | None) -> str:
    """The store's side of a page: an Item's balance and a 领物单's stock (for those who may
    read the books), what an approved requisition's goods became and which of a repair's
    parts left the store (for their readers), and a 盘点单's book while it is filled in."""
    user: User = request.user  # type: ignore[assignment]
    if meta.name == STOCKTAKE:
        return _stocktake_book(request, document)
    if document is None:
        return ""
    if meta.name == REPAIR:
        return _repair_parts(request, document)
    if meta.name == REQUISITION and document.docstatus == DocStatus.SUBMITTED:
        return _requisition_receipts(request, document)
    if not may_view_stock(user):
        return ""
    if meta.name == "Item":
        return _item_stock(request, document)
    if meta.name == "Stock Issue" and document.docstatus == DocStatus.DRAFT:
        return _issue_stock(request, document)
    return ""


def _requisition_receipts(request: HttpRequest, document: Document) -> str:
    """What an approved requisition's goods became: received so far, still to come, and a
    way to receive the rest on a new 入库单."""
    user: User = request.user  # type: ignore[assignment]
    receipt = get_meta(RECEIPT)
    receipts = Document.objects.filter(
        doctype=RECEIPT, school_id=document.school_id, data__requisition=document.name
    ).order_by("name")
    rows = outstanding(document)
    can_read = permissions.has_permission(user, receipt, "read")
    hold = first_refusal(receipt_holds, document)
    context = {
        "rows": rows,
        # A requester sees which receipts there are; the store, their pages too.
        "receipts": [
            (r, form_url(receipt, r.name) if can_read else "")
            for r in receipts.only("name", "docstatus")
        ],
        "can_receive": not hold
        and any(r["remaining"] > 0 for r in rows)
        and permissions.has_permission(user, receipt, "create"),
        "hold": hold,
        "action": reverse("stock:receive", args=[document.name]),
    }
    return render_to_string("stores/_requisition_receipts.html", context, request=request)


@login_required
@require_POST
def receive(request: HttpRequest, requisition: str) -> HttpResponse:
    """Start a 入库单 for what an approved requisition still waits for."""
    user: User = request.user  # type: ignore[assignment]
    return start_from(
        request,
        lambda: receipt_from_requisition(requisition, actor=user),
        back_url=form_url(get_meta(REQUISITION), requisition),
        done=lambda made: (
            _("已生成入库单草稿 %(n)s，请核对实收数量和单价后提交") % {"n": made.name}
        ),
    )


def _issue_stock(request: HttpRequest, document: Document) -> str:
    lines: dict[str, dict[str, Any]] = {}
    for r in document.data.get("items") or []:
        if not r.get("item"):
            continue
        line = lines.setdefault(
            r["item"],
            {
                "item": r["item"],
                "name": r.get("item_name") or r["item"],
                "uom": r.get("uom") or "",
                "wanted": Decimal(0),
                "url": reverse("stock:item", args=[r["item"]]),
            },
        )
        line["wanted"] += Decimal(str(r.get("qty") or 0))
    if not lines:
        return ""
    held = balances(document.school_id, lines)
    for item, line in lines.items():
        line["held"] = held[item].qty if item in held else Decimal(0)
    context = {
        "lines": list(lines.values()),
        "short": any(line["held"] < line["wanted"] for line in lines.values()),
    }
    return render_to_string("stores/_issue_stock.html", context, request=request)


def _repair_parts(request: HttpRequest, document: Document) -> str:
    """Which of a repair's parts left the store on a 领物单 naming the ticket, for whoever reads
    the ticket; the 领物单 are links for those who may open them."""
    user: User = request.user  # type: ignore[assignment]
    parts = repair_parts(document)
    if not parts:
        return ""
    issue = get_meta(ISSUE)
    rows = [
        {
            "part": part,
            "issues": [
                (
                    d,
                    form_url(issue, d.name)
                    if permissions.has_permission(user, issue, "read", d)
                    else "",
                )
                for d in part.issues
            ],
        }
        for part in parts
    ]
    return render_to_string("stores/_repair_parts.html", {"rows": rows}, request=request)


def _stocktake_book(request: HttpRequest, document: Document | None) -> str:
    """On a 盘点单 being filled in, the book of every item, for the form to show a row's
    账面数量 as soon as its item is picked, and its 盈亏数量 and 盈亏金额 (and their total) as
    the count is typed (stores/stocktake.js)."""
    user: User = request.user  # type: ignore[assignment]
    if document is not None and document.docstatus != DocStatus.DRAFT:
        return ""
    school_id = document.school_id if document is not None else user.school_id
    if not school_id or not may_view_stock(user):
        return ""
    book = stock.stocktake_book(school_id)
    return render_to_string("stores/_stocktake_book.html", {"book": book}, request=request)


def _item_stock(request: HttpRequest, document: Document) -> str:
    bin_ = balances(document.school_id, [document.name]).get(document.name)
    context = {
        "qty": bin_.qty if bin_ else Decimal(0),
        "value": bin_.value if bin_ else Decimal(0),
        "uom": document.data.get("uom") or "",
        "url": reverse("stock:item", args=[document.name]),
    }
    return render_to_string("stores/_item_stock.html", context, request=request)


@login_required
@require_POST
def stocktake(request: HttpRequest) -> HttpResponse:
    """Start a 盘点单 of the items in stock (of the category the page shows)."""
    user: User = request.user  # type: ignore[assignment]
    school_id = check_view_stock(user)
    category = request.POST.get("category", "")
    try:
        doc = start_stocktake(
            school_id, actor=user, category=category if category in _categories() else ""
        )
    except DocumentStateError as exc:
        messages.error(request, str(exc))
        return redirect("stock:balance")
    messages.success(
        request, _("已生成盘点单 %(n)s，请按实盘数量修改不符的行后保存") % {"n": doc.name}
    )
    return redirect(form_url(get_meta(STOCKTAKE), doc.name))
