"""Choose the print format of a document: the school's default, a district one, or the standard."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from school_logistics.core.meta import Meta
from school_logistics.printing.default_format import STANDARD_NAME, page_size_for, standard_template
from school_logistics.printing.models import PrintFormat


@dataclass(frozen=True)
class FormatChoice:
    name: str
    template: str
    css: str
    page_size: str
    is_standard: bool


def standard_format(meta: Meta) -> FormatChoice:
    return FormatChoice(STANDARD_NAME, standard_template(meta), "", page_size_for(meta), True)


def available_formats(meta: Meta, school_id: int) -> list[PrintFormat]:
    """Return the stored formats a school may print a DocType with, its own first."""
    return list(
        PrintFormat.objects.filter(doctype=meta.name)
        .filter(Q(school_id=school_id) | Q(school__isnull=True))
        .order_by("school_id", "name")
    )


def choose_format(meta: Meta, school_id: int, name: str | None = None) -> FormatChoice:
    """Return the named format (404 if unknown), else the school's default, else the standard."""
    stored = available_formats(meta, school_id)
    if name and name != STANDARD_NAME:
        match = next((f for f in stored if f.name == name), None)
        if match is None:
            raise Http404(_("没有名为“%(name)s”的打印格式") % {"name": name})
    elif name == STANDARD_NAME:
        return standard_format(meta)
    else:
        own = [f for f in stored if f.is_default and f.school_id == school_id]
        district = [f for f in stored if f.is_default and f.school_id is None]
        match = next(iter(own or district), None)
        if match is None:
            return standard_format(meta)
    return FormatChoice(match.name, match.template, match.css, match.page_size, False)
