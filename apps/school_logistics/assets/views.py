"""校产台账: every asset on the books where it is now and who keeps it, one asset's history,
and the asset side of an asset's, a room's and a keeper's pages."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.assets import register, services
from school_logistics.assets.custody_views import may_start_check
from school_logistics.assets.permissions import (
    ASSET,
    check_view_assets,
    keeps_assets,
    manages_assets,
    may_view_assets,
)
from school_logistics.assets.register_sheet import register_workbook
from school_logistics.core import extensions, permissions
from school_logistics.core.meta import Meta
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.registry import get_meta
from school_logistics.core.views.doctypes import form_url, list_url
from school_logistics.core.views.htmx import render_page
from school_logistics.core.views.transfer import xlsx_response
from school_logistics.ledger.assets import holdings

CHECK = services.CHECK
HISTORY = 200
PAGE_SIZE = 100


def register_link(user: User) -> list[extensions.DeskLink]:
    if not may_view_assets(user) and not keeps_assets(user):
        return []
    url = reverse("asset_register:list")
    return [extensions.DeskLink("assets", _("校产台账"), url, "fa-clipboard-list")]


def _categories() -> list[str]:
    field = get_meta(ASSET).get_field("category")
    return field.select_options if field else []


def _filters(request: HttpRequest, user: User, sees_all: bool) -> register.Filters:
    """The filters asked for; one who reads only what they keep is held to it."""
    category = request.GET.get("category", "")
    mine = not sees_all or request.GET.get("mine") == "1"
    return register.Filters(
        q=request.GET.get("q", "").strip()[:100],
        category=category if category in _categories() else "",
        location=request.GET.get("location", "")[:140],
        custodian=user.username if mine else "",
    )


def _query(filters: register.Filters, sees_all: bool) -> str:
    kept = {
        "q": filters.q,
        "category": filters.category,
        "location": filters.location,
        "mine": "1" if filters.custodian and sees_all else "",
    }
    return urlencode({k: v for k, v in kept.items() if v})


@login_required
def register_page(request: HttpRequest) -> HttpResponse:
    """The assets on the books, filtered by room, category, words and 我保管的."""
    user: User = request.user  # type: ignore[assignment]
    school_id, sees_all = check_view_assets(user)
    filters = _filters(request, user, sees_all)
    bins = register.matching(school_id, filters)
    held = register.totals(bins)
    paginator = Paginator(bins, PAGE_SIZE)
    paginator.count = held.count  # counted with the total value: no second COUNT
    page = paginator.get_page(request.GET.get("page"))
    query = _query(filters, sees_all)
    context = {
        "rows": register.asset_rows(school_id, page.object_list),
        "held": held,
        "page": page,
        "page_query": query,
        "export_query": query,
        "filters": filters,
        "sees_all": sees_all,
        "mine": bool(filters.custodian),
        "categories": _categories(),
        "locations": register.locations(school_id, custodian="" if sees_all else user.username),
        "can_register": permissions.has_permission(user, get_meta(ASSET), "create"),
        # Only the lists and the sheet this user may open (a teacher reads the register only).
        "may_read": {
            slug: permissions.has_permission(user, get_meta(doctype), "read")
            for slug, doctype in (
                ("movement", "Asset Movement"),
                ("disposal", "Asset Disposal"),
                ("loan", "Asset Loan"),
            )
        },
        "can_export": bool(filters.custodian)
        or permissions.has_permission(user, get_meta(ASSET), "export"),
        "can_check": bool(filters.location) and may_start_check(user, filters.location),
    }
    return render_page(
        request, "assets/register.html", context, partial="assets/_register_rows.html"
    )


@login_required
def export(request: HttpRequest) -> HttpResponse:
    """校产登记表 as filtered on the page: a room's sheet is what its keeper signs (期末核对)."""
    user: User = request.user  # type: ignore[assignment]
    school_id, sees_all = check_view_assets(user)
    filters = _filters(request, user, sees_all)
    if not filters.custodian:  # a keeper's own sheet is theirs to sign; the rest is exported
        permissions.check_permission(user, get_meta(ASSET), "export")
    rows = register.asset_rows(school_id, register.matching(school_id, filters))
    now = timezone.localtime()
    room = register.location_names(school_id, {filters.location}).get(filters.location, "")
    content = register_workbook(
        rows, school=user.school.name if user.school else "", room=room, taken_at=now
    )
    name = _("校产登记表-%(stamp)s.xlsx") % {"stamp": now.strftime("%Y%m%d-%H%M")}
    return xlsx_response(content, name)


@login_required
def asset_history(request: HttpRequest, asset: str) -> HttpResponse:
    """One asset: where it is, who keeps it, and every posting of it, newest first."""
    user: User = request.user  # type: ignore[assignment]
    school_id, sees_all = check_view_assets(user)
    card = Document.objects.filter(
        doctype=ASSET, school_id=school_id, name=asset, docstatus__gt=DocStatus.DRAFT
    ).first()
    b = holdings(school_id, [asset]).get(asset)
    if card is None or (not sees_all and (b is None or b.custodian != user.username)):
        raise Http404(_("没有这个校产"))
    entries = register.history(school_id, asset, HISTORY)
    bases = {name: list_url(get_meta(name)) for name in {e.voucher.doctype for e in entries}}
    places = register.location_names(school_id, {e.location for e in entries})
    keepers = register.user_names(school_id, {e.custodian for e in entries})
    rows = [
        {
            "entry": e,
            # A keeper sees the history; the documents are for those who may read them.
            "url": bases[e.voucher.doctype] + quote(e.voucher.name) if sees_all else "",
            "label": get_meta(e.voucher.doctype).label,
            "place": places.get(e.location, e.location),
            "keeper": keepers.get(e.custodian, e.custodian),
        }
        for e in entries
    ]
    repair = get_meta(services.REPAIR)
    repair_base = list_url(repair) if permissions.has_permission(user, repair, "read") else ""
    tickets = Document.objects.filter(
        doctype=services.REPAIR, school_id=school_id, data__asset=asset
    ).only("name", "title", "docstatus", "workflow_state", "grand_total", "created")
    context = {
        "card": card,
        "card_url": form_url(get_meta(ASSET), asset) if sees_all else "",
        # 根据维修情况，提出校产维护意见: how often it broke, and what mending it cost.
        "repairs": [
            (t, repair_base + quote(t.name) if repair_base else "")
            for t in tickets.order_by("-created")[:HISTORY]
        ],
        "bin": b,
        "place": register.location_names(school_id, {b.location}).get(b.location) if b else "",
        "keeper": register.user_names(school_id, {b.custodian}).get(b.custodian) if b else "",
        "rows": rows,
        "limited": len(entries) == HISTORY,
    }
    return render(request, "assets/asset_history.html", context)


def asset_panel(request: HttpRequest, meta: Meta, document: Document | None) -> str:
    """Where a submitted asset is now (its card keeps where it was registered), and what a
    room holds, for those who read the books."""
    user: User = request.user  # type: ignore[assignment]
    if document is None or meta.name not in (ASSET, "Location") or not may_view_assets(user):
        return ""
    base = reverse("asset_register:list")
    if meta.name == "Location":
        held = register.held_at(document.school_id, location=document.name)
        context = {
            "held": held,
            "location": document.name,
            "can_check": bool(held.count) and may_start_check(user, document.name),
            # A new custodian took the room: what the former one still keeps is handed over.
            "others": len(services.kept_by_others(document.school_id, document))
            if manages_assets(user)
            else 0,
            "url": base + "?" + urlencode({"location": document.name}),
            "export": reverse("asset_register:export")
            + "?"
            + urlencode({"location": document.name}),
        }
        return render_to_string("assets/_location_assets.html", context, request=request)
    if document.docstatus == DocStatus.DRAFT:
        return ""
    b = holdings(document.school_id, [document.name]).get(document.name)
    context = {
        "bin": b,
        "place": register.location_names(document.school_id, {b.location}).get(b.location)
        if b
        else "",
        "keeper": register.user_names(document.school_id, {b.custodian}).get(b.custodian)
        if b
        else "",
        "uom": document.data.get("uom") or "",
        "url": base + quote(document.name),
    }
    return render_to_string("assets/_asset_place.html", context, request=request)


def kept_panel(request: HttpRequest) -> str:
    """On a keeper's home page: what they answer for (保管责任到人)."""
    user: User = request.user  # type: ignore[assignment]
    if not user.school_id:
        return ""
    held = register.held_at(user.school_id, custodian=user.username)
    if not held.count:
        return ""
    context = {"held": held, "url": reverse("asset_register:list") + "?mine=1"}
    return render_to_string("assets/_kept.html", context, request=request)
