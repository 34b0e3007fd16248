"""库存盘点表: the store's balance as an Excel sheet to count the shelves against (期末盘点)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from school_logistics.stores.stock import StockRow

HEADER_FILL = PatternFill("solid", fgColor="DCE8F7")
QTY = "#,##0.###"
MONEY = "#,##0.00"


def stock_workbook(rows: Iterable[StockRow], *, school: str, taken_at: dt.datetime) -> bytes:
    """Return an .xlsx of the rows with empty 实盘数量 and a 差异 that Excel works out."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook has its sheet
    ws.title = _("库存盘点表")
    ws.append([_("%(school)s 库存盘点表") % {"school": school}])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([_("账面截至 %(at)s") % {"at": taken_at.strftime("%Y-%m-%d %H:%M")}])
    headers = [
        _("物资编码"), _("品名"), _("规格型号"), _("类别"), _("单位"), _("账面数量"),
        _("平均单价"), _("账面金额"), _("实盘数量"), _("盘盈亏数量"), _("备注"),
    ]  # fmt: skip
    ws.append(headers)
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for n, row in enumerate(rows, start=4):
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
    for idx, width in enumerate([14, 18, 20, 10, 6, 12, 10, 12, 12, 12, 20], start=1):
        ws.column_dimensions[get_column_letter(idx)].width = width
    ws.freeze_panes = "C4"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
