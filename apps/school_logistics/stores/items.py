"""The Item master as other domains read it: refuse disabled items on rows.

Rows take an item's name, unit and price through their DocTypes' `fetch_from` (core/fetch.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from school_logistics.core.models import Document


def items_by_code(codes: set[str], school_id: int) -> dict[str, dict[str, Any]]:
    """Return the stored data of the school's Items named in `codes`, in one query."""
    if not codes:
        return {}
    qs = Document.objects.filter(doctype="Item", school_id=school_id, name__in=codes)
    return {d.name: d.data for d in qs}


def refuse_disabled_items(
    rows: list[dict[str, Any]],
    school_id: int,
    *,
    table: tuple[str, str],
    errors: dict[str, list[str]],
    known: Mapping[str, dict[str, Any] | None] | None = None,
) -> None:
    """Add an error for each row naming a disabled item.

    `table` is (fieldname, label) of the child table, for messages keyed to the row. `known` are
    Items validation already read (`Doc.linked["Item"]`): no query when every row's is there.
    """
    key, label = table
    codes = {r["item"] for r in rows if r.get("item")}
    if known is not None and codes <= known.keys():
        items = {code: known[code] or {} for code in codes}
    else:
        items = items_by_code(codes, school_id)
    for idx, row in enumerate(rows, start=1):
        data = items.get(row.get("item")) or {}
        if data.get("disabled"):
            errors.setdefault(f"{key}.{idx}.item", []).append(
                _("%(table)s第 %(idx)s 行：物资“%(item)s”已停用，不能再使用")
                % {"table": label, "idx": idx, "item": data.get("item_name") or row["item"]}
            )
