"""What a save changed in a DocType, in the few words the designer's 修改记录 shows."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from school_logistics.core.meta import LAYOUT_TYPES
from school_logistics.designer.definition import field_title

# Field properties the summary names itself; a change of any other is "其他设置".
NAMED_PROPS = frozenset({"fieldname", "label", "reqd", "hidden", "removed"})
# A list longer than this is cut short: the log line is read at a glance.
MAX_NAMES = 5


def _names(titles: list[str]) -> str:
    shown = "、".join(f"“{t}”" for t in titles[:MAX_NAMES])
    if len(titles) > MAX_NAMES:
        return _("%(names)s等 %(n)s 个") % {"names": shown, "n": len(titles)}
    return shown


def _value_fields(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["fieldname"]: f for f in definition["fields"] if f["fieldtype"] not in LAYOUT_TYPES}


class _Changes:
    """Sort the field changes of one save into the kinds the summary names."""

    def __init__(self) -> None:
        self.added: list[str] = []
        self.removed: list[str] = []
        self.restored: list[str] = []
        self.relabelled: list[str] = []
        self.required: list[str] = []
        self.optional: list[str] = []
        self.hidden: list[str] = []
        self.shown: list[str] = []
        self.other = False

    def compare(self, of: dict[str, Any], nf: dict[str, Any]) -> None:
        title = field_title(nf)
        if nf.get("removed") and not of.get("removed"):
            self.removed.append(field_title(of))
            return  # a removed field's other settings no longer matter to anyone
        if of.get("removed") and not nf.get("removed"):
            self.restored.append(title)
            return  # it comes back as it was; it was hidden only because it was removed
        if of.get("label") != nf.get("label"):
            self.relabelled.append(_("“%(a)s”改名为“%(b)s”") % {"a": field_title(of), "b": title})
        if bool(of.get("reqd")) != bool(nf.get("reqd")):
            (self.required if nf.get("reqd") else self.optional).append(title)
        if bool(of.get("hidden")) != bool(nf.get("hidden")):
            (self.hidden if nf.get("hidden") else self.shown).append(title)
        props = (set(of) | set(nf)) - NAMED_PROPS
        if any(of.get(p) != nf.get(p) for p in props):
            self.other = True

    def parts(self) -> list[str]:
        parts = []
        if self.added:
            parts.append(_("新增字段%(f)s") % {"f": _names(self.added)})
        parts.extend(self.relabelled[:MAX_NAMES])
        if len(self.relabelled) > MAX_NAMES:
            parts.append(_("另有 %(n)s 个字段改名") % {"n": len(self.relabelled) - MAX_NAMES})
        if self.required:
            parts.append(_("%(f)s改为必填") % {"f": _names(self.required)})
        if self.optional:
            parts.append(_("%(f)s改为选填") % {"f": _names(self.optional)})
        if self.hidden:
            parts.append(_("隐藏%(f)s") % {"f": _names(self.hidden)})
        if self.shown:
            parts.append(_("取消隐藏%(f)s") % {"f": _names(self.shown)})
        if self.removed:
            parts.append(_("删除字段%(f)s（数据保留）") % {"f": _names(self.removed)})
        if self.restored:
            parts.append(_("恢复字段%(f)s") % {"f": _names(self.restored)})
        return parts


def _order(definition: dict[str, Any], back: dict[str, str]) -> list[str]:
    """Return the (old) names of the fields on the form, in their order; removed ones are not."""
    return [
        back.get(f["fieldname"], f["fieldname"])
        for f in definition["fields"]
        if not f.get("removed")
    ]


def _layout(definition: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in definition["fields"] if f["fieldtype"] in LAYOUT_TYPES]


def describe(old: dict[str, Any], new: dict[str, Any], renames: dict[str, str]) -> str:
    """Return what changed from `old` to `new`, e.g. "“借用事由”改名为“借用用途”；新增字段“联系电话”"."""
    old_fields, new_fields = _value_fields(old), _value_fields(new)
    back = {dst: src for src, dst in renames.items()}
    changes = _Changes()
    for name, nf in new_fields.items():
        of = old_fields.get(back.get(name, name))
        if of is None:
            if not nf.get("removed"):
                changes.added.append(field_title(nf))
        else:
            changes.compare(of, nf)
    parts = []
    if old.get("label") != new.get("label") and new.get("label"):
        parts.append(_("表单名称改为“%(l)s”") % {"l": new["label"]})
    parts += changes.parts()
    if renames:
        parts.append(
            _("英文字段名 %(f)s") % {"f": "、".join(f"{a} → {b}" for a, b in renames.items())}
        )
    before, after = _order(old, {}), _order(new, back)
    both = set(before) & set(after)  # added, removed and restored fields are named above
    if [n for n in before if n in both] != [n for n in after if n in both]:
        parts.append(_("调整字段顺序"))
    if _layout(old) != _layout(new):
        parts.append(_("调整分节、分栏"))
    if old.get("permissions") != new.get("permissions"):
        parts.append(_("修改权限"))
    settings = {k for k in set(old) | set(new) if k not in ("fields", "permissions", "label")}
    if changes.other or any(old.get(k) != new.get(k) for k in settings):
        parts.append(_("修改其他设置") if parts else _("修改设置"))
    return "；".join(parts) or _("未作改动")
