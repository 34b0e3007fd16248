"""Documents as Frappe clients expect them, and client input back into service values."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from school_logistics.api.errors import ValidationError
from school_logistics.core.document import child_metas_for
from school_logistics.core.meta import Meta
from school_logistics.core.models import Document
from school_logistics.core.values import field_from_json, from_json

# Keys Frappe puts on every document; clients echo them back on save, and the engine sets them.
DOC_SYSTEM_KEYS = frozenset(
    {
        "doctype",
        "name",
        "owner",
        "creation",
        "modified",
        "modified_by",
        "docstatus",
        "idx",
        "amended_from",
        "workflow_state",
        "parent",
        "parentfield",
        "parenttype",
        "__islocal",
        "__unsaved",
        "__last_sync_on",
        "_user_tags",
        "_comments",
        "_assign",
        "_liked_by",
        "_seen",
    }
)
# A child row keeps `name` (its id, so versions can follow it) and `idx`.
ROW_SYSTEM_KEYS = DOC_SYSTEM_KEYS - {"name", "idx"}


def standard_value(doc: Document, fieldname: str) -> Any:
    """Return one of Frappe's standard columns of a document."""
    match fieldname:
        case "name":
            return doc.name
        case "owner":
            return doc.owner.username
        case "modified_by":
            return doc.modified_by.username
        case "creation":
            return doc.created
        case "modified":
            return doc.modified
        case "docstatus":
            return doc.docstatus
        case "idx":
            return 0
        case "workflow_state":
            return doc.workflow_state or None
        case "amended_from":
            return doc.amended_from or None
    raise KeyError(fieldname)


def field_value(meta: Meta, doc: Document, fieldname: str) -> Any:
    """Return the typed value of a standard or DocType field (not a table) of a document."""
    f = meta.get_field(fieldname)
    if f is None:
        return standard_value(doc, fieldname)
    return field_from_json(f, doc.data.get(fieldname))


def doc_to_dict(meta: Meta, doc: Document) -> dict[str, Any]:
    """Return the whole document: standard keys, every field, child rows with parent keys."""
    child_metas = child_metas_for(meta)
    values = from_json(meta, doc.data, child_metas)
    out: dict[str, Any] = {key: standard_value(doc, key) for key in STANDARD_ORDER}
    out["doctype"] = meta.name
    for f in meta.value_fields:
        if not f.is_table:
            out[f.fieldname] = values.get(f.fieldname)
            continue
        rows = []
        for row in values.get(f.fieldname) or []:
            rows.append(
                {
                    **row,
                    "parent": doc.name,
                    "parentfield": f.fieldname,
                    "parenttype": meta.name,
                    "doctype": f.options,
                    "docstatus": doc.docstatus,
                }
            )
        out[f.fieldname] = rows
    return out


STANDARD_ORDER = (
    "name",
    "owner",
    "creation",
    "modified",
    "modified_by",
    "docstatus",
    "idx",
    "workflow_state",
    "amended_from",
)


def input_values(meta: Meta, raw: Any) -> dict[str, Any]:
    """Return the field values of a client's document body, without Frappe's system keys.

    Unknown keys stay in, so the engine's validation names them; wrong types are refused there.
    """
    if not isinstance(raw, dict):
        raise ValidationError(_("单据内容应为 JSON 对象"))
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key in DOC_SYSTEM_KEYS:
            continue
        f = meta.get_field(key)
        if f is not None and f.is_table and isinstance(value, list):
            value = [
                {k: v for k, v in row.items() if k not in ROW_SYSTEM_KEYS}
                if isinstance(row, dict)
                else row
                for row in value
            ]
        values[key] = value
    return values
