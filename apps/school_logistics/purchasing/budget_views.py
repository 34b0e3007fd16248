"""预算执行: each department's budget lines, allotted, committed, reimbursed and left; and the
line a requisition or a reimbursement draws on, shown on its page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core import extensions, permissions
from school_logistics.core.meta import Meta
from school_logistics.core.models import Department, Document, User
from school_logistics.core.registry import get_meta
from school_logistics.ledger import budget as budget_ledger
from school_logistics.ledger.models import BudgetBin, BudgetEntry

BUDGET = "Budget"


def may_view_budgets(user: User) -> bool:
    """Whoever may read 经费预算 (finance, the principal, 总务处) reads how it is spent."""
    return bool(user.school_id) and permissions.has_permission(user, get_meta(BUDGET), "read")


def budget_link(user: User) -> list[extensions.DeskLink]:
    if not may_view_budgets(user):
        return []
    return [
        extensions.DeskLink("purchasing", _("预算执行"), reverse("budget:report"), "fa-chart-pie")
    ]


@login_required
def report(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    school_id = user.school_id
    if school_id is None:
        raise PermissionDenied(_("没有查看预算执行的权限"))
    # Budget readers see every department; a department's head, the lines they answer for.
    headed = (
        None
        if may_view_budgets(user)
        else list(Department.objects.filter(school_id=school_id, head=user).order_by("name"))
    )
    if headed == []:
        raise PermissionDenied(_("没有查看预算执行的权限"))
    years = sorted(
        set(BudgetBin.objects.filter(school_id=school_id).values_list("fiscal_year", flat=True))
        | {timezone.localdate().year},
        reverse=True,
    )
    # A year nobody keeps budgets for shows the newest instead, as the year picker does.
    asked = request.GET.get("year", "")
    year = int(asked) if asked.isdigit() and int(asked) in years else years[0]
    departments = (
        headed
        if headed is not None
        else list(Department.objects.filter(school_id=school_id).order_by("name"))
    )
    department = request.GET.get("department", "")
    lines = BudgetBin.objects.filter(school_id=school_id, fiscal_year=year).select_related(
        "department"
    )
    if headed is not None:
        lines = lines.filter(department__in=headed)
    if department:
        lines = lines.filter(department__name=department)
    rows = list(lines.order_by("department__name", "budget_line"))
    totals = lines.aggregate(
        allotted=Sum("allotted"), committed=Sum("committed"), spent=Sum("spent")
    )
    allotted = totals["allotted"] or Decimal(0)
    spent = totals["spent"] or Decimal(0)
    used = (totals["committed"] or Decimal(0)) + spent
    context = {
        "rows": [(r, _share(r.used, r.allotted)) for r in rows],
        "years": years,
        "year": year,
        "departments": departments,
        "department": department,
        "allotted": allotted,
        "used": used,
        "spent": spent,
        "available": allotted - used,
        "share": _share(used, allotted),
        "can_allot": permissions.has_permission(user, get_meta(BUDGET), "create"),
    }
    return render(request, "purchasing/budget_report.html", context)


def _share(part: Decimal, whole: Decimal) -> int:
    """Return the share used, in whole percent (0 when nothing is allotted)."""
    return int(part * 100 / whole) if whole else 0


# The documents that draw on a budget line: a department, a 预算科目 and a total.
DRAWS_ON_BUDGET = ("Material Requisition", "Expense Claim")


def budget_line_choices(
    meta: Meta, document: Document | None, user: User, values: dict[str, Any]
) -> dict[str, list[str]]:
    """The 预算科目 a requisition or a reimbursement may name: its department's lines for the
    year, where the school keeps budgets (the same rule as `budget.check_budget_line`)."""
    school = user.school if document is None else document.school
    if meta.name not in DRAWS_ON_BUDGET or school is None or not school.has_budgets:
        return {}
    posted = values.get("posting_date")
    year = posted.year if isinstance(posted, date) else timezone.localdate().year
    names = [
        line.budget_line
        for line in budget_ledger.lines_of(school.pk, values.get("department") or "", year)
    ]
    return {"budget_line": names} if names else {}


def requisition_budget_panel(request: HttpRequest, meta: Meta, document: Document | None) -> str:
    """On a requisition or a reimbursement, its department's budget lines for the year:
    allotted, used, left, the one it draws on and whether its total still fits (before it is
    approved). On a new one, the user's department's lines, offered as the 预算科目 to type."""
    if meta.name not in DRAWS_ON_BUDGET:
        return ""
    user: User = request.user  # type: ignore[assignment]
    if document is None:
        department = user.department if user.department_id else None
        year = timezone.localdate().year
        school = user.school
    else:
        department = document.department if document.department_id else None
        year = document.posting_date.year if document.posting_date else 0
        # The user's school is read for every desk page (its name heads it): no query of its own.
        school = user.school if user.school_id == document.school_id else document.school
    if (
        school is None
        or not school.has_budgets
        or department is None
        or not year
        or (document is not None and document.docstatus == 2)
    ):
        return ""
    lines = list(
        BudgetBin.objects.filter(
            school_id=school.pk, department=department, fiscal_year=year, allotted__gt=0
        ).order_by("budget_line")
    )
    if not lines:
        return ""
    chosen = document.data.get("budget_line") if document else None
    total = (document.grand_total if document else None) or Decimal(0)
    draft = document is None or document.docstatus == 0
    needed = total
    if draft and document is not None and document.data.get("requisition"):
        # A reimbursement spends in place of what its requisition committed.
        needed -= BudgetEntry.objects.filter(
            voucher__school_id=school.pk,
            voucher__doctype="Material Requisition",
            voucher__name=document.data["requisition"],
        ).aggregate(n=Sum("committed_change"))["n"] or Decimal(0)
    context = {
        "lines": [(line, _share(line.used, line.allotted)) for line in lines],
        "chosen": chosen,
        "year": year,
        "department": department.name,
        "total": total,
        "draft": draft,
        "doc": document,
        "report": reverse("budget:report")
        if department.head_id == user.pk or may_view_budgets(user)
        else "",
        # Once approved, the total is part of what is used; before, it must fit what is left.
        "short": draft
        and any(line.budget_line == chosen and needed > line.available for line in lines),
    }
    return render_to_string("purchasing/_budget_panel.html", context, request=request)
