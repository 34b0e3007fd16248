"""The desk home: who I am, what I can open, and what I worked on lately."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core import extensions, permissions
from school_logistics.core.meta import Meta
from school_logistics.core.models import Document, Role, User
from school_logistics.core.registry import get_meta
from school_logistics.core.views.doctypes import DeskNav, form_url
from school_logistics.core.views.formatting import doc_status

RECENT = 10


@dataclass
class RecentDoc:
    doc: Document
    meta: Meta
    url: str
    status: tuple[str, str]


def greeting(hour: int) -> str:
    if hour < 5:
        return _("夜深了")
    if hour < 11:
        return _("早上好")
    if hour < 13:
        return _("中午好")
    if hour < 18:
        return _("下午好")
    return _("晚上好")


def _recent(user: User, readable: set[str]) -> list[RecentDoc]:
    """Return the documents the user created or changed last, among those they may still read."""
    docs = extensions.with_approval_state(
        Document.objects.filter(Q(owner=user) | Q(modified_by=user), doctype__in=readable)
        .filter(school_id__in=user.school_ids())
        .order_by("-modified")
    )[: RECENT * 2]
    out = []
    for doc in docs:
        meta = get_meta(doc.doctype)
        if permissions.has_permission(user, meta, "read", doc):
            out.append(RecentDoc(doc, meta, form_url(meta, doc.name), doc_status(doc, meta)))
    return out[:RECENT]


def _role_labels(user: User) -> list[str]:
    roles = Role.objects.filter(code__in=user.role_codes()).order_by("code")
    return [r.display_label for r in roles]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    nav = DeskNav(user)
    groups = nav.groups
    readable = {e.meta.name for g in groups for e in g.entries if e.can_read}
    context = {
        "greeting": greeting(timezone.localtime().hour),
        "groups": groups,
        "desk_nav": nav,  # the sidebar shows the same groups: worked out once
        "roles": _role_labels(user),
        "department": user.department.name if user.department_id else "",  # type: ignore[union-attr]
        "recent": _recent(user, readable),
        "panels": [html for panel in extensions.home_panels if (html := panel(request))],
    }
    return render(request, "desk/home.html", context)
