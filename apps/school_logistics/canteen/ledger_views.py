"""伙食费台账: the meal fees charged, paid and refunded each month, by class and by student;
食堂收支: the canteen's own account month by month, and its public notice (校务公开); a
student's 结算清单 on their page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST

from school_logistics.canteen import publishing
from school_logistics.core import extensions, permissions
from school_logistics.core.meta import Meta
from school_logistics.core.models import Document, School, User
from school_logistics.core.registry import get_meta
from school_logistics.core.values import parse_month
from school_logistics.ledger.canteen import MonthAccount
from school_logistics.ledger.meal_fees import MonthFees, month_lines, student_statement
from school_logistics.ledger.models import MealFeeEntry

REFUND = "Meal Fee Refund"
COLLECTION = "Meal Fee Collection"
# The canteen's cost headings (食堂成本核算), in the order its accounts list them.
CATEGORIES = (
    gettext_noop("食材"),
    gettext_noop("水电燃气"),
    gettext_noop("人员工资"),
    gettext_noop("低值易耗品"),
    gettext_noop("维修"),
    gettext_noop("培训"),
    gettext_noop("其他"),
)


def may_view_meal_fees(user: User) -> bool:
    """Whoever reads every 伙食费退费单 (食堂, finance, the principal) reads the books."""
    return bool(user.school_id) and permissions.scope(user, get_meta(REFUND), "read") == "all"


def meal_fee_link(user: User) -> list[extensions.DeskLink]:
    if not may_view_meal_fees(user):
        return []
    return [
        extensions.DeskLink("canteen", _("伙食费台账"), reverse("meal_fees:report"), "fa-receipt"),
        extensions.DeskLink(
            "canteen", _("食堂收支"), reverse("meal_fees:accounts"), "fa-scale-balanced"
        ),
    ]


def readers_school(request: HttpRequest) -> int:
    user: User = request.user  # type: ignore[assignment]
    if user.school_id is None or not may_view_meal_fees(user):
        raise PermissionDenied(_("没有查看伙食费台账的权限"))
    return user.school_id


def _asked_month(request: HttpRequest) -> str:
    """The month of `?month=` (YYYY-MM), or "" if none; a malformed one is ignored and said so,
    as list filters do."""
    asked = (request.GET.get("month") or "").strip()
    if asked and parse_month(asked) is None:
        messages.warning(
            request,
            _("月份“%(value)s”格式不正确（应为 YYYY-MM），已忽略该条件") % {"value": asked[:20]},
        )
        return ""
    return asked


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """One month's fees charged, paid and refunded: by class, or one class's students."""
    school_id = readers_school(request)
    entries = MealFeeEntry.objects.filter(school_id=school_id)
    months = list(entries.order_by("-month").values_list("month", flat=True).distinct())
    month = _asked_month(request) or (months[0] if months else "")
    class_name = request.GET.get("class_name", "")
    lines, total = month_lines(school_id, month, class_name) if month else ([], None)
    context = {
        "months": months,
        "month": month,
        "class_name": class_name,
        "lines": lines,
        "total": total,
        "student_list": reverse("desk:list", args=["student"]),
    }
    return render(request, "canteen/meal_fees.html", context)


def _statement(accounts: list[MonthAccount], month: str) -> dict[str, Any]:
    """The month asked for (else the latest) of the canteen's accounts, and the list of all."""
    chosen = next((a for a in accounts if a.month == month), accounts[0] if accounts else None)
    return {
        "accounts": accounts,
        "account": chosen,
        "cost_lines": chosen.cost_lines(CATEGORIES) if chosen else [],
        "this_month": timezone.localdate().strftime("%Y-%m"),
    }


def may_publish(user: User) -> bool:
    """Finance, who collects the fees and passes the canteen's costs, makes its books public."""
    return permissions.has_permission(user, get_meta(COLLECTION), "create")


@login_required
@require_GET
def accounts(request: HttpRequest) -> HttpResponse:
    """食堂收支: each month's meal fees against the canteen's costs (独立核算), and which
    months are public."""
    user: User = request.user  # type: ignore[assignment]
    school_id = readers_school(request)
    notices = publishing.published_months(school_id)
    context = _statement(publishing.school_accounts(school_id, notices), _asked_month(request))
    school = School.objects.only("code").get(pk=school_id)
    context["public_url"] = reverse("public-canteen-accounts", args=[school.code])
    account = context["account"]
    context["notice"] = notices.get(account.month) if account else None
    context["published_months"] = set(notices)
    context["can_publish"] = may_publish(user)
    return render(request, "canteen/accounts.html", context)


@login_required
@require_POST
def publish(request: HttpRequest) -> HttpResponse:
    """公示 a closed month of the canteen's account, or withdraw it (撤回) to correct it."""
    user: User = request.user  # type: ignore[assignment]
    school_id = readers_school(request)
    if not may_publish(user):
        raise PermissionDenied(_("只有财务可以公示食堂收支"))
    month = request.POST.get("month", "")
    back = f"{reverse('meal_fees:accounts')}?month={month}"
    if parse_month(month) is None:
        messages.error(request, _("请选择要公示的月份"))
        return redirect(reverse("meal_fees:accounts"))
    try:
        if request.POST.get("withdraw"):
            publishing.withdraw_month(school_id, month, actor=user)
            messages.success(request, _("已撤回 %(m)s 的收支公示") % {"m": month})
        else:
            publishing.publish_month(school_id, month, actor=user)
            messages.success(request, _("已公示 %(m)s 的食堂收支") % {"m": month})
    except publishing.PublishRefused as exc:
        messages.error(request, str(exc))
    return redirect(back)


@require_GET
def public_accounts(request: HttpRequest, code: str) -> HttpResponse:
    """食堂收支公示, open without an account (校务公开): the months finance made public, with
    the figures they were published with; a later correction shows in the month it was booked."""
    school = School.objects.filter(code=code).first()
    if school is None:
        raise Http404(_("没有这所学校"))
    notices = publishing.published_months(school.pk)
    shown = [a for a in publishing.school_accounts(school.pk, notices) if a.month in notices]
    context = {"school": school, **_statement(shown, request.GET.get("month", ""))}
    return render(request, "canteen/public_accounts.html", context)


def statement_panel(request: HttpRequest, meta: Meta, document: Document | None) -> str:
    """On a student's page, the meal fees refunded to them month by month (结算清单)."""
    user: User = request.user  # type: ignore[assignment]
    if meta.name != "Student" or document is None or not may_view_meal_fees(user):
        return ""
    months = student_statement(document.school_id, document.name)
    context = {
        "months": months,
        "total": MonthFees.total(months),
    }
    return render_to_string("canteen/_statement.html", context, request=request)
