"""校产登记表: the assets on the books as an Excel sheet, with a line for the keeper to sign
(保管责任到人; checked at term start, mid-term and term end)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.translation import gettext as _
from openpyxl.styles import Font

from school_logistics.assets.register import AssetRow
from school_logistics.core.report_sheet import FIRST_ROW, MONEY, QTY, report_sheet, workbook_bytes


def register_workbook(
    rows: Sequence[AssetRow], *, school: str, room: str, taken_at: dt.datetime
) -> bytes:
    """Return an .xlsx of the rows with a 核对情况 column to fill in at the check."""
    title = _("%(school)s 校产登记表") % {"school": school}
    headers = [
        _("资产编号"), _("资产名称"), _("规格型号"), _("资产类别"), _("存放地点"), _("保管人"),
        _("数量"), _("单位"), _("账面金额"), _("取得日期"), _("核对情况"),
    ]  # fmt: skip
    wb, ws = report_sheet(
        _("校产登记表"),
        f"{title}（{room}）" if room else title,
        taken_at,
        headers,
        [16, 18, 18, 12, 18, 10, 8, 6, 12, 12, 20],
    )
    for n, row in enumerate(rows, start=FIRST_ROW):
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
    last = FIRST_ROW - 1 + len(rows)
    ws.append([_("合计"), None, None, None, None, None, None, None, f"=SUM(I{FIRST_ROW}:I{last})"])
    ws[f"A{last + 1}"].font = Font(bold=True)
    ws[f"I{last + 1}"].number_format = MONEY
    ws.append([])
    ws.append([_("保管人签字："), None, None, None, _("核对人签字："), None, None, _("日期：")])
    return workbook_bytes(wb)
