"""伙食费台账: the meal fees refunded each month, by class and by student (校务公开), and a
student's 结算清单 on their page."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from school_logistics.core import extensions, permissions
from school_logistics.core.meta import Meta
from school_logistics.core.models import Document, User
from school_logistics.core.registry import get_meta
from school_logistics.ledger.meal_fees import student_statement
from school_logistics.ledger.models import MealFeeEntry

REFUND = "Meal Fee Refund"


def may_view_meal_fees(user: User) -> bool:
    """Whoever reads every 伙食费退费单 (食堂, finance, the principal) reads the books."""
    return bool(user.school_id) and permissions.scope(user, get_meta(REFUND), "read") == "all"


def meal_fee_link(user: User) -> list[extensions.DeskLink]:
    if not may_view_meal_fees(user):
        return []
    return [
        extensions.DeskLink("canteen", _("伙食费台账"), reverse("meal_fees:report"), "fa-receipt")
    ]


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """One month's refunds: by class, or one class's students."""
    user: User = request.user  # type: ignore[assignment]
    school_id = user.school_id
    if school_id is None or not may_view_meal_fees(user):
        raise PermissionDenied(_("没有查看伙食费台账的权限"))
    entries = MealFeeEntry.objects.filter(school_id=school_id)
    months = sorted(set(entries.values_list("month", flat=True)), reverse=True)
    month = request.GET.get("month") or (months[0] if months else "")
    class_name = request.GET.get("class_name", "")
    of_month = entries.filter(month=month)
    totals = of_month.aggregate(meals=Sum("missed_meals"), refund=Sum("refund"))
    if class_name:
        rows = list(
            of_month.filter(class_name=class_name)
            .values("student", "student_name")
            .annotate(meals=Sum("missed_meals"), refund=Sum("refund"))
            .exclude(refund=0)
            .order_by("student")
        )
    else:
        rows = list(
            of_month.values("class_name")
            .annotate(
                students=Count("student", distinct=True, filter=Q(reverses=None, reversal=None)),
                meals=Sum("missed_meals"),
                refund=Sum("refund"),
            )
            .exclude(refund=0)
            .order_by("class_name")
        )
    context = {
        "months": months,
        "month": month,
        "class_name": class_name,
        "rows": rows,
        "meals": totals["meals"] or 0,
        "refund": totals["refund"] or Decimal(0),
        "student_list": reverse("desk:list", args=["student"]),
    }
    return render(request, "canteen/meal_fees.html", context)


def statement_panel(request: HttpRequest, meta: Meta, document: Document | None) -> str:
    """On a student's page, the meal fees refunded to them month by month (结算清单)."""
    user: User = request.user  # type: ignore[assignment]
    if meta.name != "Student" or document is None or not may_view_meal_fees(user):
        return ""
    months = student_statement(document.school_id, document.name)
    context = {
        "months": months,
        "meals": sum(m.missed_meals for m in months),
        "refund": sum((m.refund for m in months), Decimal(0)),
    }
    return render_to_string("canteen/_statement.html", context, request=request)
