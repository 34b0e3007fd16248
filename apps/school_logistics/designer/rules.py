"""Computed fields and show/required-if rules of designed forms, applied in the engine's one path.

A field may carry `formula` (see formulas.py), `depends_on` (shown only when the condition
holds) and `mandatory_depends_on` (required when the condition holds). Conditions are the
workflow's declarative rules (`{"all": [{"field", "op", "value"}]}`), never code.
The engine calls `apply` after cleaning every save (core.services.value_hooks), so the
browser, the API and imports get the same computed values and the same refusals.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from school_logistics.core.meta import DECIMAL_PLACES, FIELDNAME, DocField, Meta
from school_logistics.core.validation import DocumentValidationError, form_field
from school_logistics.core.values import quantize
from school_logistics.designer.formulas import (
    PARENT,
    Formula,
    FormulaError,
    Scope,
    compile_formula,
    parent_fields,
)
from school_logistics.designer.formulas import evaluate as evaluate_formula
from school_logistics.workflow import conditions

if TYPE_CHECKING:
    from school_logistics.core.document import Doc

# Field types a formula may fill; tables, links, files and layout are typed in, not computed.
FORMULA_TYPES = frozenset(
    {"Int", "Float", "Currency", "Percent", "Data", "Small Text", "Read Only", "Check", "Date",
     "Datetime"}
)  # fmt: skip
RULE_PROPS = ("depends_on", "mandatory_depends_on")
# Set by `definition_hook` on a field that is required while its depends_on shows it.
REQD_WHEN_SHOWN = "reqd_when_shown"


@dataclass
class Plan:
    """What one DocType computes and checks, compiled once per parsed Meta."""

    formulas: list[tuple[DocField, Formula]] = field(default_factory=list)
    shown_if: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    required_if: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    required_when_shown: set[str] = field(default_factory=set)

    @property
    def empty(self) -> bool:
        return not (self.formulas or self.shown_if or self.required_if)


def scope_of(meta: Meta, child_metas: Mapping[str, Meta]) -> Scope:
    """Return what a formula of this DocType may read: its fields and its tables' columns."""
    tables = {
        t.fieldname: frozenset(f.fieldname for f in child_metas[t.options].value_fields)
        for t in meta.table_fields
        if t.options in child_metas
    }
    names = frozenset(f.fieldname for f in meta.value_fields if not f.is_table)
    return Scope(names, tables, in_row=meta.istable)


def ordered(items: list[tuple[DocField, Formula]]) -> list[tuple[DocField, Formula]]:
    """Order formulas so each runs after the formulas it reads; refuse a cycle."""
    pending = {f.fieldname: (f, formula) for f, formula in items}
    done: list[tuple[DocField, Formula]] = []
    while pending:
        ready = [n for n, (_f, fx) in pending.items() if not (fx.fields - {n}) & set(pending)]
        selfref = [n for n, (_f, fx) in pending.items() if n in fx.fields]
        if selfref:
            raise FormulaError(_("公式不能引用字段自己：%(f)s") % {"f": "、".join(selfref)})
        if not ready:
            raise FormulaError(_("公式互相引用，无法计算：%(f)s") % {"f": "、".join(pending)})
        for name in ready:
            done.append(pending.pop(name))
    return done


def build_plan(meta: Meta, child_metas: Mapping[str, Meta]) -> Plan:
    """Compile a DocType's formulas and rules; raise FormulaError or ConditionError."""
    plan = Plan()
    scope = scope_of(meta, child_metas)
    names = {f.fieldname for f in meta.value_fields if not f.is_table}
    items = []
    for f in meta.value_fields:
        raw = f.raw
        if raw.get("formula"):
            items.append((f, compile_formula(raw["formula"], scope)))
        if raw.get("depends_on"):
            conditions.validate(raw["depends_on"], names)
            plan.shown_if[f.fieldname] = raw["depends_on"]
        if raw.get("mandatory_depends_on"):
            conditions.validate(raw["mandatory_depends_on"], names)
            plan.required_if[f.fieldname] = raw["mandatory_depends_on"]
        if raw.get(REQD_WHEN_SHOWN):
            plan.required_when_shown.add(f.fieldname)
    plan.formulas = ordered(items)
    return plan


_lock = threading.Lock()
_plans: dict[int, tuple[Meta, Plan | None]] = {}


def plan_for(meta: Meta, child_metas: Mapping[str, Meta]) -> Plan | None:
    """Return the compiled plan of a parsed Meta (cached while the registry keeps that Meta)."""
    hit = _plans.get(id(meta))
    if hit is not None and hit[0] is meta:
        return hit[1]
    has_rules = any(
        f.raw.get("formula") or f.raw.get("depends_on") or f.raw.get("mandatory_depends_on")
        for f in meta.value_fields
    )
    try:
        plan = build_plan(meta, child_metas) if has_rules else None
    except (FormulaError, conditions.ConditionError) as exc:
        # The designer refuses such a definition; one stored before a rename must not block saves.
        raise DocumentValidationError.single(
            _("表单“%(l)s”的公式或条件有误，请联系管理员：%(e)s") % {"l": meta.label, "e": exc}
        ) from None
    with _lock:
        if len(_plans) > 500:
            _plans.clear()
        _plans[id(meta)] = (meta, plan)
    return plan


# ---- applying -------------------------------------------------------------------------------


def _coerce(f: DocField, value: Any) -> Any:
    """Bring a formula's result to the field's type (money to its places, text to its limit).

    Rounded half up (四舍五入), as every amount the school computes by hand and on the form.
    """
    if value is None or value == "":
        return None
    if f.fieldtype in DECIMAL_PLACES:
        return quantize(Decimal(value), f.fieldtype)
    if f.fieldtype == "Int":
        return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if f.fieldtype == "Check":
        return bool(value)
    if f.fieldtype in ("Date", "Datetime"):
        return form_field(f).clean(value)
    return str(value)[: 140 if f.fieldtype == "Data" else 2000]


def _out_of_bounds(f: DocField, result: Any) -> str:
    """Why a computed number breaks its field's bounds, else "": a stay that ends before it
    begins (停留时长 −1.5) says the times typed are wrong, as a typed number out of range does."""
    if not isinstance(result, Decimal | int) or isinstance(result, bool):
        return ""
    if f.min_value is not None and result < f.min_value:
        limit, words = f.min_value, _("按填写的内容算得 %(v)s，不能小于 %(limit)s，请检查")
    elif f.max_value is not None and result > f.max_value:
        limit, words = f.max_value, _("按填写的内容算得 %(v)s，不能大于 %(limit)s，请检查")
    else:
        return ""
    return words % {"v": _plain(result), "limit": _plain(limit)}


def _plain(number: Decimal | int) -> str:
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _condition_values(values: Mapping[str, Any]) -> dict[str, Any]:
    # A rule `done == 1` must match a ticked box, which the cleaned values hold as True.
    return {k: (int(v) if isinstance(v, bool) else v) for k, v in values.items()}


def _apply_level(
    plan: Plan,
    meta: Meta,
    values: dict[str, Any],
    names: dict[str, Any],
    errors: dict[str, list[str]],
    key_prefix: str = "",
    label_prefix: str = "",
) -> None:
    for f, formula in plan.formulas:
        try:
            result = _coerce(f, evaluate_formula(formula, names))
        except (FormulaError, ValidationError, ArithmeticError, ValueError) as exc:
            message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
            errors[key_prefix + f.fieldname].append(
                _("%(p)s%(label)s：%(msg)s") % {"p": label_prefix, "label": f.label, "msg": message}
            )
            result = None
        bound = _out_of_bounds(f, result)
        if bound:
            errors[key_prefix + f.fieldname].append(
                _("%(p)s%(label)s：%(msg)s") % {"p": label_prefix, "label": f.label, "msg": bound}
            )
        values[f.fieldname] = names[f.fieldname] = result
    if not (plan.shown_if or plan.required_if or plan.required_when_shown):
        return
    seen = _condition_values(values)
    for f in meta.value_fields:
        name = f.fieldname
        if name in plan.shown_if and not conditions.matches(plan.shown_if[name], seen):
            continue  # a hidden field is never required
        required = name in plan.required_when_shown or (
            name in plan.required_if and conditions.matches(plan.required_if[name], seen)
        )
        if required and values.get(name) in (None, "", []):
            errors[key_prefix + name].append(
                _("%(p)s%(label)s：此项为必填项") % {"p": label_prefix, "label": f.label}
            )


def apply(doc: Doc) -> None:
    """Compute formula fields (rows first, then the document) and enforce required-if rules."""
    plan = plan_for(doc.meta, doc.child_metas)
    child_plans = {
        t.options: plan_for(doc.child_metas[t.options], {}) for t in doc.meta.table_fields
    }
    if plan is None and not any(child_plans.values()):
        return  # most DocTypes: nothing declared, nothing to do on the hot path
    errors: dict[str, list[str]] = defaultdict(list)
    columns: dict[str, dict[str, list[Any]]] = {}
    # What a row's `parent.x` reads: the document's values, but not its formulas, which run
    # after the rows (a stored total would be last save's).
    parent = SimpleNamespace(
        **{
            f.fieldname: doc.values.get(f.fieldname)
            for f in doc.meta.value_fields
            if not f.is_table and not f.raw.get("formula")
        }
    )
    for table in doc.meta.table_fields:
        child = doc.child_metas[table.options]
        child_plan = child_plans[table.options]
        rows = doc.values.get(table.fieldname) or []
        if child_plan is not None:
            for idx, row in enumerate(rows, start=1):
                prefix = _("%(table)s第 %(idx)s 行：") % {"table": table.label, "idx": idx}
                names = {**row, PARENT: parent}  # a namespace: `parent.items` is no dict method
                _apply_level(
                    child_plan, child, row, names, errors, f"{table.fieldname}.{idx}.", prefix
                )
        columns[table.fieldname] = {
            f.fieldname: [row.get(f.fieldname) for row in rows] for f in child.value_fields
        }
    if plan is not None:
        names = {k: v for k, v in doc.values.items() if k not in columns}
        _apply_level(plan, doc.meta, doc.values, {**names, **columns}, errors)
    if errors:
        raise DocumentValidationError(errors)


def definition_hook(doctype: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Turn "required" on a field shown only sometimes into required-while-shown.

    The engine's `reqd` means always; a field that depends_on hides must not block a save.
    """
    fields = raw.get("fields") or []
    if not any(f.get("depends_on") and f.get("reqd") for f in fields):
        return raw
    out = {**raw, "fields": []}
    for f in fields:
        if f.get("depends_on") and f.get("reqd"):
            f = {k: v for k, v in f.items() if k != "reqd"}
            f[REQD_WHEN_SHOWN] = 1
        out["fields"].append(f)
    return out


# ---- the desk form --------------------------------------------------------------------------


def _client_rules(meta: Meta) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in meta.value_fields:
        raw = f.raw
        entry = {k: raw[k] for k in ("formula", *RULE_PROPS, REQD_WHEN_SHOWN) if raw.get(k)}
        if entry:
            out[f.fieldname] = {**entry, "type": f.fieldtype, "reqd": int(f.reqd)}
    return out


def _types(meta: Meta) -> dict[str, str]:
    return {f.fieldname: f.fieldtype for f in meta.value_fields if not f.is_table}


def client_rules(meta: Meta) -> dict[str, Any]:
    """Return the formulas and rules the desk form applies live; empty when it has none."""
    from school_logistics.core.registry import get_meta

    children = {t.fieldname: get_meta(t.options) for t in meta.table_fields}
    fields = _client_rules(meta)
    tables = {name: rules for name, child in children.items() if (rules := _client_rules(child))}
    if not fields and not tables:
        return {}
    from django.templatetags.static import static

    return {
        "script": static("designer/form_rules.js"),
        "fields": fields,
        "tables": tables,
        "types": _types(meta),
        "table_types": {name: _types(child) for name, child in children.items()},
    }


# ---- the designer ---------------------------------------------------------------------------


def normalise_condition(raw: Any) -> dict[str, Any] | None:
    """Return a rule group as stored: `{"all"|"any": [{field, op, value}]}`, blank rules dropped."""
    if not isinstance(raw, Mapping):
        return None
    key = "any" if "any" in raw else "all"
    rules = raw.get(key)
    if not isinstance(rules, list):
        return None
    clean = []
    for rule in rules[: conditions.MAX_RULES + 1]:
        if not isinstance(rule, Mapping) or not str(rule.get("field") or "").strip():
            continue
        item = {"field": str(rule["field"]).strip()[:140], "op": str(rule.get("op") or "==")[:20]}
        if item["op"] not in ("is set", "is not set"):
            item["value"] = str(rule.get("value") if rule.get("value") is not None else "")[:140]
        clean.append(item)
    return {key: clean} if clean else None


def check_rules(raw: Mapping[str, Any]) -> dict[str, list[str]]:
    """Return the problems of a definition's formulas and rules, keyed by field, in Chinese."""
    from school_logistics.core.meta import LAYOUT_TYPES
    from school_logistics.core.models import DocType
    from school_logistics.core.registry import get_meta

    errors: dict[str, list[str]] = defaultdict(list)
    # A field the admin removed is kept hidden for its stored values, but nothing reads it any
    # more: a formula or a condition naming it is refused as naming a field that is not there.
    fields = [
        f
        for f in raw.get("fields", [])
        if f.get("fieldtype") not in LAYOUT_TYPES and not f.get("removed")
    ]
    names = {f["fieldname"] for f in fields if f.get("fieldtype") != "Table"}
    tables = {}
    for f in fields:
        if f.get("fieldtype") == "Table" and DocType.objects.filter(name=f.get("options")).exists():
            columns = get_meta(f["options"]).value_fields
            tables[f["fieldname"]] = frozenset(c.fieldname for c in columns)
    scope = Scope(frozenset(names), tables, in_row=bool(raw.get("istable")))
    compiled = []
    for f in fields:
        key, title = f"fields.{f['fieldname']}", f.get("label") or f["fieldname"]
        if f.get("formula"):
            if f.get("fieldtype") not in FORMULA_TYPES:
                errors[key].append(_("字段“%(t)s”：这种类型不能用公式计算") % {"t": title})
            else:
                try:
                    compiled.append((f, compile_formula(f["formula"], scope)))
                except FormulaError as exc:
                    errors[key].append(_("字段“%(t)s”的公式：%(e)s") % {"t": title, "e": exc})
        if f.get("fetch_from"):
            problem = _fetch_problem(f, fields)
            if problem:
                errors[key].append(_("字段“%(t)s”的取值来源：%(e)s") % {"t": title, "e": problem})
        for prop, label in (("depends_on", _("显示条件")), ("mandatory_depends_on", _("必填条件"))):
            if not f.get(prop):
                continue
            try:
                conditions.validate(f[prop], names)
            except conditions.ConditionError as exc:
                errors[key].append(
                    _("字段“%(t)s”的%(p)s：%(e)s") % {"t": title, "p": label, "e": exc}
                )
    if compiled and not errors:
        try:
            ordered([(_Named(f["fieldname"]), formula) for f, formula in compiled])  # type: ignore[misc]
        except FormulaError as exc:
            errors["fields"].append(str(exc))
    _check_parent_reads(raw, fields, compiled, errors)
    return errors


def _check_parent_reads(
    raw: Mapping[str, Any],
    fields: list[dict[str, Any]],
    compiled: list[tuple[dict[str, Any], Formula]],
    errors: dict[str, list[str]],
) -> None:
    """Rows read their document's typed fields as `parent.x`: check both sides of that link.

    Saving a document's form checks its tables' row formulas against its fields; saving a
    table's checks its formulas against every form the table is used in.
    """
    from school_logistics.core.models import DocType
    from school_logistics.core.registry import get_meta

    def readable(parent_fields_: Iterable[Mapping[str, Any]]) -> set[str]:
        return {
            str(f.get("fieldname"))
            for f in parent_fields_
            if f.get("fieldtype") != "Table" and not f.get("formula")
        }

    def check(
        formulas: Iterable[tuple[Mapping[str, Any], Formula]], parent_label: str, names: set[str]
    ) -> None:
        for f, formula in formulas:
            for missing in sorted(parent_fields(formula) - names):
                errors[f"fields.{f['fieldname']}"].append(
                    _("字段“%(t)s”的公式读取 parent.%(f)s，但“%(p)s”没有这个可填字段")
                    % {"t": f.get("label") or f["fieldname"], "f": missing, "p": parent_label}
                )

    if raw.get("istable"):
        for parent in DocType.objects.filter(istable=False).only("name", "definition"):
            tables = parent.definition.get("fields") or []
            if any(
                t.get("fieldtype") == "Table" and t.get("options") == raw.get("name")
                for t in tables
            ):
                check(compiled, get_meta(parent.name).label, readable(tables))
        return
    names = readable(fields)
    for table in fields:
        if table.get("fieldtype") != "Table":
            continue
        if not DocType.objects.filter(name=table.get("options")).exists():
            continue
        child = get_meta(table["options"])
        plan = plan_for(child, {})
        if plan is not None:
            label = str(raw.get("label") or raw.get("name"))
            check(((f.raw, formula) for f, formula in plan.formulas), label, names)


def _fetch_problem(f: dict[str, Any], fields: list[dict[str, Any]]) -> str:
    """What is wrong with a field's `fetch_from` ("link field.field of the linked record")."""
    from school_logistics.core.models import DocType
    from school_logistics.core.registry import get_meta

    link_name, _dot, source = str(f["fetch_from"]).partition(".")
    if not (FIELDNAME.match(link_name) and FIELDNAME.match(source)):
        return _("应写成“链接字段.字段”，如 item.reference_price")
    if f.get("formula"):
        return _("已有计算公式，二者只能选一")
    link = next((x for x in fields if x.get("fieldname") == link_name), None)
    if link is None or link.get("fieldtype") != "Link":
        return _("本表单没有名为“%(l)s”的链接字段") % {"l": link_name}
    target = str(link.get("options") or "")
    if not DocType.objects.filter(name=target).exists():
        return _("链接字段“%(l)s”没有指向表单") % {"l": link_name}
    meta = get_meta(target)
    field = meta.get_field(source)
    if field is None or field.is_table:
        return _("“%(t)s”没有字段“%(s)s”") % {"t": meta.label, "s": source}
    return ""


@dataclass(frozen=True)
class _Named:
    """Stands in for a DocField where only the name matters (ordering raw definitions)."""

    fieldname: str
