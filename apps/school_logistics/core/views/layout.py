"""Lay a DocType's fields out as the form shows them: sections, columns, fields and grids."""

from __future__ import annotations

import dataclasses
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from school_logistics.core import extensions
from school_logistics.core.fetch import fetched_fields
from school_logistics.core.meta import DECIMAL_TYPES, LINK_TYPES, NUMERIC_TYPES, DocField, Meta
from school_logistics.core.models import Document, User
from school_logistics.core.registry import ORG_DOCTYPES, get_meta, shows_title_in_link
from school_logistics.core.validation import NotANumber, parse_number
from school_logistics.core.values import field_from_json
from school_logistics.core.views.formatting import display_value, input_value

WIDGETS = {
    "Data": "text",
    "Small Text": "textarea",
    "Text": "textarea",
    "Int": "number",
    "Float": "number",
    "Currency": "number",
    "Percent": "number",
    "Check": "check",
    "Date": "date",
    "Datetime": "datetime",
    "Time": "time",
    "Select": "select",
    "Link": "link",
    "User": "link",
    "Attach": "attach",
    "Attach Image": "attach",
    "Table": "table",
}


@dataclass
class FieldView:
    """One field as a page shows it: its input (or text), value and errors."""

    field: DocField
    input_name: str
    value: str
    display: str
    editable: bool
    errors: list[str] = dataclasses.field(default_factory=list)
    hint: str = ""
    grid: GridView | None = None
    # A link's {field: field of the linked record} the browser fills when a record is picked,
    # and those fields of the record it points at now (what an untouched input still holds).
    fetches: dict[str, str] = dataclasses.field(default_factory=dict)
    record: dict[str, Any] = dataclasses.field(default_factory=dict)
    # A link whose input shows the record's title (a person's name), the code kept in a
    # hidden input beside it.
    titled: bool = False
    # The values this text field must take now (extensions.field_choices): a required choice.
    choices: list[str] = dataclasses.field(default_factory=list)
    # What the server fills in when this field is left blank (extensions.blank_fills).
    blank_fill: extensions.BlankFill | None = None

    @property
    def blank_steps_json(self) -> str:
        return json.dumps(self.blank_fill.steps) if self.blank_fill else ""

    @property
    def fetch_json(self) -> str:
        return json.dumps(self.fetches) if self.fetches else ""

    @property
    def record_json(self) -> str:
        return json.dumps(self.record, ensure_ascii=False) if self.record else ""

    @property
    def label(self) -> str:
        return self.field.label

    @property
    def fieldname(self) -> str:
        return self.field.fieldname

    @property
    def widget(self) -> str:
        if not self.editable and not self.field.is_table:
            return "readonly"
        if self.field.fieldtype == "Data" and self.choices:
            return "select"
        if self.field.fieldtype == "Data" and self.field.options == "Month":
            return "month"  # a YYYY-MM value: the phone's month picker, not typed by hand
        return WIDGETS.get(self.field.fieldtype, "text")

    @property
    def numeric(self) -> bool:
        return self.field.fieldtype in NUMERIC_TYPES

    @property
    def inputmode(self) -> str:
        if self.field.fieldtype == "Data":  # the phone's keyboard for a number or an address
            return {"Phone": "tel", "Email": "email"}.get(self.field.options, "text")
        return "numeric" if self.field.fieldtype == "Int" else "decimal"

    @property
    def options(self) -> list[str]:
        if self.choices:  # a value stored before the choices changed stays visible
            stale = [self.value] if self.value and self.value not in self.choices else []
            return [*stale, *self.choices]
        return self.field.select_options

    @property
    def required(self) -> bool:
        return self.field.reqd or bool(self.choices)

    @property
    def checked(self) -> bool:
        return self.value not in {"", "0", "False", "false"}

    @property
    def rows(self) -> int:
        return 5 if self.field.fieldtype == "Text" else 2

    @property
    def link_target(self) -> str:
        return self.field.link_doctype


@dataclass
class GridRow:
    idx: int
    name: str
    cells: list[FieldView]
    prefix: str


@dataclass
class GridColumn:
    field: DocField
    total: str | None = None

    @property
    def fieldname(self) -> str:
        return self.field.fieldname

    @property
    def label(self) -> str:
        return self.field.label

    @property
    def numeric(self) -> bool:
        return self.field.fieldtype in NUMERIC_TYPES

    @property
    def required_input(self) -> bool:
        return self.field.reqd and self.field.accepts_input


@dataclass
class GridView:
    """A child table: its columns (with totals of money columns) and rows."""

    table: DocField
    child: Meta
    columns: list[GridColumn]
    rows: list[GridRow]
    template_row: GridRow
    editable: bool
    fixed_rows: bool = False  # only some cells open: no rows added, removed or moved

    @property
    def prefix(self) -> str:
        return self.table.fieldname

    @property
    def has_totals(self) -> bool:
        return any(c.total is not None for c in self.columns)


@dataclass
class Column:
    fields: list[FieldView] = dataclasses.field(default_factory=list)


@dataclass
class Section:
    label: str
    columns: list[Column]

    @property
    def has_fields(self) -> bool:
        return any(c.fields for c in self.columns)


@dataclass
class FormLayout:
    sections: list[Section]
    errors: dict[str, list[str]]

    @property
    def summary(self) -> list[str]:
        return [m for msgs in self.errors.values() for m in msgs]


class LinkTitles:
    """Titles of the records Link fields point at, fetched in one query per target; with their
    data for the targets in `with_data` (what the form's fields fetch from them)."""

    def __init__(self, school_id: int | None, with_data: frozenset[str] = frozenset()) -> None:
        self.school_id = school_id
        self.with_data = with_data
        self.wanted: dict[str, set[str]] = defaultdict(set)
        self.found: dict[tuple[str, str], str] = {}
        self.records: dict[tuple[str, str], dict[str, Any]] = {}

    def want(self, f: DocField, value: Any) -> None:
        if f.fieldtype in {"Link", "User"} and isinstance(value, str) and value:
            self.wanted[f.link_doctype].add(value)

    def fetch(self) -> None:
        for target, values in self.wanted.items():
            rows: list[tuple[str, str]] = []
            if target == "User":
                users = User.objects.filter(username__in=values)
                rows = list(users.values_list("username", "full_name"))
            elif target in ORG_DOCTYPES or self.school_id is None:
                continue
            else:
                docs = Document.objects.filter(
                    doctype=target, school_id=self.school_id, name__in=values
                )
                with_data = target in self.with_data
                columns = ("name", "title", "data") if with_data else ("name", "title")
                for name, title, *data in docs.values_list(*columns):
                    rows.append((name, title))
                    if with_data:
                        self.records[(target, name)] = data[0] or {}
            self.found.update({(target, k): v for k, v in rows if v and v != k})

    def title(self, f: DocField, value: Any) -> str:
        return self.found.get((f.link_doctype, str(value)), "") if value else ""

    def record(self, f: DocField, value: Any, fields: Iterable[str]) -> dict[str, Any]:
        """The named fields of the record a link points at (read when its target was asked)."""
        data = self.records.get((f.link_doctype, str(value))) if value else None
        return {k: data.get(k) for k in fields} if data is not None else {}

    @property
    def users(self) -> dict[str, str]:
        return {k: v for (t, k), v in self.found.items() if t == "User"}


def title_echoes(meta: Meta) -> set[str]:
    """Read-only fields that only repeat the title a link beside them already shows (地点名称
    under a 报修地点 showing the room's name): lists and prints keep them, the form does not."""
    echoes = set()
    for f in meta.value_fields:
        source = f.fetch_source
        link = meta.get_field(source[0]) if source and f.read_only else None
        if link is None or link.fieldtype not in LINK_TYPES:
            continue
        target = link.link_doctype
        if not shows_title_in_link(target):
            continue
        title_field = "full_name" if target == "User" else get_meta(target).title_field
        if source is not None and source[1] == title_field:
            echoes.add(f.fieldname)
    return echoes


def _strip_row_prefix(message: str, table: DocField, idx: int) -> str:
    prefix = _("%(table)s第 %(idx)s 行：") % {"table": table.label, "idx": idx}
    return message.removeprefix(prefix)


def _fetched_now(
    meta: Meta,
    f: DocField,
    values: dict[str, Any],
    stored: dict[str, Any] | None,
    titles: LinkTitles,
) -> tuple[bool, Any]:
    """Whether a read-only fetched field shows its linked record's value now, and that value.

    It does where its link is new or changed: a form shown again after a refused save has only
    what was posted, and read-only fields are never posted. Elsewhere the stored value stands,
    what the record held when the document was saved.
    """
    source = f.fetch_source
    link = meta.get_field(source[0]) if source and not f.accepts_input else None
    if link is None or source is None:
        return False, None
    name = values.get(link.fieldname)
    if name in (None, "") or (stored is not None and stored.get(link.fieldname) == name):
        return False, None
    record = titles.record(link, name, [source[1]])
    if not record:
        return False, None
    value = record[source[1]]
    try:
        return True, None if value in (None, "") else field_from_json(f, value)
    except (InvalidOperation, TypeError, ValueError):
        return False, None  # the record holds another kind of value there: nothing to show


def _field_view(
    f: DocField,
    value: Any,
    *,
    input_name: str,
    editable: bool,
    errors: list[str],
    titles: LinkTitles,
    meta: Meta,
) -> FieldView:
    is_link = f.fieldtype in LINK_TYPES
    fetches = meta.fetched_by(f.fieldname) if is_link else {}
    titled = is_link and shows_title_in_link(f.link_doctype)
    hint = titles.title(f, value)
    return FieldView(
        field=f,
        input_name=input_name,
        value=input_value(f, value),
        display=(hint or display_value(f, value)) if titled else display_value(f, value),
        editable=editable and f.accepts_input,
        errors=errors,
        hint=hint,
        fetches=fetches,
        record=titles.record(f, value, fetches.values()) if fetches else {},
        titled=titled,
    )


@dataclass
class LayoutBuilder:
    """Build the layout of one document form from its values, stored rows and errors."""

    meta: Meta
    child_metas: dict[str, Meta]
    values: dict[str, Any]
    editable: set[str]
    errors: dict[str, list[str]]
    stored_rows: dict[str, dict[str, dict[str, Any]]]
    school_id: int | None
    open_cells: dict[str, frozenset[str]] = dataclasses.field(default_factory=dict)
    omit: set[str] = dataclasses.field(default_factory=set)  # fields (`table.cell`) not shown
    closed_cells: frozenset[str] = frozenset()  # `table.cell`s shown, not for input
    choices: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    blank_fills: dict[str, extensions.BlankFill] = dataclasses.field(default_factory=dict)
    stored: dict[str, Any] | None = None  # the stored document's values; None for a new one

    def build(self) -> FormLayout:
        fetched = fetched_fields([self.meta, *self.child_metas.values()])
        titles = LinkTitles(self.school_id, frozenset(fetched))
        for f in self.meta.value_fields:
            if f.is_table:
                for row in self.values.get(f.fieldname) or []:
                    for cell in self.child_metas[f.options].value_fields:
                        titles.want(cell, row.get(cell.fieldname))
            else:
                titles.want(f, self.values.get(f.fieldname))
        titles.fetch()
        sections = [Section("", [Column()])]
        echoes = title_echoes(self.meta)
        for f in self.meta.fields:
            if f.fieldtype == "Section Break":
                sections.append(Section(f.label if f.raw.get("label") else "", [Column()]))
            elif f.fieldtype == "Column Break":
                sections[-1].columns.append(Column())
            elif not f.hidden and f.fieldname not in self.omit and f.fieldname not in echoes:
                sections[-1].columns[-1].fields.append(self._view(f, titles))
        return FormLayout([s for s in sections if s.has_fields], self.errors)

    def _view(self, f: DocField, titles: LinkTitles) -> FieldView:
        value = self.values.get(f.fieldname)
        fetched, now = _fetched_now(self.meta, f, self.values, self.stored, titles)
        if fetched:
            value = now
        view = _field_view(
            f,
            None if f.is_table else value,
            input_name=f.fieldname,
            editable=f.fieldname in self.editable,
            errors=self.errors.get(f.fieldname, []),
            titles=titles,
            meta=self.meta,
        )
        if f.is_table:
            view.editable = f.fieldname in self.editable
            view.grid = self._grid(f, value or [], view.editable, titles)
        elif view.editable:
            view.choices = self.choices.get(f.fieldname, [])
            if len(view.choices) == 1 and not view.value:
                # The one value it may take (a class teacher's only class): chosen already.
                view.value = view.choices[0]
            view.blank_fill = self.blank_fills.get(f.fieldname)
        return view

    def _grid(
        self, table: DocField, rows: list[dict[str, Any]], editable: bool, titles: LinkTitles
    ) -> GridView:
        child = self.child_metas[table.options]
        echoes = title_echoes(child)
        prefix = table.fieldname + "."
        columns = [
            c
            for c in child.value_fields
            if not c.hidden
            and not c.is_table
            and c.fieldname not in echoes
            and prefix + c.fieldname not in self.omit
        ]
        closed = {n.removeprefix(prefix) for n in self.closed_cells if n.startswith(prefix)}
        stored = self.stored_rows.get(table.fieldname, {})
        only = self.open_cells.get(table.fieldname) if editable else None
        grid_rows = []
        shown_elsewhere = _column_sums(self.meta).get(table.fieldname, set())
        totals: dict[str, Any] = {
            c.fieldname: 0 for c in columns if summable(c) and c.fieldname not in shown_elsewhere
        }
        for idx, row in enumerate(rows, start=1):
            name = str(row.get("name") or "")
            # Computed cells are not posted back; after a failed save show what was stored.
            saved = stored.get(name, {})
            cells = []
            for c in columns:
                value = row.get(c.fieldname) if c.accepts_input else saved.get(c.fieldname)
                if not c.accepts_input and c.fieldname not in saved:
                    value = row.get(c.fieldname)
                fetched, now = _fetched_now(child, c, row, saved, titles)
                if fetched:
                    value = now
                key = f"{table.fieldname}.{idx}.{c.fieldname}"
                cells.append(
                    _field_view(
                        c,
                        value,
                        input_name=f"{table.fieldname}-{idx - 1}-{c.fieldname}",
                        editable=editable
                        and (only is None or c.fieldname in only)
                        and c.fieldname not in closed,
                        errors=[_strip_row_prefix(m, table, idx) for m in self.errors.get(key, [])],
                        titles=titles,
                        meta=child,
                    )
                )
                if c.fieldname in totals and c.fieldtype in DECIMAL_TYPES:
                    totals[c.fieldname] = _add(totals[c.fieldname], value)
            grid_rows.append(GridRow(idx, name, cells, f"{table.fieldname}-{idx - 1}-"))
        template = GridRow(
            0,
            "",
            [
                _field_view(
                    c,
                    None,
                    input_name=f"{table.fieldname}-__prefix__-{c.fieldname}",
                    editable=editable and c.fieldname not in closed,
                    errors=[],
                    titles=titles,
                    meta=child,
                )
                for c in columns
            ],
            f"{table.fieldname}-__prefix__-",
        )
        grid_columns = [
            GridColumn(c, display_value(c, totals[c.fieldname]) if c.fieldname in totals else None)
            for c in columns
        ]
        return GridView(
            table, child, grid_columns, grid_rows, template, editable, fixed_rows=only is not None
        )


# A formula that is exactly `sum(table.column)` (the designer's formula language).
_COLUMN_SUM = re.compile(r"^\s*sum\(\s*(\w+)\.(\w+)\s*\)\s*$")


def _column_sums(meta: Meta) -> dict[str, set[str]]:
    """Return the columns, by table, whose total is itself a field of the document.

    Such a total (合计金额 = sum(items.amount)) is shown once, as that field: a footer
    repeating the same figure under the rows would show it twice.
    """
    sums: dict[str, set[str]] = defaultdict(set)
    for f in meta.value_fields:
        found = _COLUMN_SUM.match(str(f.raw.get("formula") or ""))
        if found:
            sums[found[1]].add(found[2])
    return sums


def summable(f: DocField) -> bool:
    """Whether a column's total means something: money amounts do, unit prices do not."""
    name = f.fieldname.lower()
    return f.fieldtype == "Currency" and not any(w in name for w in ("rate", "price"))


def _add(total: Any, value: Any) -> Any:
    """The total with a row's value added: a posted "1,250" counts, a refused "12,5" does not."""
    try:
        number = parse_number(value)
    except NotANumber:
        return total
    return Decimal(str(total)) + (number or 0)
