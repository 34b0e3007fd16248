"""The .xlsx template users fill in for an import: the data sheet, a guide, and the options."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from school_logistics.core import permissions
from school_logistics.core.data_export import HEADER_FILL, sheet_title
from school_logistics.core.meta import DocField, Meta
from school_logistics.core.registry import get_meta
from school_logistics.core.sheet_layout import Column, columns, number_format

TYPE_LABELS = {
    "Data": gettext_lazy("文本"),
    "Small Text": gettext_lazy("文本"),
    "Text": gettext_lazy("长文本"),
    "Int": gettext_lazy("整数"),
    "Float": gettext_lazy("数字"),
    "Currency": pgettext_lazy("field type", "金额"),
    "Percent": gettext_lazy("百分比"),
    "Check": gettext_lazy("是/否（1 或 0）"),
    "Date": gettext_lazy("日期"),
    "Datetime": gettext_lazy("日期时间"),
    "Time": gettext_lazy("时间"),
    "Select": gettext_lazy("选项"),
    "Link": gettext_lazy("关联"),
    "User": gettext_lazy("用户名"),
    "Attach": gettext_lazy("附件地址"),
    "Attach Image": gettext_lazy("图片地址"),
}


def _hint(f: DocField) -> str:
    """Return what a user must know to fill a column: the options, or what a link points at."""
    if f.fieldtype == "Select":
        return "、".join(f.select_options)
    if f.fieldtype == "Link":
        target = _link_label(f.link_doctype)
        return _("填写%(target)s的编号或名称") % {"target": target}
    if f.fieldtype == "User":
        return _("填写本校用户的登录名")
    if f.fieldtype in {"Date", "Datetime"}:
        return _("Excel 日期，或 2026-09-01 这样的文字")
    return f.description


def _link_label(doctype: str) -> str:
    labels = {"Department": _("部门"), "User": _("用户"), "School": _("学校"), "Role": _("角色")}
    if doctype in labels:
        return labels[doctype]
    try:
        return get_meta(doctype).label
    except Exception:  # noqa: BLE001  (a broken link target still gets a readable template)
        return doctype


def _example(f: DocField, actor: Any, line: int) -> Any:
    """Return a plausible value for the example document, using the user's own school's data."""
    today = timezone.localdate()
    match f.fieldtype:
        case "Select":
            options = f.select_options
            return options[min(line, len(options) - 1)] if options else None
        case "Check":
            return 1
        case "Int":
            return 1 + line
        case "Float":
            return 2 + line
        case "Currency" | "Percent":
            return 120 if line == 0 else 18.5
        case "Date":
            return today
        case "Datetime":
            return timezone.localtime().replace(microsecond=0, tzinfo=None)
        case "Time":
            return timezone.localtime().time().replace(microsecond=0)
        case "User":
            return actor.username
        case "Link":
            return _example_link(f.link_doctype, actor, line)
        case "Attach" | "Attach Image":
            return None
    return _("示例%(label)s") % {"label": f.label}


def _example_link(doctype: str, actor: Any, line: int) -> str | None:
    if doctype == "Department":
        return actor.department.name if actor.department_id else None
    if doctype == "School":
        return actor.school.name if actor.school_id else None
    try:
        meta = get_meta(doctype)
    except Exception:  # noqa: BLE001
        return None
    names = list(
        permissions.readable(actor, meta)
        .filter(school_id=actor.school_id)
        .exclude(docstatus=2)
        .order_by("name")
        .values_list("name", flat=True)[:2]
    )
    return names[min(line, len(names) - 1)] if names else None


def _example_lines(cols: list[Column], actor: Any) -> list[list[Any]]:
    """Return two lines: one document whose child table has two rows (or just one line)."""
    has_table = any(c.is_child for c in cols)
    lines = []
    for line in range(2 if has_table else 1):
        cells: list[Any] = []
        for col in cols:
            if col.field is None or (line > 0 and not col.is_child):
                cells.append(None)
            else:
                cells.append(_example(col.field, actor, line))
        lines.append(cells)
    return lines


def _header(ws: Worksheet, cols: list[Column], row: int) -> None:
    for idx, col in enumerate(cols, start=1):
        cell = ws.cell(row=row, column=idx, value=col.label)
        required = col.field is not None and col.field.reqd
        cell.font = Font(bold=True, color="C00000" if required else "000000")
        cell.fill = HEADER_FILL


def _data_sheet(wb: Workbook, meta: Meta, cols: list[Column]) -> Worksheet:
    ws = wb.worksheets[0]
    ws.title = sheet_title(meta)
    _header(ws, cols, 1)
    for idx, col in enumerate(cols, start=1):
        ws.cell(row=2, column=idx, value=col.key).data_type = "s"
        letter = get_column_letter(idx)
        ws.column_dimensions[letter].width = max(10, min(40, len(col.label) * 2 + 4))
        fmt = number_format(col.field)
        if fmt:
            # Applies to the cells users type into, so dates and money display as expected.
            for row in range(3, 203):
                ws.cell(row=row, column=idx).number_format = fmt
    ws.row_dimensions[2].hidden = True
    ws.freeze_panes = "A3"
    return ws


def _options_sheet(wb: Workbook, data: Worksheet, cols: list[Column]) -> None:
    """List every Select field's options in a column and offer them as a drop-down."""
    selects = [(i, c) for i, c in enumerate(cols, start=1) if c.field and c.field.select_options]
    if not selects:
        return
    ws = wb.create_sheet(_("选项"))
    for n, (idx, col) in enumerate(selects, start=1):
        options = col.field.select_options  # type: ignore[union-attr]
        ws.cell(row=1, column=n, value=col.label).font = Font(bold=True)
        for r, option in enumerate(options, start=2):
            ws.cell(row=r, column=n, value=option).data_type = "s"
        letter = get_column_letter(n)
        ws.column_dimensions[letter].width = 16
        ref = f"{quote_sheetname(ws.title)}!${letter}$2:${letter}${len(options) + 1}"
        rule = DataValidation(type="list", formula1=ref, allow_blank=True, showErrorMessage=False)
        rule.add(f"{get_column_letter(idx)}3:{get_column_letter(idx)}5000")
        data.add_data_validation(rule)


def _guide_sheet(wb: Workbook, meta: Meta, cols: list[Column], actor: Any) -> None:
    ws = wb.create_sheet(_("说明"))
    notes = [
        _("在“%(sheet)s”表第 3 行起填写，每行一条单据；红色列为必填。")
        % {"sheet": sheet_title(meta)},
        _("明细（如“物资明细.物资”）有多行时，从下一行起只填明细列，上方单据列留空。"),
        _("第 2 行是隐藏的字段名，请勿删除或修改。空行会被跳过。"),
        _("任何一行有错误时，整个文件都不会导入；请按提示改正后重新上传。"),
    ]
    for r, note in enumerate(notes, start=1):
        ws.cell(row=r, column=1, value=note)
    start = len(notes) + 2
    heads = [_("列名"), _("字段名"), _("类型"), _("必填"), _("可选值 / 说明")]
    for c, head in enumerate(heads, start=1):
        ws.cell(row=start, column=c, value=head).font = Font(bold=True)
    for r, col in enumerate(cols, start=start + 1):
        f = col.field
        assert f is not None
        ws.cell(row=r, column=1, value=col.label)
        ws.cell(row=r, column=2, value=col.key).data_type = "s"
        ws.cell(row=r, column=3, value=str(TYPE_LABELS.get(f.fieldtype, f.fieldtype)))
        ws.cell(row=r, column=4, value=_("是") if f.reqd else "")
        ws.cell(row=r, column=5, value=_hint(f))
    for letter, width in zip("ABCDE", (22, 20, 14, 8, 60), strict=True):
        ws.column_dimensions[letter].width = width
    example_row = start + len(cols) + 2
    ws.cell(row=example_row, column=1, value=_("示例（照此格式填写到数据表）")).font = Font(
        bold=True
    )
    _header(ws, cols, example_row + 1)
    for r, line in enumerate(_example_lines(cols, actor), start=example_row + 2):
        for c, value in enumerate(line, start=1):
            cell = ws.cell(row=r, column=c, value=value)
            fmt = number_format(cols[c - 1].field)
            if fmt and value is not None:
                cell.number_format = fmt


def template_workbook(meta: Meta, actor: Any) -> bytes:
    """Return the import template of a DocType as .xlsx bytes."""
    cols = columns(meta)
    wb = Workbook()
    data = _data_sheet(wb, meta, cols)
    _guide_sheet(wb, meta, cols, actor)
    _options_sheet(wb, data, cols)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def template_filename(meta: Meta) -> str:
    return _("%(doctype)s-导入模板.xlsx") % {"doctype": meta.label}
