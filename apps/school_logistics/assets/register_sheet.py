"""校产登记表: the assets on the books as an Excel sheet, with a line for the keeper to sign
(保管责任到人; checked at term start, mid-term and term end)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from school_logistics.assets.register import AssetRow

HEADER_FILL = PatternFill("solid", fgColor="DCE8F7")
QTY = "#,##0.###"
MONEY = "#,##0.00"


def register_workbook(
    rows: Sequence[AssetRow], *, school: str, room: str, taken_at: dt.datetime
) -> bytes:
    """Return an .xlsx of the rows with a 核对情况 column to fill in at the check."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook has its sheet
    ws.title = _("校产登记表")
    title = _("%(school)s 校产登记表") % {"school": school}
    ws.append([f"{title}（{room}）" if room else title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([_("账面截至 %(at)s") % {"at": taken_at.strftime("%Y-%m-%d %H:%M")}])
    headers = [
        _("资产编号"), _("资产名称"), _("规格型号"), _("资产类别"), _("存放地点"), _("保管人"),
        _("数量"), _("单位"), _("账面金额"), _("取得日期"), _("核对情况"),
    ]  # fmt: skip
    ws.append(headers)
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for n, row in enumerate(rows, start=4):
        ws.append(
            [
                row.asset,
                row.data.get("asset_name"),
                row.data.get("specification"),
                row.data.get("category"),
                row.location_name,
                row.custodian_name,
                row.qty,
                row.data.get("uom"),
                row.value,
                row.data.get("acquired_on"),
                None,
            ]
        )
        ws[f"G{n}"].number_format = QTY
        ws[f"I{n}"].number_format = MONEY
    last = 3 + len(rows)
    ws.append([_("合计"), None, None, None, None, None, None, None, f"=SUM(I4:I{last})"])
    ws[f"A{last + 1}"].font = Font(bold=True)
    ws[f"I{last + 1}"].number_format = MONEY
    ws.append([])
    ws.append([_("保管人签字："), None, None, None, _("核对人签字："), None, None, _("日期：")])
    for idx, width in enumerate([16, 18, 18, 12, 18, 10, 8, 6, 12, 12, 20], start=1):
        ws.column_dimensions[get_column_letter(idx)].width = width
    ws.freeze_panes = "C4"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
