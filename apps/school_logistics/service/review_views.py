"""后勤人员考核 at /app/staff-review/: the principal's and 总务处主任's monthly view of each
logistics staff member's measurable work, and the same as an Excel sheet for the file."""

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
from school_logistics.core.values import months_back
from school_logistics.core.views.transfer import xlsx_response
from school_logistics.repairs.stats import PROMPT_HOURS
from school_logistics.service import staff_review
from school_logistics.service.review_sheet import review_workbook

MONTHS_SHOWN = 12


def review_link(user: User) -> list[extensions.DeskLink]:
    staff = staff_review.staff_query(user)
    if staff is None or not staff.exists():
        return []
    url = reverse("staff_review:page")
    return [extensions.DeskLink("service", _("后勤考核"), url, "fa-clipboard-check")]


def _month_and_staff(request: HttpRequest) -> tuple[User, list[str], str, list[User]]:
    user: User = request.user  # type: ignore[assignment]
    staff = staff_review.staff_of(user)
    if staff is None:
        raise PermissionDenied(_("没有查看后勤考核的权限"))
    months = months_back(timezone.localtime().strftime("%Y-%m"), MONTHS_SHOWN)
    month = request.GET.get("month", "")
    return user, months, month if month in months else months[0], staff


@login_required
@require_GET
def page(request: HttpRequest) -> HttpResponse:
    user, months, month, staff = _month_and_staff(request)
    assert user.school_id is not None  # staff_of reviews no one without a school
    context = {
        "months": months,
        "month": month,
        "rows": staff_review.reviews(user.school_id, staff, month, timezone.now()),
        "prompt_hours": PROMPT_HOURS,
        "export_url": f"{reverse('staff_review:export')}?month={month}",
        "stats_url": f"{reverse('repair_stats:page')}?month={month}",
    }
    return render(request, "service/staff_review.html", context)


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    user, _months, month, staff = _month_and_staff(request)
    assert user.school_id is not None and user.school is not None
    now = timezone.now()
    rows = staff_review.reviews(user.school_id, staff, month, now)
    content = review_workbook(rows, school=user.school.name, month=month, taken_at=now)
    return xlsx_response(content, _("后勤考核-%(month)s.xlsx") % {"month": month})
