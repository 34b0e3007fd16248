"""Links to a document's voucher from desk pages."""

from __future__ import annotations

from django import template
from django.urls import reverse

from school_logistics.core.views.doctypes import doctype_slug

register = template.Library()


@register.simple_tag
def print_url(doctype: str, name: str) -> str:
    """Return the address of a document's browser print view."""
    return reverse("printing:html", args=[doctype_slug(doctype), name])
