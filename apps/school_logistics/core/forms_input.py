"""Turn a desk form's POST data into the values dict the document services take.

Scalar fields post under their fieldname; child rows post as `items-0-qty`, one hidden
`items-0-name` per row (the row's id, empty for new rows) and one `items-present` marker per
table so that "all rows removed" differs from "table not on the form".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.http import QueryDict

from school_logistics.core.meta import DocField, Meta
from school_logistics.core.models.document import DocStatus

ROW_KEY = re.compile(r"^(?P<table>[A-Za-z_][\w]*)-(?P<idx>\d{1,4})-(?P<field>[A-Za-z_][\w]*)$")


def is_editable(f: DocField, docstatus: int) -> bool:
    """Return whether a form shows an input for this field in a document of this state."""
    if f.is_layout or f.hidden or not (f.accepts_input or f.is_table):
        return False
    if docstatus == DocStatus.DRAFT:
        return True
    return docstatus == DocStatus.SUBMITTED and f.allow_on_submit


def editable_fields(meta: Meta, docstatus: int) -> list[DocField]:
    return [f for f in meta.value_fields if is_editable(f, docstatus)]


def child_input_fields(child: Meta) -> list[DocField]:
    """Return the cells of a child row that users type into."""
    return [f for f in child.value_fields if f.accepts_input and not f.hidden and not f.is_table]


def _posted(key: str, fieldtype: str, data: QueryDict) -> str | None:
    """Return the posted text of one input, or None when the form did not post it."""
    posted = data.getlist(key)
    if not posted:
        return None
    if fieldtype == "Check":
        # A hidden "0" precedes the checkbox, so the last value is the box's state.
        return "1" if posted[-1] in {"1", "on", "true"} else "0"
    return posted[-1]


def _rows(table: DocField, child: Meta, data: QueryDict) -> list[dict[str, Any]]:
    cells = child_input_fields(child)
    by_index: dict[int, dict[str, Any]] = {}
    for key in data:
        match = ROW_KEY.match(key)
        if not match or match["table"] != table.fieldname:
            continue
        by_index.setdefault(int(match["idx"]), {})
    rows = []
    for idx in sorted(by_index):
        prefix = f"{table.fieldname}-{idx}-"
        row: dict[str, Any] = {}
        for cell in cells:
            value = _posted(f"{prefix}{cell.fieldname}", cell.fieldtype, data)
            if value is not None:
                row[cell.fieldname] = value
        name = (data.get(f"{prefix}name") or "").strip()
        blank = all(
            str(row.get(c.fieldname) or "").strip() == "" for c in cells if c.fieldtype != "Check"
        )
        if blank and (not name or all(c.fieldname in row for c in cells)):
            # An empty row is not meant as data; but where only some cells of the stored rows
            # are open (row_cells), a row whose open cells are all empty still stands.
            continue
        if name:
            row["name"] = name
        rows.append(row)
    return rows


def parse_post(
    meta: Meta, child_metas: dict[str, Meta], data: QueryDict, fields: Iterable[DocField]
) -> dict[str, Any]:
    """Return `{fieldname: text, table: [row, ...]}` for the given editable fields."""
    values: dict[str, Any] = {}
    for f in fields:
        if f.is_table:
            if f"{f.fieldname}-present" in data:
                values[f.fieldname] = _rows(f, child_metas[f.options], data)
            continue
        value = _posted(f.fieldname, f.fieldtype, data)
        if value is not None:
            values[f.fieldname] = value
    return values
