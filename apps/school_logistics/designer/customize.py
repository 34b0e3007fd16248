"""Lay admins' customisations (custom fields, property setters) over a built-in DocType."""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable
from typing import Any

from school_logistics.core.meta import parse_meta

logger = logging.getLogger(__name__)

# What an admin may change on a shipped field: how it looks, never what controllers rely on.
FIELD_OVERRIDABLE = (
    "label",
    "label_en",
    "hidden",
    "default",
    "description",
    "in_list_view",
    "in_standard_filter",
)
# What an admin may change on a built-in DocType itself.
DOCTYPE_OVERRIDABLE = ("label", "label_en", "icon", "permissions")
FIELD_ORDER = "field_order"


def overlay(
    shipped: dict[str, Any],
    custom_fields: Iterable[tuple[str, str, dict[str, Any]]],
    setters: Iterable[tuple[str, str, Any]],
) -> dict[str, Any]:
    """Return the shipped definition with custom fields inserted and properties overridden.

    `custom_fields` are (fieldname, insert_after, field JSON); `setters` are
    (fieldname or "", property, value). A custom field whose name a later shipped version
    took is left out: the shipped field wins and keeps the stored values.
    """
    raw = copy.deepcopy(shipped)
    fields: list[dict[str, Any]] = raw.setdefault("fields", [])
    taken = {f["fieldname"] for f in fields}
    for fieldname, after, definition in custom_fields:
        if fieldname in taken:
            continue
        field = {**definition, "fieldname": fieldname, "custom": 1}
        names = [f["fieldname"] for f in fields]
        at = names.index(after) + 1 if after in names else len(fields)
        fields.insert(at, field)
        taken.add(fieldname)
    by_name = {f["fieldname"]: f for f in fields}
    order: list[str] | None = None
    for fieldname, prop, value in setters:
        if not fieldname:
            if prop == FIELD_ORDER and isinstance(value, list):
                order = [str(v) for v in value]
            elif prop in DOCTYPE_OVERRIDABLE:
                raw[prop] = value
        elif fieldname in by_name and prop in FIELD_OVERRIDABLE:
            if value in (None, "", 0):
                by_name[fieldname].pop(prop, None)
            else:
                by_name[fieldname][prop] = value
    if order:
        raw["fields"] = reorder(fields, order)
    return raw


def reorder(fields: list[dict[str, Any]], order: list[str]) -> list[dict[str, Any]]:
    """Put fields in the saved order; fields it does not name stay after their predecessor."""
    by_name = {f["fieldname"]: f for f in fields}
    result = [by_name[n] for n in dict.fromkeys(order) if n in by_name]
    placed = {f["fieldname"] for f in result}
    previous: str | None = None
    for f in fields:
        name = f["fieldname"]
        if name not in placed:
            names = [r["fieldname"] for r in result]
            at = names.index(previous) + 1 if previous in names else 0
            result.insert(at, f)
            placed.add(name)
        previous = name
    return result


def stored_customisations(
    doctype: str,
) -> tuple[list[tuple[str, str, dict[str, Any]]], list[tuple[str, str, Any]]]:
    """Return the custom fields and property setters stored for a DocType."""
    from school_logistics.designer.models import CustomField, PropertySetter

    customs = [
        (c.fieldname, c.insert_after, c.definition)
        for c in CustomField.objects.filter(doctype=doctype).order_by("id")
    ]
    setters = list(
        PropertySetter.objects.filter(doctype=doctype).values_list("fieldname", "property", "value")
    )
    return customs, setters


def apply_customisations(doctype: str, shipped: dict[str, Any]) -> dict[str, Any]:
    """Return the definition get_meta parses: the stored one with customisations applied."""
    customs, setters = stored_customisations(doctype)
    if not customs and not setters:
        return shipped
    raw = overlay(shipped, customs, setters)
    try:
        parse_meta(raw)
    except (KeyError, TypeError, ValueError):
        # A newer shipped JSON may clash with old customisations; the form must still open.
        logger.exception("customisations of %s do not fit its definition; ignored", doctype)
        return shipped
    return raw
