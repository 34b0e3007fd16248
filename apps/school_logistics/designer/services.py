"""The designer's writers: make a DocType, change its fields and rights, customise built-ins.

Only system administrators design forms. Every change is checked as a whole definition
before anything is written, carries the stored documents along (renamed keys, converted
values) in the same transaction, and leaves a DocTypeVersion row with who, when and what.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from school_logistics.core import jobs, permissions
from school_logistics.core.meta import LAYOUT_TYPES, parse_meta
from school_logistics.core.models import DocType, School, User
from school_logistics.core.registry import clear_meta_cache, get_meta
from school_logistics.core.search import rebuild_doctype
from school_logistics.core.validation import DocumentValidationError
from school_logistics.designer import builtin
from school_logistics.designer.customize import overlay, stored_customisations
from school_logistics.designer.data_changes import (
    check_unique,
    convert_field,
    rename_in_history,
    rename_key,
    rewrite,
)
from school_logistics.designer.definition import check_definition, normalise
from school_logistics.designer.models import DocTypeVersion
from school_logistics.designer.summary import describe

# Rights a new DocType gives until the admin sets others: requesters their own documents,
# department heads their department's.
DEFAULT_PERMISSIONS = [
    {"role": "teacher", "read": 1, "write": 1, "create": 1, "delete": 1, "submit": 1, "print": 1,
     "if_owner": 1},
    {"role": "dept_head", "read": 1, "print": 1, "export": 1, "if_department": 1},
    {"role": "principal", "read": 1, "print": 1, "export": 1},
]  # fmt: skip
# Properties a removed field loses, so a hidden leftover never blocks a save or shows up.
DROPPED_ON_REMOVE = ("reqd", "unique", "in_list_view", "in_standard_filter")


def may_design(actor: User) -> bool:
    """Whether the user designs forms (the user menu offers 表单设计 only then)."""
    try:
        check_can_design(actor)
    except PermissionDenied:
        return False
    return True


def check_can_design(actor: User) -> None:
    """Refuse anyone but the site's form owner.

    Forms are shared by every school of a site, so on a district site only a superuser (the
    district's administrator) designs them; on a one-school site its system administrator may.
    """
    if actor.is_superuser:
        return
    if not permissions.is_admin(actor):
        raise PermissionDenied(_("没有权限：只有系统管理员可以设计表单"))
    if School.objects.count() > 1:
        raise PermissionDenied(_("表单由全区各校共用，请联系区级管理员修改"))


def _locked(doctype: str) -> DocType:
    row = DocType.objects.select_for_update().filter(name=doctype).first()
    if row is None:
        raise Http404(_("没有这种单据类型：%(doctype)s") % {"doctype": doctype})
    return row


def editable_definition(doctype: str) -> dict[str, Any]:
    """Return the definition the designer edits: a built-in's carries its customisations."""
    row = DocType.objects.filter(name=doctype).first()
    if row is None:
        raise Http404(_("没有这种单据类型：%(doctype)s") % {"doctype": doctype})
    if row.custom:
        return copy.deepcopy(row.definition)
    customs, setters = stored_customisations(doctype)
    return overlay(row.definition, customs, setters)


def _finish(
    row: DocType, definition: dict[str, Any], *, actor: User, action: str, summary: str
) -> None:
    DocTypeVersion.objects.create(
        doctype=row.name, actor=actor, action=action, summary=summary, definition=definition
    )
    # The registry notices a changed DocType row within a second in other processes.
    DocType.objects.filter(pk=row.pk).update(modified=timezone.now())
    clear_meta_cache()
    transaction.on_commit(clear_meta_cache)


def create_doctype(values: Mapping[str, Any], *, actor: User, disabled: bool = False) -> DocType:
    """Make a new DocType from its name, labels, module, naming and flags (fields optional).

    The designer's 新建 makes it `disabled`: the admin lays out its fields, rights and route
    and tries it, and teachers see it only once it is turned on (`set_disabled`). A form
    installed from the library or a file comes whole and is live at once."""
    check_can_design(actor)
    raw = dict(values)
    raw.setdefault("fields", [])
    if "permissions" not in raw and not raw.get("istable"):
        raw["permissions"] = DEFAULT_PERMISSIONS
    definition = normalise(raw)
    definition.setdefault("module", "custom")
    check_definition(definition)
    slug = slugify(definition["name"]) or definition["name"]
    for name in DocType.objects.values_list("name", flat=True):
        if name.lower() == definition["name"].lower() or (slugify(name) or name) == slug:
            raise DocumentValidationError.single(
                _("已有同名的单据类型“%(n)s”") % {"n": name}, "name"
            )
    with transaction.atomic():
        row = DocType.objects.create(
            name=definition["name"],
            module=definition["module"],
            label=definition["label"],
            label_en=definition.get("label_en", ""),
            is_submittable=bool(definition.get("is_submittable")),
            istable=bool(definition.get("istable")),
            custom=True,
            definition=definition,
            disabled=disabled and not definition.get("istable"),
        )
        _finish(row, definition, actor=actor, action="create", summary=_("新建"))
    return row


def set_disabled(doctype: str, disabled: bool, *, actor: User) -> DocType:
    """Stop a form (no new documents but an administrator's) or turn it on again; the
    documents made earlier are untouched either way."""
    check_can_design(actor)
    with transaction.atomic():
        row = _locked(doctype)
        if row.istable:
            raise DocumentValidationError.single(_("子表随所在的表单启用或停用"))
        if row.disabled == disabled:
            return row
        row.disabled = disabled
        row.save(update_fields=["disabled", "modified"])
        _finish(
            row,
            editable_definition(doctype),
            actor=actor,
            action="disable" if disabled else "enable",
            summary=_("停用") if disabled else _("启用"),
        )
    return row


def save_doctype(
    doctype: str,
    definition: Mapping[str, Any],
    *,
    actor: User,
    renames: Mapping[str, str] | None = None,
) -> DocType:
    """Save a whole edited definition; built-in DocTypes keep it as customisation records."""
    check_can_design(actor)
    with transaction.atomic():
        row = _locked(doctype)
        searched = get_meta(doctype).search_fields
        new = normalise(dict(definition))
        if new["name"] != row.name:
            raise DocumentValidationError.single(_("单据类型的名称不能修改"), "name")
        if row.custom:
            _save_designed(row, new, dict(renames or {}), actor=actor)
        else:
            if renames:
                raise DocumentValidationError.single(
                    _("内置单据类型的字段不能改名，可以修改标签"), "fields"
                )
            effective, summary = builtin.save_customisation(row, new)
            _finish(row, effective, actor=actor, action="customize", summary=summary)
        if get_meta(doctype).search_fields != searched:
            # The list search reads each document's text made from these fields: remake them.
            transaction.on_commit(lambda: jobs.enqueue(rebuild_doctype, doctype))
    return row


def _check_renames(old: dict[str, Any], new: dict[str, Any], renames: dict[str, str]) -> None:
    old_names = {f["fieldname"] for f in old["fields"]}
    new_names = {f["fieldname"] for f in new["fields"]}
    for src, dst in renames.items():
        if src == dst:
            continue
        if src not in old_names or dst not in new_names:
            raise DocumentValidationError.single(
                _("改名“%(a)s → %(b)s”对不上表单中的字段") % {"a": src, "b": dst}, "fields"
            )
        if dst in old_names:
            raise DocumentValidationError.single(
                _("字段名“%(b)s”已被使用过（可能是已删除的字段），请换一个") % {"b": dst},
                f"fields.{dst}",
            )


def _keep_removed(old: dict[str, Any], new: dict[str, Any], renames: dict[str, str]) -> None:
    """Put value fields the admin took out back as hidden, so their stored values stay."""
    present = {f["fieldname"] for f in new["fields"]}
    for f in old["fields"]:
        if f["fieldtype"] in LAYOUT_TYPES or renames.get(f["fieldname"], f["fieldname"]) in present:
            continue
        kept = {k: v for k, v in f.items() if k not in DROPPED_ON_REMOVE}
        new["fields"].append({**kept, "hidden": 1, "removed": 1})


def _save_designed(
    row: DocType, new: dict[str, Any], renames: dict[str, str], *, actor: User
) -> None:
    old = row.definition
    renames = {k: v for k, v in renames.items() if k != v}
    _check_renames(old, new, renames)
    _follow_renames(new, renames)
    # What a DocType is (a child table or a document) never changes under stored data.
    new.pop("istable", None)
    if old.get("istable"):
        new["istable"] = 1
        new["permissions"] = []
    _keep_removed(old, new, renames)
    check_definition(new)
    old_meta, new_meta = parse_meta(old), parse_meta(new)
    back = {dst: src for src, dst in renames.items()}
    edits = []
    for nf in new_meta.value_fields:
        src = back.get(nf.fieldname, nf.fieldname)
        of = old_meta.get_field(src)
        if of is None or of.is_layout:
            continue
        edit = convert_field(new_meta, of, nf, stored_as=src)
        if edit:
            edits.append(edit)
        if nf.unique and not of.unique:
            check_unique(new_meta, nf, stored_as=src)
    edits += [rename_key(src, dst) for src, dst in renames.items()]
    if edits:

        def apply(holder: dict[str, Any]) -> None:
            for edit in edits:
                edit(holder)

        rewrite(row.name, bool(new.get("istable")), apply)
    rename_in_history(row.name, bool(new.get("istable")), renames)
    row.definition = new
    row.label = new["label"]
    row.label_en = new.get("label_en", "")
    row.module = new["module"]
    row.is_submittable = bool(new.get("is_submittable"))
    row.save()
    _finish(row, new, actor=actor, action="save", summary=describe(old, new, renames))


def _follow_renames(new: dict[str, Any], renames: dict[str, str]) -> None:
    """Point the title, total, date, search and naming settings at renamed fields."""
    for prop in ("title_field", "total_field", "date_field"):
        if new.get(prop) in renames:
            new[prop] = renames[new[prop]]
    if "search_fields" in new:
        new["search_fields"] = [renames.get(s, s) for s in new["search_fields"]]
    rule = new.get("autoname", "")
    if rule.startswith("field:") and rule[6:] in renames:
        new["autoname"] = "field:" + renames[rule[6:]]


# Field-level operations: each edits the current definition and saves it as a whole.


def _fields_of(definition: dict[str, Any], fieldname: str) -> tuple[list[dict[str, Any]], int]:
    fields: list[dict[str, Any]] = definition["fields"]
    for i, f in enumerate(fields):
        if f["fieldname"] == fieldname:
            return fields, i
    raise DocumentValidationError.single(
        _("字段“%(f)s”不存在") % {"f": fieldname}, f"fields.{fieldname}"
    )


def add_field(
    doctype: str, field: Mapping[str, Any], *, actor: User, after: str | None = None
) -> DocType:
    """Add a field (at the end, or after the named one)."""
    definition = editable_definition(doctype)
    fields = definition["fields"]
    at = _fields_of(definition, after)[1] + 1 if after else len(fields)
    fields.insert(at, dict(field))
    return save_doctype(doctype, definition, actor=actor)


def update_field(
    doctype: str, fieldname: str, changes: Mapping[str, Any], *, actor: User
) -> DocType:
    """Change properties of one field (label, type, options, flags, bounds, default, help)."""
    definition = editable_definition(doctype)
    fields, i = _fields_of(definition, fieldname)
    fields[i] = {**fields[i], **changes, "fieldname": fieldname}
    return save_doctype(doctype, definition, actor=actor)


def rename_field(doctype: str, old: str, new: str, *, actor: User) -> DocType:
    """Give a field a new fieldname; stored values move to the new key."""
    definition = editable_definition(doctype)
    fields, i = _fields_of(definition, old)
    fields[i] = {**fields[i], "fieldname": new}
    return save_doctype(doctype, definition, actor=actor, renames={old: new})


def remove_field(doctype: str, fieldname: str, *, actor: User) -> DocType:
    """Take a field off the form; its stored values stay (the field is kept hidden)."""
    definition = editable_definition(doctype)
    fields, i = _fields_of(definition, fieldname)
    del fields[i]
    return save_doctype(doctype, definition, actor=actor)


def move_field(doctype: str, fieldname: str, position: int, *, actor: User) -> DocType:
    """Move a field to a 0-based position on the form."""
    definition = editable_definition(doctype)
    fields, i = _fields_of(definition, fieldname)
    moved = fields.pop(i)
    fields.insert(max(0, min(position, len(fields))), moved)
    return save_doctype(doctype, definition, actor=actor)


def set_permissions(doctype: str, rows: list[dict[str, Any]], *, actor: User) -> DocType:
    """Replace the DocType's permission rows (role × rights, own documents only)."""
    definition = editable_definition(doctype)
    definition["permissions"] = rows
    return save_doctype(doctype, definition, actor=actor)
