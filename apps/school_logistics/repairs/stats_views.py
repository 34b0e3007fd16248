"""维修统计, for whoever reads every repair ticket (总务处, the principal): a month's work by
worker and by kind of fault, and the maintenance advice of the last three months."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from school_logistics.core import extensions, permissions
from school_logistics.core.models import User
from school_logistics.core.registry import get_meta
from school_logistics.core.values import month_window, months_back
from school_logistics.repairs import stats

MONTHS_SHOWN = 12


def may_view_repair_stats(user: User) -> bool:
    return bool(user.school_id) and permissions.scope(user, get_meta(stats.TICKET), "read") == "all"


def stats_link(user: User) -> list[extensions.DeskLink]:
    if not may_view_repair_stats(user):
        return []
    url = reverse("repair_stats:page")
    return [extensions.DeskLink("repairs", _("维修统计"), url, "fa-chart-column")]


@login_required
@require_GET
def page(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.school_id is None or not may_view_repair_stats(user):
        raise PermissionDenied(_("没有查看维修统计的权限"))
    now = timezone.localtime()
    months = months_back(now.strftime("%Y-%m"), MONTHS_SHOWN)
    month = request.GET.get("month", "")
    month = month if month in months else months[0]
    start, end = month_window(month)
    found = stats.tickets(user.school_id, start, end)
    done = [t for t in found if t.completed is not None]
    context = {
        "months": months,
        "month": month,
        "reported": len(found),
        "done": len(done),
        "prompt": sum(1 for t in done if (t.hours or 0) <= stats.PROMPT_HOURS),
        "reopened": sum(t.reopened for t in found),
        "cost": sum((t.cost for t in done), Decimal(0)),
        "workers": stats.worker_loads(user.school_id, found),
        "categories": stats.categories(found),
        "advice": stats.advice(user.school_id, min(end, now)),
        "prompt_hours": stats.PROMPT_HOURS,
        "look_back": stats.LOOK_BACK_DAYS,
        "tickets_url": reverse("desk:list", args=["repair-ticket"]),
    }
    return render(request, "repairs/stats.html", context)
