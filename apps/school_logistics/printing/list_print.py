"""Print a list view as a table: the list's columns and filters, Currency totals, page numbers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from school_logistics.core import permissions
from school_logistics.core.meta import Meta
from school_logistics.core.models import User
from school_logistics.core.plans import planned_for_arguments
from school_logistics.core.views.formatting import display_value
from school_logistics.core.views.list_query import ListQuery

# The list page's own column and row builders: the printout shows what the list shows.
from school_logistics.core.views.listing import ListColumn, _columns, _rows
from school_logistics.printing.render import BASE_CSS

# A printed list longer than this is a report, not a list: the heading asks for narrower filters.
MAX_ROWS = 500
# More columns than this (with 序号, 状态 and 更新时间) go on landscape paper.
PORTRAIT_COLUMNS = 7

SORT_LABELS = {"modified": "更新时间", "name": "编号", "posting_date": "日期", "title": "标题"}


@dataclass
class ListSheet:
    """Everything a printed list shows; built once, rendered as HTML or PDF."""

    meta: Meta
    school: str
    columns: list[ListColumn]
    rows: list[list[tuple[str, bool]]]  # (text, numeric) per cell, 编号 first
    totals: list[str]  # one cell per column ("" where nothing adds up)
    has_totals: bool
    conditions: list[str]
    sort: str
    count: int
    truncated: bool
    printed_by: str
    printed_at: dt.datetime
    landscape: bool = False
    warnings: list[str] = field(default_factory=list)


def _condition_texts(query: ListQuery) -> list[str]:
    """Return each active filter as "label：value", in the words of the filter bar."""
    texts = []
    if query.q:
        texts.append(_("关键字：“%(q)s”") % {"q": query.q})
    for flt in query.filters:
        if not flt.value:
            continue
        if flt.exact:
            value = flt.shown
        elif flt.kind in {"text", "link"}:
            value = _("含“%(v)s”") % {"v": flt.value}
        else:
            value = dict(flt.options).get(flt.value, flt.value)
        texts.append(f"{flt.label}：{value}")
    if query.date_from or query.date_to:
        start = query.date_from.isoformat() if query.date_from else _("不限")
        end = query.date_to.isoformat() if query.date_to else _("不限")
        texts.append(
            _("%(label)s：%(start)s 至 %(end)s")
            % {"label": query.date_label, "start": start, "end": end}
        )
    return texts


def _sort_text(query: ListQuery, columns: list[ListColumn]) -> str:
    label = next((c.label for c in columns if c.sort == query.sort), None)
    label = label or SORT_LABELS.get(query.sort, query.sort)
    return _("%(label)s %(order)s") % {
        "label": label,
        "order": _("升序") if query.order == "asc" else _("降序"),
    }


def _decimal(value: object) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


@planned_for_arguments()
def build_sheet(user: User, meta: Meta, params: QueryDict) -> ListSheet:
    """Return the printed list of what `user` reads under `params`; needs the `print` right."""
    permissions.check_permission(user, meta, "print")
    query = ListQuery.parse(meta, params, school_id=user.school_id)
    qs = query.apply(permissions.readable(user, meta))
    docs = list(qs[: MAX_ROWS + 1])
    truncated = len(docs) > MAX_ROWS
    docs = docs[:MAX_ROWS]
    count = qs.count() if truncated else len(docs)
    columns = _columns(query)
    money = [c.field is not None and c.field.fieldtype == "Currency" for c in columns]
    sums = [Decimal(0) for _c in columns]
    rows = []
    for row in _rows(query, docs, columns):
        modified = timezone.localtime(row.doc.modified).strftime("%Y-%m-%d %H:%M")
        rows.append(
            [(row.doc.name, False)]
            + [(text, c.numeric) for c, text in row.cells]
            + [(row.status[0], False), (modified, False)]
        )
        for i, column in enumerate(columns):
            if money[i] and column.field is not None:
                amount = _decimal(row.doc.data.get(column.field.fieldname))
                sums[i] += amount or 0
    totals = [
        display_value(c.field, sums[i]) if money[i] and c.field is not None else ""
        for i, c in enumerate(columns)
    ]
    return ListSheet(
        meta=meta,
        school=user.school.name if user.school else "",
        columns=columns,
        rows=rows,
        totals=totals,
        has_totals=any(money),
        conditions=_condition_texts(query),
        sort=_sort_text(query, columns),
        count=count,
        truncated=truncated,
        printed_by=user.display_name,
        printed_at=timezone.localtime(),
        landscape=len(columns) + 3 > PORTRAIT_COLUMNS,
        warnings=query.warnings,
    )


def render_sheet(sheet: ListSheet, *, screen: bool, toolbar: dict[str, str] | None = None) -> str:
    """Return the printed list's HTML page (no admin-made template: only our own markup)."""
    size = "A4 landscape" if sheet.landscape else "A4 portrait"
    return render_to_string(
        "printing/list_sheet.html",
        {
            "sheet": sheet,
            "base_css": mark_safe(BASE_CSS),  # noqa: S308 - our own file
            "page_size": size,
            "screen": screen,
            "toolbar": toolbar or {},
            "max_rows": MAX_ROWS,
        },
    )
