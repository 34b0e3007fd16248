"""库存盘点表: the store's balance as an Excel sheet to count the shelves against (期末盘点)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

from school_logistics.core.report_sheet import FIRST_ROW, MONEY, QTY, report_sheet, workbook_bytes
from school_logistics.stores.stock import StockRow


def stock_workbook(rows: Iterable[StockRow], *, school: str, taken_at: dt.datetime) -> bytes:
    """Return an .xlsx of the rows with empty 实盘数量 and a 差异 that Excel works out."""
    headers = [
        _("物资编码"), _("品名"), _("规格型号"), _("类别"), _("单位"), _("账面数量"),
        _("平均单价"), _("账面金额"), _("实盘数量"), _("盘盈亏数量"), _("备注"),
    ]  # fmt: skip
    wb, ws = report_sheet(
        _("库存盘点表"),
        _("%(school)s 库存盘点表") % {"school": school},
        taken_at,
        headers,
        [14, 18, 20, 10, 6, 12, 10, 12, 12, 12, 20],
    )
    for n, row in enumerate(rows, start=FIRST_ROW):
        ws.append(
            [
                row.item,
                row.data.get("item_name"),
                row.data.get("specification"),
                row.data.get("category"),
                row.data.get("uom"),
                row.qty,
                row.average,
                row.value,
                None,
                f'=IF(I{n}="","",I{n}-F{n})',
                None,
            ]
        )
        ws[f"F{n}"].number_format = QTY
        ws[f"G{n}"].number_format = MONEY
        ws[f"H{n}"].number_format = MONEY
        ws[f"I{n}"].number_format = QTY
        ws[f"J{n}"].number_format = QTY
    return workbook_bytes(wb)
