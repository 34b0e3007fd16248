"""Read a list page's search, filters, sort and page from the query string into a queryset."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Case, Q, QuerySet, When
from django.db.models.expressions import Combinable
from django.db.models.fields.json import KT
from django.http import QueryDict
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from school_logistics.core import extensions, registry, search
from school_logistics.core.data_match import data_equals, data_in
from school_logistics.core.meta import DocField, Meta
from school_logistics.core.models import Department, Document, Role, School, User
from school_logistics.core.models.document import DocStatus

PAGE_SIZE = 20
# Sorting is offered on the promoted, indexed columns only, so any sort stays fast.
SORT_KEYS = ("modified", "name", "grand_total", "posting_date", "title")
RESERVED = {"q", "page", "sort", "order", "docstatus", "date_from", "date_to"}


@dataclass
class ListFilter:
    key: str
    label: str
    kind: str  # "select", "text", "date", "link" (Link and User fields), "check" or "docstatus"
    value: str
    options: list[tuple[str, str]] = field(default_factory=list)
    field: DocField | None = None
    # A link filter holding a record's stored value (picked from the menu, or a link from a
    # page) matches that record only; `shown` is the name pages show for it.
    exact: bool = False
    shown: str = ""
    # Typed text: the stored values of the records it names, or, when it names too many,
    # those records as a subquery.
    named: tuple[str, ...] = ()
    named_query: QuerySet[Any] | None = None
    # The box shows the picked record's name (a person, a room), its stored value riding beside.
    titled: bool = False


# Workflow states a draft is left in when its approval stops (see formatting.PAUSED_STATES).
RETURNED, REJECTED, WITHDRAWN = "已退回", "已拒绝", "已撤回"


def status_options(flowed: bool) -> list[tuple[str, str]]:
    """The 状态 filter's choices: under an approval flow, what the list's badges say."""
    if not flowed:
        return [(str(s.value), str(s.label)) for s in DocStatus]
    return [
        ("0", _("草稿")),
        ("approval", _("审批中")),
        ("returned", _("已退回")),
        ("rejected", _("已拒绝")),
        ("1", _("已完成")),
        ("2", _("已作废")),
    ]


def status_condition(value: str) -> Q | Combinable:
    """The documents one 状态 choice stands for. A draft under a flow is a draft only until it
    is sent (or after it is withdrawn); a submitted one still at a step (待验收) is 审批中."""
    paused = [RETURNED, REJECTED, WITHDRAWN]
    draft = Q(docstatus=DocStatus.DRAFT)
    if value == "0":
        return draft & Q(workflow_state__in=["", WITHDRAWN])
    if value == "returned":
        return draft & Q(workflow_state=RETURNED)
    if value == "rejected":
        return draft & Q(workflow_state=REJECTED)
    if value == "approval":
        sent = draft & ~Q(workflow_state__in=["", *paused])
        return sent | (Q(docstatus=DocStatus.SUBMITTED) & running())
    if value == "1" and extensions.approval_running:
        return Q(docstatus=DocStatus.SUBMITTED) & ~running()
    return Q(docstatus=int(value))


def running() -> Q | Combinable:
    return extensions.running_condition() if extensions.approval_running else Q(pk__in=[])


def sort_key_for(meta: Meta, f: DocField) -> str | None:
    """Return the promoted column a list-view field sorts by, if any."""
    if f.fieldname == meta.title_field:
        return "title"
    if f.fieldname == meta.total_field:
        return "grand_total"
    if f.fieldname == meta.date_field:
        return "posting_date"
    return None


def _date(params: QueryDict, key: str, warnings: list[str]) -> dt.date | None:
    raw = (params.get(key) or "").strip()
    if not raw:
        return None
    try:
        value = parse_date(raw)
    except ValueError:
        value = None
    if value is None:
        warnings.append(_("日期“%(value)s”格式不正确，已忽略该条件") % {"value": raw[:20]})
    return value


# Where each link target keeps its stored value and the name pages show for it; any other
# target is a DocType: a document's name and title.
_LINKED = {
    "User": (User, "username", "full_name"),
    "Role": (Role, "code", "label"),
    "Department": (Department, "name", "name"),
    "School": (School, "name", "name"),
}
# Typed text naming more records than this is looked for in every document instead.
NAMED_LIMIT = 100


def _records_like(target: str, text: str) -> tuple[QuerySet[Any], str, str]:
    """Return the records of `target` whose stored value or shown name holds `text`, with the
    names of those two columns.

    Pages show a user's full name and a record's title (示例教师甲, 七年级(1)班教室); the document
    stores the username or the record's name (teacher, LOC-0001), and people type what they see.
    """
    model, key, shown = _LINKED.get(target, (Document, "name", "title"))
    objects = model._default_manager
    rows = objects.filter(doctype=target) if model is Document else objects.all()
    match = Q(**{f"{key}__icontains": text}) | Q(**{f"{shown}__icontains": text})
    return rows.filter(match), key, shown


def _link_filter(f: DocField, value: str) -> ListFilter:
    """A Link or User filter: the record stored as `value` if there is one (picked from the
    menu, or a link from a page), else the records whose name holds the typed text."""
    titled = registry.shows_title_in_link(f.link_doctype)
    flt = ListFilter(f.fieldname, f.label, "link", value, field=f, titled=titled)
    if not value:
        return flt
    rows, key, shown = _records_like(f.link_doctype, value)
    stored_first = Case(When(**{key: value}, then=0), default=1)
    found = list(rows.order_by(stored_first, key).values_list(key, shown)[: NAMED_LIMIT + 1])
    if found and found[0][0] == value:
        flt.exact, flt.shown = True, found[0][1] or value
    elif len(found) <= NAMED_LIMIT:
        flt.named = tuple(sorted({k for k, _name in found}))
    else:
        flt.named_query = rows.values(key)
    return flt


def page_param(raw: str) -> str:
    """Return the page asked for (`?page=`), or "1" for anything that is not a positive number."""
    return raw if raw.isdigit() and 0 < int(raw) < 10**6 else "1"


@dataclass
class ListQuery:
    meta: Meta
    q: str
    filters: list[ListFilter]
    date_from: dt.date | None
    date_to: dt.date | None
    sort: str
    order: str
    page: str
    warnings: list[str]

    @classmethod
    def parse(cls, meta: Meta, params: QueryDict, *, school_id: int | None = None) -> ListQuery:
        """`school_id`: the reader's school, whose approval flow decides the status choices."""
        warnings: list[str] = []
        filters: list[ListFilter] = []
        if meta.is_submittable:
            options = status_options(extensions.governed(meta.name, school_id))
            value = params.get("docstatus", "")
            filters.append(
                ListFilter(
                    "docstatus",
                    _("状态"),
                    "docstatus",
                    value if value in dict(options) else "",
                    options,
                )
            )
        for f in meta.filter_fields:
            if f.fieldname in RESERVED or f.is_table:
                continue
            value = (params.get(f.fieldname) or "").strip()[:140]
            if f.fieldtype == "Select":
                options = [(o, o) for o in f.select_options]
                kind = "select"
                value = value if value in f.select_options else ""
            elif f.fieldtype == "Check":
                options = [("1", _("是")), ("0", _("否"))]
                kind = "check"
                value = value if value in {"0", "1"} else ""
            elif f.fieldtype in {"Link", "User"}:
                filters.append(_link_filter(f, value))
                continue
            elif f.fieldtype == "Date":
                # One day, picked on a calendar; typed text that is no date is set aside, said.
                day = _date(params, f.fieldname, warnings)
                options, kind, value = [], "date", day.isoformat() if day else ""
            else:
                options, kind = [], "text"
            filters.append(ListFilter(f.fieldname, f.label, kind, value, options, f))
        sort = params.get("sort", "modified")
        order = params.get("order", "desc")
        return cls(
            meta=meta,
            q=(params.get("q") or "").strip()[:100],
            filters=filters,
            date_from=_date(params, "date_from", warnings),
            date_to=_date(params, "date_to", warnings),
            sort=sort if sort in SORT_KEYS else "modified",
            order=order if order in {"asc", "desc"} else "desc",
            page=page_param(params.get("page", "")),
            warnings=warnings,
        )

    @property
    def date_label(self) -> str:
        if self.meta.date_field and self.meta.get_field(self.meta.date_field):
            return self.meta.get_field(self.meta.date_field).label  # type: ignore[union-attr]
        return _("更新日期")

    def apply(self, qs: QuerySet[Document]) -> QuerySet[Document]:
        """Return the queryset narrowed by search and filters, in the chosen order."""
        if self.q:
            qs = qs.filter(search.matching(self.meta, self.q))
        for flt in self.filters:
            if not flt.value:
                continue
            if flt.kind == "docstatus":
                qs = qs.filter(status_condition(flt.value))
            elif flt.kind == "check":
                ticked = data_equals(flt.key, 1)
                qs = qs.filter(ticked) if flt.value == "1" else qs.exclude(ticked)
            elif flt.kind in {"select", "date"} or flt.exact:
                qs = qs.filter(data_equals(flt.key, flt.value))
            elif flt.kind == "link" and flt.named_query is None:
                qs = qs.filter(data_in(flt.key, flt.named))
            elif flt.kind == "link":
                alias = f"_link_{flt.key}"
                qs = qs.alias(**{alias: KT(f"data__{flt.key}")})
                qs = qs.filter(
                    Q(**{f"{alias}__icontains": flt.value}) | Q(**{f"{alias}__in": flt.named_query})
                )
            else:
                qs = qs.filter(**{f"data__{flt.key}__icontains": flt.value})
        date_column = "posting_date" if self.meta.date_field else "modified__date"
        if self.date_from:
            qs = qs.filter(**{f"{date_column}__gte": self.date_from})
        if self.date_to:
            qs = qs.filter(**{f"{date_column}__lte": self.date_to})
        prefix = "-" if self.order == "desc" else ""
        return extensions.with_approval_state(qs.order_by(f"{prefix}{self.sort}", f"{prefix}id"))

    @property
    def active(self) -> bool:
        return bool(self.q or self.date_from or self.date_to or any(f.value for f in self.filters))

    def params(self, **overrides: Any) -> str:
        """Return the query string of this list with some parameters changed."""
        values: dict[str, Any] = {"q": self.q, "sort": self.sort, "order": self.order}
        values.update({f.key: f.value for f in self.filters})
        values["date_from"] = self.date_from.isoformat() if self.date_from else ""
        values["date_to"] = self.date_to.isoformat() if self.date_to else ""
        values.update(overrides)
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})

    def sort_link(self, key: str) -> str:
        """Return the query string that sorts by `key`, flipping the order when already sorted."""
        order = "asc" if self.sort == key and self.order == "desc" else "desc"
        return self.params(sort=key, order=order, page="")
