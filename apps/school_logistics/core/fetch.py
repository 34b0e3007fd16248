"""Fields filled from the record a Link names (`fetch_from`, as in Frappe): an item's name,
unit and reference price on a requisition or repair row.

A read-only field always shows the linked record's value (pick another item, its name follows);
an input field is filled only when left empty, so a price the user typed stands. It runs right
after the link check, which read the linked records, so it costs no query, and before the
formulas, so `qty * rate` sees the fetched rate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from school_logistics.core.document import Doc
from school_logistics.core.meta import Meta
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.values import field_from_json


def has_fetches(meta: Meta) -> bool:
    return any(f.fetch_source for f in meta.value_fields)


def fetched_fields(metas: Iterable[Meta]) -> dict[str, set[str]]:
    """What a form (its metas: the document's and its tables') takes from linked records:
    target DocType → the fields of its records that some field fetches."""
    found: dict[str, set[str]] = defaultdict(set)
    for meta in metas:
        for f in meta.value_fields:
            link = meta.get_field(f.fetch_source[0]) if f.fetch_source else None
            if link is not None:
                found[link.link_doctype].add(f.fetch_source[1])  # type: ignore[index]
    return found


def apply_fetches(doc: Doc, *, partial: bool = False) -> None:
    """Fill fetched fields from `doc.linked`; a required one still empty is refused (unless
    `partial`: a form being filled in)."""
    errors: dict[str, list[str]] = defaultdict(list)
    if has_fetches(doc.meta):
        _fill(doc.meta, doc.values, doc.linked, "", "", errors)
    for table in doc.meta.table_fields:
        child = doc.child_metas[table.options]
        if not has_fetches(child):
            continue
        for idx, row in enumerate(doc.values.get(table.fieldname) or [], start=1):
            where = _("%(table)s第 %(idx)s 行：") % {"table": table.label, "idx": idx}
            _fill(child, row, doc.linked, f"{table.fieldname}.{idx}.", where, errors)
    if errors and not partial:
        raise DocumentValidationError(errors)


def _fill(
    meta: Meta,
    values: dict[str, Any],
    linked: dict[str, dict[str, Any]],
    key_prefix: str,
    label_prefix: str,
    errors: dict[str, list[str]],
) -> None:
    for f in meta.value_fields:
        source = f.fetch_source
        if source is None:
            continue
        link_name, source_field = source
        link = meta.get_field(link_name)
        name = values.get(link_name)
        if link is not None and name is not None and name != "":
            if not f.accepts_input or values.get(f.fieldname) in (None, ""):
                record = linked.get(link.link_doctype, {}).get(name) or {}
                values[f.fieldname] = _typed(f, record.get(source_field))
        if f.reqd and values.get(f.fieldname) in (None, ""):
            errors[key_prefix + f.fieldname].append(
                label_prefix + _("%(label)s：此项为必填项") % {"label": f.label}
            )


def _typed(f: Any, stored: Any) -> Any:
    if stored in (None, ""):
        return None
    try:
        return field_from_json(f, stored)
    except (InvalidOperation, TypeError, ValueError):
        return None  # the source field holds another kind of value: nothing to fill
