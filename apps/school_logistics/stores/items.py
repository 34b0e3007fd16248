"""The Item master as other domains read it: refuse disabled items and quantities not above
zero on rows; and the checks other apps add to a 入库单 (e.g. purchasing's contract prices).

Rows take an item's name, unit and price through their DocTypes' `fetch_from` (core/fetch.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from school_logistics.core.document import Doc
from school_logistics.core.models import Document

Errors = dict[str, list[str]]
# Each adds its errors about a 入库单 being saved, or submitted (`submitting`: inside the
# submitting transaction, where it may lock what it reads); registered by other apps in ready().
receipt_checks: list[Callable[..., None]] = []
# Each returns why an approved requisition's goods may not be received yet (e.g. purchasing's
# rule that a big purchase goes to quotes first), or None; registered by other apps.
receipt_holds: list[Callable[[Document], str | None]] = []
# Each returns why a submitted 入库单 may not be cancelled (e.g. purchasing's: its purchase was
# reimbursed), or None; registered by other apps.
receipt_cancel_guards: list[Callable[[Document], str | None]] = []


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


def check_item_rows(doc: Doc, table: tuple[str, str]) -> dict[str, list[str]]:
    """Return errors of rows with no positive quantity or a disabled item."""
    key, label = table
    errors: dict[str, list[str]] = defaultdict(list)
    rows = doc.rows(key)
    refuse_disabled_items(
        rows, doc.instance.school_id, table=table, errors=errors, known=doc.linked.get("Item")
    )
    for idx, row in enumerate(rows, start=1):
        if row["qty"] is not None and row["qty"] <= 0:
            errors[f"{key}.{idx}.qty"].append(
                _("%(table)s第 %(idx)s 行：数量必须大于 0") % {"table": label, "idx": idx}
            )
    return errors
