"""The form's timeline: versions with field-level changes and comments, merged by time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from school_logistics.core.meta import DocField, Meta
from school_logistics.core.models import Document, User
from school_logistics.core.views.formatting import display_value

ACTION_ICONS = {
    "create": "fa-plus",
    "save": "fa-pen",
    "submit": "fa-paper-plane",
    "cancel": "fa-ban",
    "amend": "fa-code-branch",
    "update_after_submit": "fa-pen-to-square",
}


def action_label(action: str) -> str:
    labels = {
        "create": _("创建了单据"),
        "save": _("修改了单据"),
        "submit": _("提交了单据"),
        "cancel": _("作废了单据"),
        "amend": _("修订生成此单据"),
        "update_after_submit": _("提交后修改了单据"),
    }
    return labels.get(action, action)


@dataclass
class TimelineEntry:
    kind: str  # "version" or "comment"
    actor: str
    when: dt.datetime
    title: str
    icon: str
    lines: list[str] = field(default_factory=list)
    content: str = ""


def _value(f: DocField | None, value: Any, users: dict[str, str] | None = None) -> str:
    if f is None:
        return "" if value is None else str(value)
    text = display_value(f, value, users)
    return text if text != "" else _("空")


def _label(meta: Meta, fieldname: str) -> tuple[DocField | None, str]:
    f = meta.get_field(fieldname)
    return f, (f.label if f else fieldname)


def _row_summary(child: Meta, row: dict[str, Any]) -> str:
    """Return a short description of a child row from its first list-view values."""
    parts = [
        display_value(c, row.get(c.fieldname))
        for c in child.value_fields
        if c.in_list_view and c.fieldtype in {"Link", "Data", "Select"} and row.get(c.fieldname)
    ]
    return " ".join(parts[:2])


def describe_diff(
    meta: Meta,
    child_metas: dict[str, Meta],
    diff: dict[str, Any],
    users: dict[str, str] | None = None,
) -> list[str]:
    """Return one line per change: `数量: 2 → 3`, rows added, removed and changed; `users`
    names the people a User field held (their login names otherwise)."""
    lines: list[str] = []
    for fieldname, old, new in diff.get("changed", []):
        f, label = _label(meta, fieldname)
        lines.append(f"{label}: {_value(f, old, users)} → {_value(f, new, users)}")

    def child_of(table: str) -> tuple[Meta | None, str]:
        f, label = _label(meta, table)
        return (child_metas.get(f.options) if f else None), label

    for table, row in diff.get("added", []):
        child, label = child_of(table)
        summary = _row_summary(child, row) if child else ""
        lines.append(
            _("%(table)s 添加第 %(idx)s 行 %(summary)s")
            % {"table": label, "idx": row.get("idx", "?"), "summary": summary}
        )
    for table, row in diff.get("removed", []):
        child, label = child_of(table)
        summary = _row_summary(child, row) if child else ""
        lines.append(
            _("%(table)s 删除第 %(idx)s 行 %(summary)s")
            % {"table": label, "idx": row.get("idx", "?"), "summary": summary}
        )
    for table, idx, _name, cells in diff.get("row_changed", []):
        child, label = child_of(table)
        for fieldname, old, new in cells:
            f, cell_label = _label(child, fieldname) if child else (None, fieldname)
            lines.append(
                _("%(table)s 第 %(idx)s 行 %(field)s: %(old)s → %(new)s")
                % {
                    "table": label,
                    "idx": idx,
                    "field": cell_label,
                    "old": _value(f, old, users),
                    "new": _value(f, new, users),
                }
            )
    return [line.rstrip() for line in lines]


def build_timeline(
    meta: Meta, child_metas: dict[str, Meta], instance: Document
) -> list[TimelineEntry]:
    """Return the document's versions and comments, newest first, in two queries."""
    entries: list[TimelineEntry] = []
    versions = list(instance.versions.select_related("actor"))
    users = _people_named(meta, child_metas, [v.diff or {} for v in versions])
    for version in versions:
        if version.action == "amend":
            origin = (version.diff or {}).get("amended_from", "")
            lines = [_("修订自 %(name)s") % {"name": origin}] if origin else []
        elif version.action == "create":
            # A new document's "changes" are all its fields; the form above already shows them.
            lines = []
        else:
            lines = describe_diff(meta, child_metas, version.diff or {}, users)
        # Under a flow the last approval submits the document: it takes effect, the approver
        # did not "submit" it (the approval trail names who sent it).
        approved = version.action == "submit" and bool(instance.workflow_state)
        entries.append(
            TimelineEntry(
                kind="version",
                actor=version.actor.display_name,
                when=version.created,
                title=_("审批通过，单据生效") if approved else action_label(version.action),
                icon=ACTION_ICONS.get(version.action, "fa-circle"),
                lines=lines,
            )
        )
    for comment in instance.comments.select_related("actor"):
        entries.append(
            TimelineEntry(
                kind="comment",
                actor=comment.actor.display_name,
                when=comment.created,
                title=_("评论"),
                icon="fa-comment",
                content=comment.content,
            )
        )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def _people_named(
    meta: Meta, child_metas: dict[str, Meta], diffs: list[dict[str, Any]]
) -> dict[str, str]:
    """The display names of the users the diffs' User fields held, in one query (none if no
    such change)."""
    names: set[str] = set()
    for diff in diffs:
        for fieldname, old, new in diff.get("changed", []):
            f = meta.get_field(fieldname)
            if f is not None and f.fieldtype == "User":
                names.update(v for v in (old, new) if isinstance(v, str) and v)
        for table, _idx, _name, cells in diff.get("row_changed", []):
            t = meta.get_field(table)
            child = child_metas.get(t.options) if t else None
            for fieldname, old, new in cells:
                f = child.get_field(fieldname) if child else None
                if f is not None and f.fieldtype == "User":
                    names.update(v for v in (old, new) if isinstance(v, str) and v)
    if not names:
        return {}
    return {u.username: u.display_name for u in User.objects.filter(username__in=names)}
