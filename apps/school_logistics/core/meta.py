"""Parsed DocType metadata: what fields a document has and who may do what with it."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language

# What a field may be called: it is a JSON key, a formula name and a form input name.
FIELDNAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")

# Field types that hold a value; layout types only arrange the form.
LAYOUT_TYPES = frozenset({"Section Break", "Column Break"})
NUMERIC_TYPES = frozenset({"Int", "Float", "Currency", "Percent"})
DECIMAL_TYPES = frozenset({"Float", "Currency", "Percent"})
TEXT_TYPES = frozenset({"Data", "Small Text", "Text", "Read Only"})
LINK_TYPES = frozenset({"Link", "User"})
ATTACH_TYPES = frozenset({"Attach", "Attach Image"})
VALUE_TYPES = frozenset(
    {"Check", "Date", "Datetime", "Time", "Select", "Table"}
    | NUMERIC_TYPES
    | TEXT_TYPES
    | LINK_TYPES
    | ATTACH_TYPES
)
FIELD_TYPES = VALUE_TYPES | LAYOUT_TYPES

PERMISSION_TYPES = (
    "read",
    "write",
    "create",
    "delete",
    "submit",
    "cancel",
    "amend",
    "print",
    "export",
)

# Places of decimals kept for each decimal type.
DECIMAL_PLACES = {"Currency": 2, "Float": 3, "Percent": 2}


def _label(data: dict[str, Any]) -> str:
    """Return the label in the active language (zh-hans by default, English when chosen)."""
    if (get_language() or "zh-hans").startswith("en") and data.get("label_en"):
        return str(data["label_en"])
    return str(data.get("label") or data.get("label_en") or data.get("fieldname") or data["name"])


@dataclass(frozen=True)
class DocField:
    fieldname: str
    fieldtype: str
    raw: dict[str, Any]
    options: str = ""
    reqd: bool = False
    read_only: bool = False
    unique: bool = False
    default: Any = None
    in_list_view: bool = False
    in_standard_filter: bool = False
    allow_on_submit: bool = False
    # Filled in at an approval step that asks for it (a repair's record, 总务处's reply), not
    # by whoever drafts the document, where a flow governs the DocType.
    step_only: bool = False
    no_copy: bool = False  # left out when the document is amended (Frappe's no_copy)
    hidden: bool = False
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    description: str = ""
    # "link_field.target_field": filled from the record the link names (Frappe's fetch_from).
    fetch_from: str = ""

    @property
    def label(self) -> str:
        return _label(self.raw)

    @property
    def fetch_source(self) -> tuple[str, str] | None:
        """(link field, field of the linked record) this field is filled from, if any."""
        link, _, source = self.fetch_from.partition(".")
        return (link, source) if link and source else None

    @property
    def is_layout(self) -> bool:
        return self.fieldtype in LAYOUT_TYPES

    @property
    def is_table(self) -> bool:
        return self.fieldtype == "Table"

    @property
    def link_doctype(self) -> str:
        """Return the DocType a Link or User field points at."""
        return "User" if self.fieldtype == "User" else self.options

    @property
    def select_options(self) -> list[str]:
        """A Select's choices; other fields' options say something else (a Link's DocType)."""
        if self.fieldtype != "Select":
            return []
        return [line.strip() for line in self.options.split("\n") if line.strip()]

    @property
    def accepts_input(self) -> bool:
        """Whether a user's input sets this field (read-only ones are set by the controller)."""
        return not (self.is_layout or self.read_only or self.fieldtype == "Read Only")


@dataclass(frozen=True)
class DocPerm:
    role: str
    rights: frozenset[str]
    if_owner: bool = False
    # The rights hold on the documents of the user's own department (and their own).
    if_department: bool = False


@dataclass(frozen=True)
class Meta:
    name: str
    raw: dict[str, Any]
    fields: tuple[DocField, ...]
    permissions: tuple[DocPerm, ...]
    module: str = ""
    autoname: str = ""
    is_submittable: bool = False
    istable: bool = False
    title_field: str = ""
    total_field: str = ""
    date_field: str = ""
    search_fields: tuple[str, ...] = ()
    sort_field: str = "modified"
    disabled: bool = False
    _by_name: dict[str, DocField] = field(default_factory=dict, repr=False)
    # Form fields made from `fields` on first use (validation.py; they keep no state per value);
    # not an argument, so a `replace()`d copy with other fields starts its own.
    _form_fields: dict[str, Any] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def label(self) -> str:
        return _label(self.raw)

    @property
    def icon(self) -> str:
        return str(self.raw.get("icon") or "fa-file-lines")

    def get_field(self, fieldname: str) -> DocField | None:
        return self._by_name.get(fieldname)

    def fetched_by(self, link_fieldname: str) -> dict[str, str]:
        """Fields filled from the record `link_fieldname` names: {own field: its field}."""
        return {
            f.fieldname: f.fetch_source[1]
            for f in self.fields
            if f.fetch_source and f.fetch_source[0] == link_fieldname
        }

    # Worked out once: every save and validation walks them several times.
    @functools.cached_property
    def value_fields(self) -> tuple[DocField, ...]:
        return tuple(f for f in self.fields if not f.is_layout)

    @functools.cached_property
    def table_fields(self) -> tuple[DocField, ...]:
        return tuple(f for f in self.fields if f.is_table)

    @property
    def list_view_fields(self) -> list[DocField]:
        return [f for f in self.fields if f.in_list_view and not f.is_table]

    @property
    def filter_fields(self) -> list[DocField]:
        return [f for f in self.fields if f.in_standard_filter]


def _decimal_or_none(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def parse_field(raw: dict[str, Any]) -> DocField:
    fieldtype = raw.get("fieldtype", "Data")
    if fieldtype not in FIELD_TYPES:
        raise ValueError(f"unknown fieldtype {fieldtype!r} for field {raw.get('fieldname')!r}")
    return DocField(
        fieldname=raw["fieldname"],
        fieldtype=fieldtype,
        raw=raw,
        options=str(raw.get("options") or ""),
        reqd=bool(raw.get("reqd")),
        read_only=bool(raw.get("read_only")),
        unique=bool(raw.get("unique")),
        default=raw.get("default"),
        in_list_view=bool(raw.get("in_list_view")),
        in_standard_filter=bool(raw.get("in_standard_filter")),
        allow_on_submit=bool(raw.get("allow_on_submit")),
        step_only=bool(raw.get("step_only")),
        no_copy=bool(raw.get("no_copy")),
        hidden=bool(raw.get("hidden")),
        min_value=_decimal_or_none(raw.get("min_value")),
        max_value=_decimal_or_none(raw.get("max_value")),
        description=str(raw.get("description") or ""),
        fetch_from=str(raw.get("fetch_from") or ""),
    )


def parse_meta(raw: dict[str, Any]) -> Meta:
    """Build a Meta from a DocType definition, refusing unknown field types and duplicates."""
    fields = tuple(parse_field(f) for f in raw.get("fields", []))
    by_name: dict[str, DocField] = {}
    for f in fields:
        if f.fieldname in by_name:
            raise ValueError(f"duplicate fieldname {f.fieldname!r} in {raw['name']}")
        by_name[f.fieldname] = f
    permissions = tuple(
        DocPerm(
            role=p["role"],
            rights=frozenset(t for t in PERMISSION_TYPES if p.get(t)),
            if_owner=bool(p.get("if_owner")),
            if_department=bool(p.get("if_department")),
        )
        for p in raw.get("permissions", [])
    )
    return Meta(
        name=raw["name"],
        raw=raw,
        fields=fields,
        permissions=permissions,
        module=raw.get("module", ""),
        autoname=raw.get("autoname", ""),
        is_submittable=bool(raw.get("is_submittable")),
        istable=bool(raw.get("istable")),
        title_field=raw.get("title_field", ""),
        total_field=raw.get("total_field", ""),
        date_field=raw.get("date_field", ""),
        search_fields=tuple(raw.get("search_fields", ())),
        sort_field=raw.get("sort_field", "modified"),
        disabled=bool(raw.get("disabled")),
        _by_name=by_name,
    )
