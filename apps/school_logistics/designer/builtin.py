"""Turn an edited built-in DocType into customisation records, leaving its JSON untouched."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from school_logistics.core.meta import LAYOUT_TYPES, parse_meta
from school_logistics.core.models import DocType
from school_logistics.core.validation import DocumentValidationError
from school_logistics.designer.customize import (
    DOCTYPE_OVERRIDABLE,
    FIELD_ORDER,
    FIELD_OVERRIDABLE,
    overlay,
    stored_customisations,
)
from school_logistics.designer.data_changes import check_unique, convert_field, rewrite
from school_logistics.designer.definition import (
    DOCTYPE_PROPS,
    check_definition,
    field_title,
    normalise,
    normalise_field,
    normalise_permissions,
)
from school_logistics.designer.models import CustomField, PropertySetter
from school_logistics.designer.summary import describe

CustomRows = list[tuple[str, str, dict[str, Any]]]
Setters = dict[tuple[str, str], Any]


def _shipped_fields(shipped: dict[str, Any], new_fields: dict[str, dict[str, Any]]) -> Setters:
    """Return the property setters the edited shipped fields need; refuse other changes."""
    setters: Setters = {}
    for raw in shipped.get("fields", []):
        sf = normalise_field(raw)
        name = sf["fieldname"]
        nf = new_fields.get(name)
        if nf is None:
            if sf["fieldtype"] in LAYOUT_TYPES:
                raise DocumentValidationError.single(
                    _("内置的分节、分栏不能删除"), f"fields.{name}"
                )
            nf = {**sf, "hidden": 1}  # taking a shipped field out hides it
        nf.pop("removed", None)
        for prop in sorted(set(sf) | set(nf)):
            if sf.get(prop) == nf.get(prop):
                continue
            if prop not in FIELD_OVERRIDABLE:
                raise DocumentValidationError.single(
                    _(
                        "内置字段“%(f)s”只能修改标签、英文标签、隐藏、默认值、说明、列表显示和筛选；"
                        "其他改动请新增自定义字段"
                    )
                    % {"f": field_title(sf)},
                    f"fields.{name}",
                )
            setters[(name, prop)] = nf.get(prop) if nf.get(prop) is not None else 0
        if nf.get("hidden") and sf.get("reqd") and sf.get("default") in (None, ""):
            raise DocumentValidationError.single(
                _("内置字段“%(f)s”是必填的，不能隐藏") % {"f": field_title(sf)}, f"fields.{name}"
            )
    return setters


def _doctype_setters(shipped: dict[str, Any], new: dict[str, Any]) -> Setters:
    base = normalise(shipped)
    setters: Setters = {}
    for prop in (*DOCTYPE_PROPS, "search_fields"):
        if base.get(prop) == new.get(prop):
            continue
        if prop not in DOCTYPE_OVERRIDABLE:
            raise DocumentValidationError.single(
                _("内置单据类型只能修改名称、英文名称、图标和权限"), prop
            )
        setters[("", prop)] = new.get(prop, "")
    if normalise_permissions(shipped.get("permissions", [])) != new["permissions"]:
        setters[("", "permissions")] = new["permissions"]
    return setters


def _custom_rows(
    shipped: dict[str, Any], new: dict[str, Any], old_customs: CustomRows
) -> CustomRows:
    """Return the custom fields after the edit; those taken out are kept hidden with their data."""
    shipped_names = {f["fieldname"] for f in shipped.get("fields", [])}
    rows: CustomRows = []
    previous = ""
    present = set()
    for f in new["fields"]:
        name = f["fieldname"]
        if name not in shipped_names:
            rows.append((name, previous, {k: v for k, v in f.items() if k != "fieldname"}))
            present.add(name)
        previous = name
    for name, after, definition in old_customs:
        if name not in present:
            kept = {k: v for k, v in definition.items() if k not in ("reqd", "unique")}
            rows.append((name, after, {**kept, "hidden": 1, "removed": 1}))
    return rows


def save_customisation(row: DocType, new: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Store the edit of a built-in as CustomField and PropertySetter rows; return the result."""
    shipped = row.definition
    old_customs, old_setters = stored_customisations(row.name)
    old_effective = overlay(shipped, old_customs, old_setters)
    new_fields = {f["fieldname"]: f for f in new["fields"]}
    setters = _shipped_fields(shipped, new_fields)
    setters.update(_doctype_setters(shipped, new))
    customs = _custom_rows(shipped, new, old_customs)
    plain = [(f, p, v) for (f, p), v in setters.items()]
    default_order = [f["fieldname"] for f in overlay(shipped, customs, plain)["fields"]]
    wanted = [f["fieldname"] for f in new["fields"]]
    if [n for n in default_order if n in wanted] != wanted:
        setters[("", FIELD_ORDER)] = wanted
    effective = overlay(shipped, customs, [(f, p, v) for (f, p), v in setters.items()])
    check_definition(effective, builtin=True)
    _carry_data(row.name, old_effective, effective, {c[0] for c in customs})
    CustomField.objects.filter(doctype=row.name).exclude(
        fieldname__in=[c[0] for c in customs]
    ).delete()
    for name, after, definition in customs:
        CustomField.objects.update_or_create(
            doctype=row.name,
            fieldname=name,
            defaults={"insert_after": after, "definition": definition},
        )
    PropertySetter.objects.filter(doctype=row.name).delete()
    PropertySetter.objects.bulk_create(
        PropertySetter(doctype=row.name, fieldname=f, property=p, value=v)
        for (f, p), v in setters.items()
    )
    return effective, describe(old_effective, effective, {})


def _carry_data(
    doctype: str, old: dict[str, Any], new: dict[str, Any], custom_names: set[str]
) -> None:
    """Convert stored values of custom fields whose type changed; refuse naming blockers."""
    old_meta, new_meta = parse_meta(old), parse_meta(new)
    edits = []
    for nf in new_meta.value_fields:
        of = old_meta.get_field(nf.fieldname)
        if nf.fieldname not in custom_names or of is None or of.is_layout:
            continue
        edit = convert_field(new_meta, of, nf, stored_as=nf.fieldname)
        if edit:
            edits.append(edit)
        if nf.unique and not of.unique:
            check_unique(new_meta, nf, stored_as=nf.fieldname)
    if edits:

        def apply(holder: dict[str, Any]) -> None:
            for edit in edits:
                edit(holder)

        rewrite(doctype, new_meta.istable, apply)
