"""The safety side of home pages: hazards still to fix, overdue first, for those who follow
them (总务处, the principal)."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from school_logistics.core import permissions
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.registry import get_meta
from school_logistics.core.views.doctypes import list_url
from school_logistics.core.views.due import due_list

RECTIFICATION = "Hazard Rectification"
SHOWN = 5


def hazards_panel(request: HttpRequest) -> str:
    """隐患整改 not yet passed its re-check, overdue first, for 总务处 and the principal."""
    user: User = request.user  # type: ignore[assignment]
    meta = get_meta(RECTIFICATION)
    if not user.school_id or not permissions.has_permission(user, meta, "export"):
        return ""
    open_ = Document.objects.filter(
        doctype=RECTIFICATION, school_id=user.school_id, docstatus=DocStatus.DRAFT
    ).only("name", "title", "data", "workflow_state")
    due = due_list(open_, meta, "deadline", SHOWN)
    if not due.count:
        return ""
    context = {"due": due, "list_url": list_url(meta)}
    return render_to_string("safety/_hazards.html", context, request=request)
