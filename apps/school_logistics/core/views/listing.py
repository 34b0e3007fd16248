"""The list page of a DocType: search, filters, sorting and pages of readable documents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse

from school_logistics.core import permissions
from school_logistics.core.meta import LINK_TYPES, DocField
from school_logistics.core.models import Document
from school_logistics.core.plans import planned_for_arguments
from school_logistics.core.registry import shows_title_in_link
from school_logistics.core.views.doctypes import form_url, list_url, resolve_doctype
from school_logistics.core.views.formatting import display_value, doc_status
from school_logistics.core.views.htmx import is_htmx, render_page
from school_logistics.core.views.layout import LinkTitles
from school_logistics.core.views.list_query import PAGE_SIZE, ListQuery, sort_key_for


@dataclass
class ListColumn:
    label: str
    field: DocField | None
    sort: str | None
    numeric: bool = False


@dataclass
class ListRow:
    doc: Document
    url: str
    cells: list[tuple[ListColumn, str]]
    status: tuple[str, str]


def _columns(query: ListQuery) -> list[ListColumn]:
    from django.utils.translation import gettext as _

    meta = query.meta
    columns = [ListColumn(_("编号"), None, "name")]
    for f in meta.list_view_fields:
        numeric = f.fieldtype in {"Int", "Float", "Currency", "Percent"}
        columns.append(ListColumn(f.label, f, sort_key_for(meta, f), numeric))
    return columns


def _rows(query: ListQuery, docs: list[Document], columns: list[ListColumn]) -> list[ListRow]:
    """Return the table rows. People and rooms show by name, as on the form: the titles of all
    rows come from one query per kind of record (and school) the columns point at."""
    titled = [
        c.field
        for c in columns
        if c.field and c.field.fieldtype in LINK_TYPES and shows_title_in_link(c.field.link_doctype)
    ]
    titles: dict[int, LinkTitles] = {}
    for doc in docs:
        found = titles.setdefault(doc.school_id, LinkTitles(doc.school_id))
        for f in titled:
            found.want(f, doc.data.get(f.fieldname))
    for found in titles.values():
        found.fetch()
    rows = []
    for doc in docs:
        found = titles[doc.school_id]
        cells = [
            (c, _cell(c.field, doc.data.get(c.field.fieldname), found))
            for c in columns
            if c.field is not None
        ]
        rows.append(
            ListRow(doc, form_url(query.meta, doc.name), cells, doc_status(doc, query.meta))
        )
    return rows


def _cell(f: DocField, value: Any, titles: LinkTitles) -> str:
    if f.fieldtype == "Link":
        return titles.title(f, value) or display_value(f, value)
    return display_value(f, value, titles.users)


@login_required
@planned_for_arguments()
def document_list(request: HttpRequest, doctype: str) -> HttpResponse:
    """Show a page of the documents of a DocType the user may read."""
    meta = resolve_doctype(doctype)
    permissions.check_permission(request.user, meta, "read")  # type: ignore[arg-type]
    query = ListQuery.parse(meta, request.GET, school_id=request.user.school_id)  # type: ignore[union-attr]
    if not is_htmx(request):
        for warning in query.warnings:
            messages.warning(request, warning)
    readable = permissions.readable(request.user, meta)  # type: ignore[arg-type]
    paginator = Paginator(query.apply(readable), PAGE_SIZE)
    page = paginator.get_page(query.page)
    columns = _columns(query)
    context: dict[str, Any] = {
        "meta": meta,
        "query": query,
        "columns": columns,
        "page": page,
        "rows": _rows(query, list(page.object_list), columns),
        "list_url": list_url(meta),
        "new_url": form_url(meta),
        "nav_doctype": meta.name,
        "can_create": permissions.has_permission(request.user, meta, "create"),  # type: ignore[arg-type]
    }
    return render_page(request, "desk/list.html", context, partial="desk/_list_results.html")
