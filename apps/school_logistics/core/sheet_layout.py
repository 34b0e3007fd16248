"""The spreadsheet layout that import templates, imports and exports share (Frappe's layout).

One column per input field; child-table cells are columns named `物资明细.物资` (key
`items.item`). A document's parent cells are filled on its first line; each further line
holds one more child row of each table. Row 1 holds the labels users read, row 2 (hidden) the
keys the importer matches, so renamed labels or another language still import.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core.document import child_metas_for
from school_logistics.core.forms_input import child_input_fields
from school_logistics.core.meta import DECIMAL_TYPES, DocField, Meta

DATA_SHEET_ROWS_BEFORE_DATA = 2  # labels, then keys
NAME_KEY = "name"
STATUS_KEY = "docstatus"
# Excel's error values; a cell holding one is a broken formula, never data.
EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})
TRUE_WORDS = frozenset({"1", "是", "true", "yes", "y", "√", "✓", "✔"})
FALSE_WORDS = frozenset({"0", "否", "false", "no", "n", "×", "✗"})


class CellError(ValueError):
    """A cell's content cannot become a value of its field; the message is for the user."""


@dataclass(frozen=True)
class Column:
    key: str  # `purpose`, `items.qty`, `name`
    label: str  # `用途`, `物资明细.数量`, `编号`
    field: DocField | None  # None for the document's name and status
    table: DocField | None = None  # the Table field of a child column

    @property
    def is_child(self) -> bool:
        return self.table is not None

    @property
    def accepts_input(self) -> bool:
        return self.field is not None and self.field.accepts_input and not self.field.hidden


def _input_fields(meta: Meta) -> list[DocField]:
    return [f for f in meta.value_fields if f.accepts_input and not f.hidden and not f.is_table]


def _shown_fields(meta: Meta) -> list[DocField]:
    return [f for f in meta.value_fields if not f.hidden and not f.is_table]


def columns(meta: Meta, *, with_computed: bool = False) -> list[Column]:
    """Return the sheet's columns: input fields, or all shown fields with the name for exports."""
    pick = _shown_fields if with_computed else _input_fields
    cols: list[Column] = []
    if with_computed:
        cols.append(Column(NAME_KEY, _("编号"), None))
        if meta.is_submittable:
            cols.append(Column(STATUS_KEY, _("状态"), None))
    cols += [Column(f.fieldname, f.label, f) for f in pick(meta)]
    children = child_metas_for(meta)
    for table in meta.table_fields:
        child = children[table.options]
        cells = child_input_fields(child) if not with_computed else _shown_fields(child)
        cols += [
            Column(f"{table.fieldname}.{f.fieldname}", f"{table.label}.{f.label}", f, table)
            for f in cells
        ]
    return cols


# --- cells → the text a form would post ---------------------------------------------------------


def _plain_number(value: float | int | Decimal) -> str:
    """Return a number as text without exponent; a float gives its shortest exact repr."""
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CellError(_("不是有效的数字"))
        number = Decimal(repr(value))
    else:
        number = Decimal(value)
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def cell_text(f: DocField, value: Any) -> str:
    """Return what a user would have typed into the form for this cell ("" when empty).

    Excel numbers are floats: they pass through their shortest repr into Decimal, so binary
    noise such as 0.30000000000000004 reaches the form's decimal places check and is refused,
    exactly as typing it would be.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        text = value.strip()
        if text in EXCEL_ERRORS:
            raise CellError(_("单元格是 Excel 错误值 %(value)s，请检查公式") % {"value": text})
        if f.fieldtype == "Check":
            return _check_text(text)
        return text
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        if f.fieldtype == "Date" or (
            f.fieldtype not in {"Datetime", "Time"} and value.time() == dt.time()
        ):
            return value.date().isoformat()
        if f.fieldtype == "Time":
            return value.time().isoformat()
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta) and f.fieldtype == "Time":
        return (dt.datetime.min + value).time().isoformat()
    if isinstance(value, int | float | Decimal):
        text = _plain_number(value)
        return _check_text(text) if f.fieldtype == "Check" else text
    return str(value).strip()


def _check_text(text: str) -> str:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return "1"
    if word in FALSE_WORDS or word == "":
        return "0"
    raise CellError(_("请填写 1 或 0（是 或 否）"))


# --- values → cells an export writes ------------------------------------------------------------


def excel_value(f: DocField | None, value: Any) -> Any:
    """Return the cell value for a stored JSON value: numbers as numbers, dates as dates."""
    if value is None or value == "":
        return None
    if f is None:
        return value
    if f.fieldtype in DECIMAL_TYPES:
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return str(value)
    if f.fieldtype == "Int":
        return int(value)
    if f.fieldtype == "Check":
        return 1 if value else 0
    if f.fieldtype == "Date" and isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    if f.fieldtype == "Datetime" and isinstance(value, str):
        moment = dt.datetime.fromisoformat(value)
        if timezone.is_aware(moment):
            # Excel has no time zones: write the school's wall-clock time, which imports back.
            moment = timezone.localtime(moment).replace(tzinfo=None)
        return moment
    if f.fieldtype == "Time" and isinstance(value, str):
        return dt.time.fromisoformat(value)
    return value


def number_format(f: DocField | None) -> str | None:
    """Return the Excel number format that shows a field's values as users expect."""
    if f is None:
        return None
    match f.fieldtype:
        case "Currency":
            return "#,##0.00"
        case "Percent":
            return "0.00"
        case "Date":
            return "yyyy-mm-dd"
        case "Datetime":
            return "yyyy-mm-dd hh:mm:ss"
        case "Time":
            return "hh:mm:ss"
    return None
