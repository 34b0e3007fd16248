"""The frame of a report exported as an Excel sheet (库存盘点表, 校产登记表): a title, the moment
the figures were read, a header row, columns sized and the names kept in view while scrolling."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

HEADER_FILL = PatternFill("solid", fgColor="DCE8F7")
QTY = "#,##0.###"
MONEY = "#,##0.00"
FIRST_ROW = 4  # the first data row, under the title, the time and the header


def report_sheet(
    name: str,
    title: str,
    taken_at: dt.datetime,
    headers: Sequence[str],
    widths: Sequence[int],
    *,
    as_of: str = "",
) -> tuple[Workbook, Worksheet]:
    """Return a new workbook and its sheet with the title, when the figures were read
    (`as_of` with an `%(at)s`; 账面截至 by default) and the header row."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook has its sheet
    ws.title = name
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    stamp = timezone.localtime(taken_at).strftime("%Y-%m-%d %H:%M")
    ws.append([(as_of or _("账面截至 %(at)s")) % {"at": stamp}])
    ws.append(list(headers))
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for idx, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(idx)].width = width
    ws.freeze_panes = f"C{FIRST_ROW}"
    return wb, ws


def workbook_bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
