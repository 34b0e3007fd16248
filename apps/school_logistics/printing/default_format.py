"""Generate the standard print template of a DocType from its metadata."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.html import escape

from school_logistics.core.meta import NUMERIC_TYPES, DocField, Meta
from school_logistics.core.registry import get_meta
from school_logistics.core.views.layout import summable, title_echoes
from school_logistics.printing.models import PageSize

STANDARD_NAME = "标准格式"
# Short forms a 总务处 prints on half a sheet; a DocType's JSON may say so itself with
# "print_page_size": "A5 landscape" (admin-made DocTypes do), which wins over this list.
PAGE_SIZE_HINTS = {"Repair Ticket": PageSize.A5_LANDSCAPE}
# Values that make no sense on paper: pictures are shown in the browser, not on the voucher.
SKIPPED_TYPES = frozenset({"Attach", "Attach Image"})
# Columns whose values are a character or two (箱, 支, 是): a narrow column on paper.
NARROW_FIELDS = frozenset({"uom", "unit", "stock_uom", "gender"})
# Long text takes a whole row of the field grid.
WIDE_TYPES = frozenset({"Text", "Small Text"})
# What a fixed column's class (voucher.css) gives it, in em of the voucher's 10pt text: a
# header needing more is given a wider class, `w4` … `w8` (4em … 8em).
CLASS_WIDTH_EM = {"num money": 6.2, "num": 4.2, "short": 3.0}
WIDEST_EM = 8
# A column header's cell padding (1.4mm a side, voucher.css) and its bold face, in em.
HEADER_PADDING_EM = 0.9
# Headers longer than this many em wrap onto a second line rather than widen the column.
ONE_LINE_EM = 5.5
# The fixed columns of a table may take about 60% of A4's 182mm; past it, headers of more
# than three characters wrap onto two lines, so the names and notes keep room to be read.
FIXED_BUDGET_EM = 31


def page_size_for(meta: Meta) -> str:
    """Return the paper of a DocType's standard format: its hint, else A4 with tables, A5 without."""
    hint = meta.raw.get("print_page_size") or PAGE_SIZE_HINTS.get(meta.name)
    if hint in PageSize.values:
        return str(hint)
    return PageSize.A4_PORTRAIT if meta.table_fields else PageSize.A5_LANDSCAPE


@dataclass
class _Part:
    """A run of fields between tables, in the columns the form shows them in."""

    columns: list[list[DocField]] = field(default_factory=lambda: [[]])


@dataclass
class _Section:
    label: str
    # Field runs and tables in the order the DocType lists them.
    parts: list[_Part | DocField] = field(default_factory=lambda: [_Part()])


def _sections(meta: Meta) -> list[_Section]:
    sections = [_Section("")]
    echoes = title_echoes(meta)  # 地点名称 beside a 报修地点 printed by its name
    for f in meta.fields:
        parts = sections[-1].parts
        if f.fieldtype == "Section Break":
            sections.append(_Section(f.label if f.raw.get("label") else ""))
        elif f.is_table:
            parts += [f, _Part()]
        elif not isinstance(parts[-1], _Part):
            continue
        elif f.fieldtype == "Column Break":
            parts[-1].columns.append([])
        elif (
            not f.hidden
            and f.fieldtype not in SKIPPED_TYPES
            and f.fieldname != meta.total_field
            and f.fieldname not in echoes
        ):
            parts[-1].columns[-1].append(f)
    for section in sections:
        section.parts = [p for p in section.parts if not isinstance(p, _Part) or any(p.columns)]
    return [s for s in sections if s.parts]


def _pairs(part: _Part) -> list[list[DocField]]:
    """Lay fields into rows of up to two: side by side as their form columns were."""
    narrow = [[f for f in col if f.fieldtype not in WIDE_TYPES] for col in part.columns]
    wide = [f for col in part.columns for f in col if f.fieldtype in WIDE_TYPES]
    if len([c for c in narrow if c]) >= 2:
        left, right = narrow[0], [f for col in narrow[1:] for f in col]
        both = min(len(left), len(right))
        rows = [[left[i], right[i]] for i in range(both)]
        # The longer column's rest pairs up: half-empty rows waste a line of an A5 ticket.
        rest = left[both:] + right[both:]
        rows += [rest[i : i + 2] for i in range(0, len(rest), 2)]
    else:
        flat = [f for col in narrow for f in col]
        rows = [flat[i : i + 2] for i in range(0, len(flat), 2)]
    return rows + [[f] for f in wide]


def _field_rows(part: _Part) -> list[str]:
    lines = []
    for pair in _pairs(part):
        cells = []
        for f in pair:
            span = ' colspan="3"' if len(pair) == 1 else ""
            cells.append(
                f'<th>{escape(f.label)}</th><td{span}>{{{{ doc.fmt("{f.fieldname}") }}}}</td>'
            )
        lines.append(f"    <tr>{''.join(cells)}</tr>")
    return lines


def _column_class(f: DocField) -> str:
    """Name a column's kind: its alignment, and its width in the fixed table layout."""
    if f.fieldtype == "Currency":
        return "num money"
    if f.fieldtype in NUMERIC_TYPES:
        return "num"
    return "short" if f.fieldname in NARROW_FIELDS or f.fieldtype == "Check" else ""


def _header_em(label: str, *, two_lines: bool) -> float:
    """Return the width a column header needs, in em: a Chinese character is one, a Latin one
    about half; on two lines when asked, or when one line would be longer than ONE_LINE_EM."""
    text = sum(1.0 if ord(c) > 0x2E7F else 0.55 for c in label)
    if (two_lines and text > 3) or text + HEADER_PADDING_EM > ONE_LINE_EM:
        text = math.ceil(text / 2)
    return text + HEADER_PADDING_EM


def _width_class(f: DocField, *, two_lines: bool = False) -> str:
    """Name a column's width class: its kind's own, or wider for its header.

    Fixed table layout sizes a column from the colgroup and never from its text: a column
    narrower than its header prints the header over the next one, or past the table's edge
    (易耗品, 已交旧 in a check column of a 领物单; 账面数量 in a number column of a 盘点单).
    """
    kind = _column_class(f)
    if not kind:
        return ""
    needed = math.ceil(_header_em(f.label, two_lines=two_lines))
    if needed <= CLASS_WIDTH_EM[kind]:
        return kind
    return f"{kind} w{min(needed, WIDEST_EM)}"


def _class_em(name: str) -> float:
    kind, _space, wider = name.partition(" w")
    return float(wider) if wider else CLASS_WIDTH_EM.get(kind, 0.0)


def _width_classes(cols: list[DocField]) -> list[str]:
    """Name each column's width class; a table of many number columns wraps their headers."""
    one_line = [_width_class(f) for f in cols]
    if sum(_class_em(c) for c in one_line) <= FIXED_BUDGET_EM:
        return one_line
    return [_width_class(f, two_lines=True) for f in cols]


def _class(name: str) -> str:
    """Return a class attribute, or nothing for no class: the PDF's HTML parser pays for each."""
    return f' class="{name}"' if name else ""


def _table(table: DocField) -> list[str]:
    child = get_meta(table.options)
    echoes = title_echoes(child)  # a supplier's name beside the supplier printed by its name
    cols = [
        f
        for f in child.value_fields
        if not f.hidden and f.fieldtype not in SKIPPED_TYPES and f.fieldname not in echoes
    ]
    # As on the form: amounts add up, unit prices and competing quotes (报价金额) do not.
    money = [f for f in cols if summable(f)]
    head = "".join(f"<th{_class(_column_class(f))}>{escape(f.label)}</th>" for f in cols)
    cells = "".join(
        f"<td{_class('num' if f.fieldtype in NUMERIC_TYPES else '')}>{{{{ row.{f.fieldname} }}}}</td>"
        for f in cols
    )
    widths = "".join(f"<col{_class(c)}>" for c in _width_classes(cols))
    lines = [
        f'<table class="items" data-table="{table.fieldname}">',
        f'  <colgroup><col class="idx">{widths}</colgroup>',
        f'  <thead><tr><th class="idx">序号</th>{head}</tr></thead>',
        "  <tbody>",
        f'  {{% for row in doc.rows("{table.fieldname}") %}}',
        f'    <tr><td class="idx">{{{{ row.idx }}}}</td>{cells}</tr>',
        "  {% else %}",
        f'    <tr><td class="empty" colspan="{len(cols) + 1}">（无）</td></tr>',
        "  {% endfor %}",
    ]
    if money and cols:
        # Sum the last money column (the amount) under its own column.
        last = money[-1]
        before = cols.index(last) + 1
        after = len(cols) - cols.index(last) - 1
        lines.append(
            f'    <tr class="sum"><td colspan="{before}">合计</td>'
            f'<td class="num">{{{{ doc.column_total("{table.fieldname}", "{last.fieldname}") }}}}</td>'
            + (f'<td colspan="{after}"></td>' if after else "")
            + "</tr>"
        )
    lines += ["  </tbody>", "</table>"]
    return lines


# Fixed label/value widths so every field grid of a voucher lines up with the others.
COLGROUP = '    <colgroup><col class="l"><col class="v"><col class="l"><col class="v"></colgroup>'

HEADER = """\
<header class="voucher-head">
  <div class="school">
    {%- if school.logo %}<span class="school-logo"><img src="{{ school.logo }}" alt=""></span>{% endif -%}
    <span class="school-text"><span class="school-name">{{ school.name }}</span>
    {%- if school.letterhead %}<span class="letterhead">{{ school.letterhead }}</span>{% endif %}</span>
  </div>
  <h1 class="title">{{ title }}</h1>
  <div class="head-meta">
    <span>单号：{{ doc.name }}</span>
    <span>状态：{{ doc.status }}</span>
    <span>制单：{{ owner }} {{ doc.created }}</span>
  </div>
</header>"""

TOTAL = """\
{% if total %}
<table class="total">
  <tr><th>{{ total.label }}（大写）</th><td class="words">人民币{{ total.words }}</td>
      <th class="small">（小写）</th><td class="figure">¥{{ total.figure }}</td></tr>
</table>
{% endif %}"""

TRAIL = """\
<h2>审批记录</h2>
<table class="trail">
  <thead><tr><th class="step">步骤</th><th class="who">审批人</th><th class="act">操作</th><th class="at">时间</th><th>意见</th></tr></thead>
  <tbody>
  {% for r in trail_rounds %}
    {% if trail_rounds|length > 1 %}<tr class="round"><td colspan="5">第 {{ r.number }} 次提交 · {{ r.submitted_on }} · {{ r.status }}</td></tr>{% endif %}
    {% for e in r.entries %}
    <tr><td>{{ e.step or "发起" }}</td><td>{{ e.actor }}</td><td>{{ e.action }}</td><td>{{ e.at }}</td><td>{{ e.comment }}</td></tr>
    {% endfor %}
  {% else %}
    <tr><td class="empty" colspan="5">暂无审批记录</td></tr>
  {% endfor %}
  </tbody>
</table>"""

SIGNATURES = """\
<table class="signatures">
  <tr>{% for s in signatures %}<td><div class="sign-label">{{ s }}</div><div class="sign-line">签字：</div><div class="sign-line">日期：</div></td>{% endfor %}</tr>
</table>"""


def standard_template(meta: Meta) -> str:
    """Return Jinja source printing every field of a DocType; admins copy it to start their own."""
    lines = [HEADER]
    for section in _sections(meta):
        lines.append('<section class="block">')
        if section.label:
            lines.append(f"  <h2>{escape(section.label)}</h2>")
        for part in section.parts:
            if isinstance(part, _Part):
                lines += ['  <table class="fields">', COLGROUP, *_field_rows(part), "  </table>"]
            else:
                lines += ["  " + line for line in _table(part)]
        lines.append("</section>")
    lines.append(TOTAL)
    if meta.is_submittable and page_size_for(meta) == PageSize.A5_LANDSCAPE:
        # Half a sheet has no line to spare for an empty trail (tickets often have no flow).
        lines += ["{% if trail %}", TRAIL, "{% endif %}"]
    elif meta.is_submittable:
        lines.append(TRAIL)
    lines.append(SIGNATURES)
    return "\n".join(lines) + "\n"
