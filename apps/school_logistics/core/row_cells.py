"""Child tables whose rows are fixed and only some of their cells may still change.

Two ways a table gets there:

- once submitted, a table allowed on submit whose child DocType marks some cells allowed on
  submit (a closed supply order records a family's late payment, nothing else; without marked
  cells the whole table stays open, rows included, as a repair's parts do);
- an approval step grants `table.cell` rather than the whole table (the class teacher fills
  in 实发 and 备注 at 发放登记; who ordered what was approved and stays as it is).

The form shows only those cells as inputs, with no row buttons; the save merges the posted cells
into the stored rows and names whatever else was changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from school_logistics.core.meta import DocField, Meta
from school_logistics.core.validation import clean_field
from school_logistics.core.values import field_to_json

OpenCells = dict[str, frozenset[str]]


def input_cells(child: Meta) -> list[DocField]:
    return [c for c in child.value_fields if c.accepts_input and not c.is_table]


def on_submit_cells(meta: Meta, child_metas: Mapping[str, Meta]) -> OpenCells:
    """Return, per table allowed on submit with marked cells, the cells open once submitted."""
    found: OpenCells = {}
    for table in meta.table_fields:
        if not table.allow_on_submit:
            continue
        cells = frozenset(
            c.fieldname for c in input_cells(child_metas[table.options]) if c.allow_on_submit
        )
        if cells:
            found[table.fieldname] = cells
    return found


def split_grant(granted: Iterable[str]) -> tuple[frozenset[str], OpenCells]:
    """Split a step's grant into the fields it opens (a table once for its cells) and the
    cells it opens per table, where it names cells rather than the whole table."""
    fields: set[str] = set()
    cells: dict[str, set[str]] = {}
    for name in granted:
        table, dot, cell = name.partition(".")
        fields.add(table)
        if dot:
            cells.setdefault(table, set()).add(cell)
    whole = {name for name in granted if "." not in name}
    return frozenset(fields), {t: frozenset(c) for t, c in cells.items() if t not in whole}


def grantable(meta: Meta, child_metas: Mapping[str, Meta], on_submit: bool = False) -> set[str]:
    """Return the `table` and `table.cell` names a step may grant: every table and input cell;
    with `on_submit`, only what may still change once the document is submitted."""
    names: set[str] = set()
    open_after = on_submit_cells(meta, child_metas)
    for table in meta.table_fields:
        if on_submit and not table.allow_on_submit:
            continue
        cells = [c.fieldname for c in input_cells(child_metas[table.options])]
        if on_submit and table.fieldname in open_after:
            cells = [c for c in cells if c in open_after[table.fieldname]]
        else:
            names.add(table.fieldname)
        names.update(f"{table.fieldname}.{c}" for c in cells)
    return names


def merge(
    table: DocField, child: Meta, stored: list[dict[str, Any]], posted: Any, cells: frozenset[str]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Return the stored rows with the open cells taken from the posted rows, and a label for
    each other thing the post changed (rows added, removed or moved, a closed cell)."""
    if not isinstance(posted, list) or len(posted) != len(stored):
        return stored, [_("%(table)s的行（不能增删）") % {"table": table.label}]
    merged, changed = [], []
    for idx, (old, new) in enumerate(zip(stored, posted, strict=True), start=1):
        if not isinstance(new, Mapping) or new.get("name") not in (None, "", old.get("name")):
            return stored, [_("%(table)s的行（不能增删或调换）") % {"table": table.label}]
        row = dict(old)
        for c in input_cells(child):
            if c.fieldname not in new:
                continue
            if c.fieldname in cells:
                row[c.fieldname] = new[c.fieldname]
            elif not _same(child, c, new[c.fieldname], old.get(c.fieldname)):
                changed.append(
                    _("%(table)s第 %(idx)s 行的%(cell)s")
                    % {"table": table.label, "idx": idx, "cell": c.label}
                )
        merged.append(row)
    return merged, changed


def _same(child: Meta, c: DocField, posted: Any, stored: Any) -> bool:
    try:
        value = field_to_json(c, clean_field(child, c, posted))
    except ValidationError:
        return False
    # An empty cell is stored as None, "" or 0 alike, depending on how the row was first saved.
    return (value or None) == (stored or None)
