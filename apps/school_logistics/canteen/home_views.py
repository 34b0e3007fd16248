"""On finance's home page: this month's meal fees class by class — collected, drafted, or still
to collect (one press files the class's 收缴单 from its roll) — and what is owed."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from school_logistics.canteen.classes import MEALS_PER_DAY
from school_logistics.canteen.fees import COLLECTION
from school_logistics.core import permissions
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.registry import get_meta
from school_logistics.core.views.doctypes import form_url
from school_logistics.ledger.meal_fees import month_lines


def collection_panel(request: HttpRequest) -> str:
    user: User = request.user  # type: ignore[assignment]
    meta = get_meta(COLLECTION)
    if not user.school_id or not permissions.has_permission(user, meta, "create"):
        return ""
    today = timezone.localdate()
    month = today.strftime("%Y-%m")
    # The classes with a pupil on a meal plan, found by the database: this runs on every visit
    # to finance's home page, so the pupils' records are not read one by one.
    classes = sorted(
        Document.objects.filter(
            doctype="Student",
            school_id=user.school_id,
            data__meal_plan__in=list(MEALS_PER_DAY),
        )
        .order_by()
        .values_list("data__class_name", flat=True)
        .distinct()
    )
    if not classes:
        return ""
    filed = {
        data["class_name"]: (name, docstatus)
        for name, data, docstatus in Document.objects.filter(
            doctype=COLLECTION,
            school_id=user.school_id,
            docstatus__in=[DocStatus.DRAFT, DocStatus.SUBMITTED],
            data__month=month,
        ).values_list("name", "data", "docstatus")
    }
    rows = []
    for c in classes:
        name, status = filed.get(c, ("", None))
        rows.append((c, name, status, form_url(meta, name) if name else ""))
    done = sum(1 for _c, _n, status, _u in rows if status == DocStatus.SUBMITTED)
    if done == len(rows):
        return ""
    context = {
        "month": month,
        "today": today,
        "rows": rows,
        "done": done,
        # Each student's arrears: one's overpayment does not hide another's.
        "owed": month_lines(user.school_id, month)[1].arrears,
        "new_url": reverse("desk:new", args=["meal-fee-collection"]),
        "submitted": DocStatus.SUBMITTED,
    }
    return render_to_string("canteen/_collection_panel.html", context, request=request)
