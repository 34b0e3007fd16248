"""征订汇总: a term's 校服 and 作业本 orders by item, class by class and size by size, for 总务处
to place with the designated supplier and to see which classes have issued in full."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from school_logistics.core import extensions, permissions
from school_logistics.core.models import User
from school_logistics.core.registry import get_meta
from school_logistics.purchasing import student_supplies


def may_view_orders(user: User) -> bool:
    meta = get_meta(student_supplies.ORDER)
    return bool(user.school_id) and permissions.scope(user, meta, "read") == "all"


def supplies_link(user: User) -> list[extensions.DeskLink]:
    if not may_view_orders(user):
        return []
    url = reverse("student_supplies:summary")
    return [extensions.DeskLink("purchasing", _("征订汇总"), url, "fa-shirt")]


@login_required
@require_GET
def summary(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.school_id is None or not may_view_orders(user):
        raise PermissionDenied(_("没有查看征订汇总的权限"))
    terms = student_supplies.terms(user.school_id)
    term = request.GET.get("term", "")
    term = term if term in terms else (terms[0] if terms else "")
    context = {
        "terms": terms,
        "term": term,
        "items": student_supplies.summary(user.school_id, term) if term else [],
        "orders_url": reverse("desk:list", args=["student-supply-order"]),
    }
    return render(request, "purchasing/supplies_summary.html", context)
