"""Carry stored documents along when a form changes: renamed keys, converted values.

Everything here runs inside the designer service's transaction; a refusal raises before any
document is written, so a change either reaches every document or none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from school_logistics.core.meta import DocField, Meta
from school_logistics.core.models import DocType, Document, Version
from school_logistics.core.registry import get_meta
from school_logistics.core.validation import DocumentValidationError, form_field
from school_logistics.core.values import field_from_json, field_to_json
from school_logistics.designer.definition import type_label

# How many blocking documents a refusal names before it says "and N more".
NAMED_LIMIT = 8

RowEdit = Callable[[dict[str, Any]], None]


def parent_tables(child: str) -> dict[str, list[str]]:
    """Return {parent DocType: [table fieldnames]} of the tables whose rows are `child`."""
    found: dict[str, list[str]] = defaultdict(list)
    for name in DocType.objects.filter(istable=False).values_list("name", flat=True):
        for f in get_meta(name).table_fields:
            if f.options == child:
                found[name].append(f.fieldname)
    return found


def _places(doctype: str, istable: bool) -> Iterator[tuple[Document, list[dict[str, Any]]]]:
    """Yield each locked document holding values of the DocType, with the dicts that hold them."""
    if not istable:
        for doc in Document.objects.select_for_update().filter(doctype=doctype).order_by("id"):
            yield doc, [doc.data]
        return
    for parent, tables in parent_tables(doctype).items():
        for doc in Document.objects.select_for_update().filter(doctype=parent).order_by("id"):
            rows = [r for t in tables for r in (doc.data.get(t) or []) if isinstance(r, dict)]
            yield doc, rows


def rewrite(doctype: str, istable: bool, edit: RowEdit) -> int:
    """Apply `edit` to every stored value dict of the DocType; return the documents changed."""
    changed = 0
    for doc, holders in _places(doctype, istable):
        before = repr(doc.data)
        for holder in holders:
            edit(holder)
        if repr(doc.data) != before:
            # update() keeps `modified`: reshaping stored data is not a user's edit.
            Document.objects.filter(pk=doc.pk).update(data=doc.data)
            changed += 1
    return changed


def rename_key(old: str, new: str) -> RowEdit:
    def edit(holder: dict[str, Any]) -> None:
        if old in holder:
            holder[new] = holder.pop(old)

    return edit


def rename_in_history(doctype: str, istable: bool, renames: dict[str, str]) -> int:
    """Rename fields in the documents' recorded changes too, so their history names each
    change by the field's label, not by a fieldname the form no longer has. Returns the
    versions rewritten."""
    if not renames:
        return 0
    name = renames.get
    if istable:
        tables = parent_tables(doctype)
        versions = Version.objects.filter(document__doctype__in=list(tables))
    else:
        tables = {}
        versions = Version.objects.filter(document__doctype=doctype)
    changed = []
    for version in versions.select_related("document").only("diff", "document__doctype"):
        diff = version.diff or {}
        before = repr(diff)
        ours = set(tables.get(version.document.doctype, ()))
        for entry in diff.get("changed", []):
            if not istable:
                entry[0] = name(entry[0], entry[0])
        for key in ("added", "removed"):
            for entry in diff.get(key, []):
                if istable and entry[0] in ours and isinstance(entry[1], dict):
                    entry[1] = {name(k, k): v for k, v in entry[1].items()}
                elif not istable:
                    entry[0] = name(entry[0], entry[0])
        for entry in diff.get("row_changed", []):
            if istable and entry[0] in ours:
                for cell in entry[3]:
                    cell[0] = name(cell[0], cell[0])
            elif not istable:
                entry[0] = name(entry[0], entry[0])
        if repr(diff) != before:
            changed.append(version)
    Version.objects.bulk_update(changed, ["diff"], batch_size=500)
    return len(changed)


def convert(old: DocField, new: DocField, value: Any) -> Any:
    """Return a stored value in the new type's JSON form, or raise ValueError."""
    if value is None or value == "" or value == []:
        return field_to_json(new, None)
    if old.is_table or new.is_table:
        raise ValueError(value)
    typed = field_from_json(old, value)
    text = typed.isoformat() if hasattr(typed, "isoformat") else str(typed)
    if old.fieldtype == "Check" and new.fieldtype != "Check":
        raise ValueError(value)  # 0/1 means nothing as text or a number of something
    loose = replace(new, reqd=False, min_value=None, max_value=None)
    try:
        cleaned = form_field(loose).clean(text)
    except ValidationError as exc:
        raise ValueError(value) from exc
    return field_to_json(new, cleaned)


def _needs_conversion(old: DocField, new: DocField) -> bool:
    if old.fieldtype != new.fieldtype:
        return True
    return new.fieldtype == "Select" and set(old.select_options) - set(new.select_options) != set()


def convert_field(meta: Meta, old: DocField, new: DocField, *, stored_as: str) -> RowEdit | None:
    """Check every stored value converts to the new type; return the edit, or refuse naming documents.

    `stored_as` is the key the values sit under now (the old name, before any rename).
    """
    if not _needs_conversion(old, new):
        return None
    blocking: list[str] = []
    for doc, holders in _places(meta.name, meta.istable):
        for holder in holders:
            if stored_as not in holder:
                continue
            try:
                convert(old, new, holder[stored_as])
            except (ValueError, ArithmeticError, TypeError):
                blocking.append(f"{doc.name}（“{str(holder[stored_as])[:20]}”）")
                break
    if blocking:
        names = "、".join(blocking[:NAMED_LIMIT])
        if len(blocking) > NAMED_LIMIT:
            names += _(" 等 %(n)s 张") % {"n": len(blocking)}
        if new.fieldtype == old.fieldtype:
            message = _(
                "字段“%(f)s”的选项不能去掉已被使用的值，以下单据在用：%(docs)s。请先修改这些单据。"
            )
        else:
            message = _(
                "字段“%(f)s”不能从“%(a)s”改为“%(b)s”：以下单据的值无法转换：%(docs)s。"
                "请先修改这些单据。"
            )
        raise DocumentValidationError.single(
            message
            % {
                "f": new.label,
                "a": type_label(old.fieldtype),
                "b": type_label(new.fieldtype),
                "docs": names,
            },
            f"fields.{new.fieldname}",
        )

    def edit(holder: dict[str, Any]) -> None:
        if stored_as in holder:
            holder[stored_as] = convert(old, new, holder[stored_as])

    return edit


def check_unique(meta: Meta, f: DocField, *, stored_as: str) -> None:
    """Refuse making a field unique while two documents of one school share a value."""
    if meta.istable:
        raise DocumentValidationError.single(
            _("字段“%(f)s”：子表字段不能设为唯一") % {"f": f.label}, f"fields.{f.fieldname}"
        )
    seen: dict[tuple[int, str], str] = {}
    clashes: list[str] = []
    for doc, holders in _places(meta.name, False):
        value = holders[0].get(stored_as)
        if value in (None, ""):
            continue
        key = (doc.school_id, str(value))
        if key in seen:
            clashes.append(f"{seen[key]} / {doc.name}（“{str(value)[:20]}”）")
        else:
            seen[key] = doc.name
    if clashes:
        raise DocumentValidationError.single(
            _("字段“%(f)s”不能设为唯一：以下单据的值重复：%(docs)s")
            % {"f": f.label, "docs": "、".join(clashes[:NAMED_LIMIT])},
            f"fields.{f.fieldname}",
        )
