"""Export documents to .xlsx in the import layout, so an exported file imports back."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from school_logistics.core import extensions, permissions
from school_logistics.core.meta import Meta
from school_logistics.core.models import Document, User
from school_logistics.core.sheet_layout import (
    NAME_KEY,
    STATUS_KEY,
    Column,
    columns,
    excel_value,
    number_format,
)
from school_logistics.core.views.formatting import doc_status
from school_logistics.core.views.list_query import ListQuery

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = PatternFill("solid", fgColor="DCE8F7")


def sheet_title(meta: Meta) -> str:
    """Return a worksheet title Excel accepts (at most 31 characters, none of []:*?/\\)."""
    title = "".join(ch for ch in meta.label if ch not in "[]:*?/\\")
    return title[:31] or "Sheet1"


def header_cells(ws: WriteOnlyWorksheet, cols: list[Column]) -> tuple[list[Any], list[Any]]:
    """Return the label row and the (hidden) key row of a data sheet."""
    labels, keys = [], []
    for col in cols:
        label = WriteOnlyCell(ws, value=col.label)
        required = col.field is not None and col.field.reqd and col.accepts_input
        label.font = Font(bold=True, color="C00000" if required else "000000")
        label.fill = HEADER_FILL
        labels.append(label)
        keys.append(text_cell(ws, col.key))
    return labels, keys


def start_data_sheet(wb: Workbook, meta: Meta, cols: list[Column]) -> WriteOnlyWorksheet:
    """Add the data sheet with its two header rows; widths and the frozen header are set first."""
    ws = wb.create_sheet(sheet_title(meta))
    for idx, col in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(idx)].width = max(
            10, min(40, len(col.label) * 2 + 4)
        )
    ws.freeze_panes = "A3"
    ws.row_dimensions[2].hidden = True
    labels, keys = header_cells(ws, cols)
    ws.append(labels)
    ws.append(keys)
    return ws


def text_cell(ws: WriteOnlyWorksheet, value: str) -> Cell:
    """Return a cell that stays text: "=…" typed by a user must never become a formula."""
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell


def value_cell(ws: WriteOnlyWorksheet, col: Column, value: Any) -> Any:
    value = excel_value(col.field, value)
    if value is None:
        return None
    if isinstance(value, str):
        return text_cell(ws, value)
    cell = WriteOnlyCell(ws, value=value)
    fmt = number_format(col.field)
    if fmt:
        cell.number_format = fmt
    return cell


def document_lines(
    ws: WriteOnlyWorksheet, cols: list[Column], doc: Document
) -> Iterable[list[Any]]:
    """Yield the lines of one document: parent cells on the first, one child row per line."""
    data = doc.data
    tables: dict[str, list[dict[str, Any]]] = {}
    for col in cols:
        if col.table is not None:
            tables.setdefault(col.table.fieldname, data.get(col.table.fieldname) or [])
    height = max([1, *(len(rows) for rows in tables.values())])
    for line in range(height):
        cells: list[Any] = []
        for col in cols:
            if col.table is not None:
                rows = tables[col.table.fieldname]
                row = rows[line] if line < len(rows) else {}
                cells.append(value_cell(ws, col, row.get(col.field.fieldname)))  # type: ignore[union-attr]
            elif line > 0:
                cells.append(None)
            elif col.key == NAME_KEY:
                cells.append(text_cell(ws, doc.name))
            elif col.key == STATUS_KEY:
                # As the list shows it: a draft in approval is at its step, not 草稿.
                cells.append(text_cell(ws, str(doc_status(doc)[0])))
            else:
                cells.append(value_cell(ws, col, data.get(col.key)))
        yield cells


def export_queryset(user: User, meta: Meta, params: QueryDict) -> QuerySet[Document]:
    """Return what the user's list shows under these filters, limited to their export scope."""
    query = ListQuery.parse(meta, params, school_id=user.school_id)
    qs = query.apply(permissions.readable(user, meta))
    qs = extensions.with_approval_state(qs)
    reach = permissions.scope(user, meta, "export")
    if reach == "own":
        qs = qs.filter(owner=user)
    elif reach == "department":
        qs = qs.filter(Q(owner=user) | Q(department_id=user.department_id))
    if not user.is_superuser:
        # Read grants (e.g. an approver's) may show more; export stays within the user's schools.
        qs = qs.filter(school_id__in=user.school_ids())
    return qs


def export_workbook(meta: Meta, docs: Iterable[Document]) -> bytes:
    """Return an .xlsx of the documents in the import layout."""
    wb = Workbook(write_only=True)
    cols = columns(meta, with_computed=True)
    ws = start_data_sheet(wb, meta, cols)
    for doc in docs:
        for line in document_lines(ws, cols, doc):
            ws.append(line)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_filename(meta: Meta) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _("%(doctype)s-导出-%(stamp)s.xlsx") % {"doctype": meta.label, "stamp": stamp}
