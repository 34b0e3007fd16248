"""On a new per-class form (缺餐退费, 资助, 征订) of a teacher who files only for their own class
and is the 班主任 of none: say so before they type, and who registers class teachers."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from school_logistics.canteen.classes import FILED_BY_CLASS_TEACHERS, classes_taught
from school_logistics.core import permissions
from school_logistics.core.meta import Meta
from school_logistics.core.models import Document, User
from school_logistics.core.registry import get_meta

# Who registers a class's 班主任: those who may edit the school's classes.
CLASS_KEEPER_ROLE = "canteen_manager"


def not_a_class_teacher_panel(request: HttpRequest, meta: Meta, document: Document | None) -> str:
    """A new refund, aid or order of a teacher no class names as its 班主任: whatever they
    type, it is refused on save. Tell them now, and whom to ask."""
    user: User = request.user  # type: ignore[assignment]
    if document is not None or meta.name not in FILED_BY_CLASS_TEACHERS or not user.school_id:
        return ""
    if permissions.scope(user, meta, "create") != "own":
        return ""  # the office files for any class
    if classes_taught(user.school_id, user.username):
        return ""
    keepers = list(
        User.objects.filter(school_id=user.school_id, roles__code=CLASS_KEEPER_ROLE, is_active=True)
        .order_by("username")
        .distinct()
        .values_list("full_name", "username")[:5]
    )
    context = {
        "doctype": meta.label,
        "keepers": "、".join(name or username for name, username in keepers),
        "class_label": get_meta("School Class").label,
    }
    return render_to_string("canteen/_not_a_class_teacher.html", context, request=request)
