"""Template helpers of the desk pages: document URLs, list query strings, money, attachment links."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

from school_logistics.core.meta import Meta
from school_logistics.core.models import Document
from school_logistics.core.values import quantity_text
from school_logistics.core.views.doctypes import doctype_slug
from school_logistics.core.views.formatting import money
from school_logistics.core.views.list_query import ListQuery

register = template.Library()


@register.simple_tag
def desk_url(name: str, meta: Meta, doc: Document | None = None) -> str:
    """Return a desk URL for a DocType (`desk:list`, `desk:upload`) or one of its documents."""
    args = [doctype_slug(meta.name)] + ([doc.name] if doc is not None else [])
    return reverse(name, args=args)


@register.simple_tag
def list_params(query: ListQuery, **overrides: Any) -> str:
    """Return the list's query string with some parameters changed (`page=2`)."""
    return query.params(**{k: str(v) for k, v in overrides.items()})


@register.simple_tag
def sort_params(query: ListQuery, key: str) -> str:
    return query.sort_link(key)


@register.filter(name="money")
def money_filter(value: Decimal | None) -> str:
    """Return an amount as the desk shows money: thousands separated, two decimals (7,450.00)."""
    return money(value)


@register.filter
def quantity(value: Decimal | None) -> str:
    """1,250.500 → 1,250.5; 30.000 → 30."""
    return "" if value is None else quantity_text(value)


@register.filter
def attachment_href(value: str) -> str:
    """Return a safe link for a stored `/files/<token>/<filename>` value."""
    parts = str(value or "").strip("/").split("/", 2)
    if len(parts) != 3 or parts[0] != "files":
        return ""
    try:
        return reverse("attachment", args=[parts[1], parts[2]])
    except NoReverseMatch:
        return ""
