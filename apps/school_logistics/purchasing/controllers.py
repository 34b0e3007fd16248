"""Controllers of the purchasing DocTypes: requisitions and tenders."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from school_logistics.core.controllers import Controller, register
from school_logistics.core.document import Doc
from school_logistics.core.models import Document
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.values import quantize


def fill_from_items(rows: list[dict], school_id: int, fields: dict[str, str]) -> None:
    """Fill empty row fields from the Item master (row field → Item field), in one query."""
    codes = {r["item"] for r in rows if r.get("item")}
    items = {
        d.name: d.data
        for d in Document.objects.filter(doctype="Item", school_id=school_id, name__in=codes)
    }
    for row in rows:
        data = items.get(row.get("item")) or {}
        for row_field, item_field in fields.items():
            if row.get(row_field) in (None, "") and data.get(item_field) not in (None, ""):
                row[row_field] = data[item_field]


@register("Material Requisition")
class MaterialRequisition(Controller):
    def validate(self, doc: Doc) -> None:
        rows = doc.rows("items")
        fill_from_items(
            rows,
            doc.instance.school_id,
            {"item_name": "item_name", "specification": "specification", "uom": "uom"},
        )
        errors: dict[str, list[str]] = {}
        total = Decimal(0)
        for idx, row in enumerate(rows, start=1):
            if row["qty"] is not None and row["qty"] <= 0:
                errors[f"items.{idx}.qty"] = [
                    _("物资明细第 %(idx)s 行：数量必须大于 0") % {"idx": idx}
                ]
                continue
            row["amount"] = quantize(row["qty"] * row["rate"], "Currency")
            total += row["amount"]
        required_by, posting_date = doc.get("required_by"), doc.get("posting_date")
        if required_by and posting_date and required_by < posting_date:
            errors["required_by"] = [_("需用日期不能早于申请日期")]
        if errors:
            raise DocumentValidationError(errors)
        doc.set("grand_total", total)
