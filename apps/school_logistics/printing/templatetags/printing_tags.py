"""Links to a document's voucher from desk pages, and the list page's print tools."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone

from school_logistics.core import permissions
from school_logistics.core.meta import Meta
from school_logistics.core.views.doctypes import doctype_slug
from school_logistics.core.views.list_query import ListQuery

register = template.Library()


@register.simple_tag
def print_url(doctype: str, name: str) -> str:
    """Return the address of a document's browser print view."""
    return reverse("printing:html", args=[doctype_slug(doctype), name])


@register.simple_tag
def pdf_url(doctype: str, name: str) -> str:
    """Return the address of a document's voucher as a PDF (what a phone opens or shares)."""
    return reverse("printing:pdf", args=[doctype_slug(doctype), name])


@register.simple_tag(takes_context=True)
def can_print_list(context: dict[str, Any], meta: Meta) -> bool:
    """Return whether the list's user holds the `print` right (rows then get checkboxes)."""
    request = context.get("request")
    return request is not None and permissions.has_permission(request.user, meta, "print")


@register.inclusion_tag("printing/_list_print_tools.html", takes_context=True)
def print_list_tools(context: dict[str, Any], meta: Meta, query: ListQuery) -> dict[str, Any]:
    """Render 批量打印 (and 打印本月全部 for monthly DocTypes) for holders of the `print` right."""
    slug = doctype_slug(meta.name)
    return {
        "can_print": can_print_list(context, meta),
        "csrf_token": context.get("csrf_token"),
        "batch_url": reverse("printing:batch-start", args=[slug]),
        "list_print_url": reverse("printing:list-html", args=[slug]),
        "params": query.params(),
        # A `month` field (YYYY-MM) marks monthly vouchers such as 伙食费退费单.
        "monthly": meta.get_field("month") is not None,
        "this_month": timezone.localdate().strftime("%Y-%m"),
    }
