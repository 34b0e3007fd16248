"""Field-level differences between two saves of a document, child rows included."""

from __future__ import annotations

from typing import Any

from school_logistics.core.meta import Meta


def diff(
    meta: Meta, old: dict[str, Any], new: dict[str, Any], child_metas: dict[str, Meta]
) -> dict[str, list[Any]]:
    """Return Frappe-shaped changes: changed, added, removed and row_changed."""
    changed: list[Any] = []
    added: list[Any] = []
    removed: list[Any] = []
    row_changed: list[Any] = []
    for f in meta.value_fields:
        if not f.is_table:
            if old.get(f.fieldname) != new.get(f.fieldname):
                changed.append([f.fieldname, old.get(f.fieldname), new.get(f.fieldname)])
            continue
        child = child_metas[f.options]
        old_rows = {r.get("name"): r for r in old.get(f.fieldname) or []}
        new_rows = {r.get("name"): r for r in new.get(f.fieldname) or []}
        for name, row in new_rows.items():
            if name not in old_rows:
                added.append([f.fieldname, row])
                continue
            before = old_rows[name]
            cells = [
                [c.fieldname, before.get(c.fieldname), row.get(c.fieldname)]
                for c in child.value_fields
                if before.get(c.fieldname) != row.get(c.fieldname)
            ]
            if cells:
                row_changed.append([f.fieldname, row.get("idx"), name, cells])
        removed.extend([f.fieldname, row] for name, row in old_rows.items() if name not in new_rows)
    return {
        k: v
        for k, v in {
            "changed": changed,
            "added": added,
            "removed": removed,
            "row_changed": row_changed,
        }.items()
        if v
    }
