"""Read a list page's search, filters, sort and page from the query string into a queryset."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.fields.json import KT
from django.http import QueryDict
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from school_logistics.core import extensions, search
from school_logistics.core.meta import DocField, Meta
from school_logistics.core.models import Department, Document, Role, School, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.registry import ORG_DOCTYPES

PAGE_SIZE = 20
# Sorting is offered on the promoted, indexed columns only, so any sort stays fast.
SORT_KEYS = ("modified", "name", "grand_total", "posting_date", "title")
RESERVED = {"q", "page", "sort", "order", "docstatus", "date_from", "date_to"}


@dataclass
class ListFilter:
    key: str
    label: str
    kind: str  # "select", "text", "link" (Link and User fields), "check" or "docstatus"
    value: str
    options: list[tuple[str, str]] = field(default_factory=list)
    field: DocField | None = None
    # A link filter holding a record's stored value (picked from the menu, or a link from a
    # page) matches that record only; `shown` is the name pages show for it.
    exact: bool = False
    shown: str = ""


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


def data_equals(key: str, value: Any) -> Q:
    """Match documents whose data holds `value` at `key`.

    PostgreSQL compares by containment (`data @> {key: value}`), which the GIN index over the
    data's paths serves for any field (migration core 0008); SQLite compares the field.
    """
    if connection.features.supports_json_field_contains:
        return Q(data__contains={key: value})
    return Q(**{f"data__{key}": value})


def _stored_as(target: str, value: str) -> str | None:
    """Return the name pages show for the record of `target` stored as `value`, or None when
    there is no such record (the text was typed, not picked)."""
    if target == "User":
        shown = User.objects.filter(username=value).values_list("full_name", flat=True).first()
    elif target == "Department":
        shown = Department.objects.filter(name=value).values_list("name", flat=True).first()
    elif target == "School":
        shown = School.objects.filter(name=value).values_list("name", flat=True).first()
    elif target == "Role":
        shown = Role.objects.filter(code=value).values_list("label", flat=True).first()
    else:
        docs = Document.objects.filter(doctype=target, name=value)
        shown = docs.values_list("title", flat=True).first()
    return None if shown is None else shown or value


def _named_like(target: str, text: str) -> QuerySet[Any] | None:
    """Return the stored values of the linked records whose shown name holds `text`, or None.

    Pages show a user's full name and a record's title (示例教师甲, 七年级(1)班教室); the document
    stores the username or the record's name (teacher, LOC-0001), and people type what they see.
    """
    if target == "User":
        named = User.objects.filter(Q(full_name__icontains=text) | Q(username__icontains=text))
        return named.values("username")
    if target in ORG_DOCTYPES:  # a department's stored value is the name pages show
        return None
    return Document.objects.filter(doctype=target, title__icontains=text).values("name")


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
    def parse(cls, meta: Meta, params: QueryDict) -> ListQuery:
        warnings: list[str] = []
        filters: list[ListFilter] = []
        if meta.is_submittable:
            filters.append(
                ListFilter(
                    "docstatus",
                    _("状态"),
                    "docstatus",
                    params.get("docstatus", "")
                    if params.get("docstatus") in {"0", "1", "2"}
                    else "",
                    [(str(s.value), s.label) for s in DocStatus],
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
                shown = _stored_as(f.link_doctype, value) if value else None
                filters.append(
                    ListFilter(
                        f.fieldname,
                        f.label,
                        "link",
                        value,
                        field=f,
                        exact=shown is not None,
                        shown=shown or "",
                    )
                )
                continue
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
                qs = qs.filter(docstatus=int(flt.value))
            elif flt.kind == "check":
                ticked = data_equals(flt.key, 1)
                qs = qs.filter(ticked) if flt.value == "1" else qs.exclude(ticked)
            elif flt.kind == "select" or flt.exact:
                qs = qs.filter(data_equals(flt.key, flt.value))
            elif flt.kind == "link" and flt.field:
                alias = f"_link_{flt.key}"
                qs = qs.alias(**{alias: KT(f"data__{flt.key}")})
                match = Q(**{f"{alias}__icontains": flt.value})
                named = _named_like(flt.field.link_doctype, flt.value)
                if named is not None:
                    match |= Q(**{f"{alias}__in": named})
                qs = qs.filter(match)
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
