"""The store's books through the REST API (`/api/method/...`), for finance software and the
district's dashboards: who may read 库存台账 in the browser may read them here."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from school_logistics.api import errors
from school_logistics.api.handler import Call
from school_logistics.api.methods import READ, Method
from school_logistics.core.models import Document
from school_logistics.ledger.stock import balances as ledger_balances
from school_logistics.stores import stock
from school_logistics.stores.permissions import check_view_stock

MAX_MOVEMENTS = 500


def get_stock_balance(call: Call) -> Any:
    """ERPNext's `get_stock_balance`: the quantity of one item in the store now."""
    school_id = check_view_stock(call.user)
    code = str(call.arg("item_code") or "")
    if not code:
        raise errors.ValidationError(_("缺少参数：%(name)s") % {"name": "item_code"})
    if not Document.objects.filter(doctype="Item", school_id=school_id, name=code).exists():
        raise errors.DoesNotExistError(_("没有这个物资：%(item)s") % {"item": code[:140]})
    held = ledger_balances(school_id, [code])
    return held[code].qty if code in held else Decimal(0)


def balances(call: Call) -> list[dict[str, Any]]:
    """Every item's quantity, average rate and value (of one category, or all of them)."""
    school_id = check_view_stock(call.user)
    rows = stock.stock_rows(
        school_id,
        category=str(call.arg("category") or ""),
        in_stock=str(call.arg("in_stock") or "") in {"1", "true"},
    )
    return [
        {
            "item_code": r.item,
            "item_name": r.data.get("item_name"),
            "uom": r.data.get("uom"),
            "category": r.data.get("category"),
            "qty": r.qty,
            "average_rate": r.average,
            "value": r.value,
            "last_moved": r.last_moved,
        }
        for r in rows
    ]


def movements(call: Call) -> list[dict[str, Any]]:
    """One item's ledger rows, newest first (`limit`, at most 500)."""
    school_id = check_view_stock(call.user)
    code = str(call.arg("item_code") or "")
    if not code:
        raise errors.ValidationError(_("缺少参数：%(name)s") % {"name": "item_code"})
    try:
        limit = min(int(call.arg("limit") or 100), MAX_MOVEMENTS)
    except (TypeError, ValueError):
        raise errors.ValidationError(_("%(name)s 应为整数") % {"name": "limit"}) from None
    return [
        {
            "posting_date": e.posting_date,
            "voucher_type": e.voucher.doctype,
            "voucher_no": e.voucher.name,
            "qty_change": e.qty_change,
            "value_change": e.value_change,
            "balance_qty": e.balance_qty,
            "balance_value": e.balance_value,
            "is_reversal": e.reverses_id is not None,
        }
        for e in stock.movements(school_id, code, max(limit, 1))
    ]


METHODS = {
    "erpnext.stock.utils.get_stock_balance": Method(
        get_stock_balance, READ, summary="物资当前库存数量（item_code）"
    ),
    "school_logistics.stock.balances": Method(
        balances, READ, summary="库存台账：各物资结存数量、平均单价、金额（可按 category 筛选）"
    ),
    "school_logistics.stock.movements": Method(
        movements, READ, summary="物资出入库明细（item_code，limit 最多 500）"
    ),
}
