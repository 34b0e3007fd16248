"""区县教育局 (the district bureau): one page over the schools a bureau user looks after."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from school_logistics.core import extensions
from school_logistics.core.models import User
from school_logistics.district import overview
from school_logistics.district.access import BUREAU, schools_of
from school_logistics.district.models import FilingStatus, TenderFiling


def district_link(user: User) -> list[extensions.DeskLink]:
    if BUREAU not in user.role_codes():
        return []
    return [
        extensions.DeskLink("district", _("学校后勤概览"), reverse("district:overview"), "fa-city"),
        extensions.DeskLink(
            "district", _("招标备案"), reverse("district:filings"), "fa-building-columns"
        ),
    ]


@login_required
@require_GET
def overview_page(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    schools = schools_of(user)
    if not schools:
        raise PermissionDenied(_("没有查看学校后勤概览的权限"))
    today = timezone.localdate()
    context = {
        "rows": overview.summaries(schools, today),
        "month": today.strftime("%Y-%m"),
        "last_month": overview.closed_month(today),
        "year": today.year,
        "watch": int(overview.SURPLUS_WATCH * 100),
        "filings_waiting": TenderFiling.objects.filter(
            school__in=schools, status=FilingStatus.FILED
        ).count(),
    }
    return render(request, "district/overview.html", context)
