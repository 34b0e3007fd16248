"""The list page of a DocType: search, filters, sorting and pages of readable documents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse

from school_logistics.core import permissions
from school_logistics.core.meta import DocField
from school_logistics.core.models import Document, User
from school_logistics.core.plans import planned_for_arguments
from school_logistics.core.views.doctypes import form_url, list_url, resolve_doctype
from school_logistics.core.views.formatting import display_value, doc_status
from school_logistics.core.views.htmx import is_htmx, render_page
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
    """Return the table rows; user names for all rows come from one query."""
    user_fields = [c.field for c in columns if c.field and c.field.fieldtype == "User"]
    usernames = {d.data.get(f.fieldname) for d in docs for f in user_fields} - {None, ""}
    users = (
        dict(User.objects.filter(username__in=usernames).values_list("username", "full_name"))
        if usernames
        else {}
    )
    users = {k: v or k for k, v in users.items()}
    rows = []
    for doc in docs:
        cells = [
            (c, display_value(c.field, doc.data.get(c.field.fieldname), users))
            for c in columns
            if c.field is not None
        ]
        rows.append(
            ListRow(doc, form_url(query.meta, doc.name), cells, doc_status(doc, query.meta))
        )
    return rows


@login_required
@planned_for_arguments()
def document_list(request: HttpRequest, doctype: str) -> HttpResponse:
    """Show a page of the documents of a DocType the user may read."""
    meta = resolve_doctype(doctype)
    permissions.check_permission(request.user, meta, "read")  # type: ignore[arg-type]
    query = ListQuery.parse(meta, request.GET)
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
