"""The list page's 导入 and 导出 buttons, each shown only to holders of the right behind it."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from school_logistics.core import permissions
from school_logistics.core.meta import Meta
from school_logistics.core.views.doctypes import doctype_slug
from school_logistics.core.views.list_query import ListQuery

register = template.Library()


@register.inclusion_tag("desk/_transfer_buttons.html", takes_context=True)
def transfer_buttons(context: dict[str, Any], meta: Meta, query: ListQuery) -> dict[str, Any]:
    """Render the import and export buttons; the export carries the list's current filters."""
    user = context["request"].user
    slug = doctype_slug(meta.name)
    return {
        "can_import": permissions.has_permission(user, meta, "create"),
        "can_export": permissions.has_permission(user, meta, "export"),
        "import_url": reverse("desk:import", args=[slug]),
        "export_url": reverse("desk:export", args=[slug]),
        "params": query.params(),
    }
