"""What a designed DocType may say: field properties, their clean form, and the checks on them."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from school_logistics.core.meta import (
    FIELD_TYPES,
    FIELDNAME,
    LAYOUT_TYPES,
    NUMERIC_TYPES,
    PERMISSION_TYPES,
    parse_field,
    parse_meta,
)
from school_logistics.core.models import DocType, Role
from school_logistics.core.registry import ORG_DOCTYPES
from school_logistics.core.validation import DocumentValidationError, form_field
from school_logistics.designer.models import PropertySetter
from school_logistics.designer.rules import RULE_PROPS, check_rules, normalise_condition

# The types an admin picks from, in the order the designer offers them.
FIELD_TYPE_LABELS: dict[str, Any] = {
    "Data": gettext_lazy("单行文本"),
    "Small Text": gettext_lazy("多行文本"),
    "Text": gettext_lazy("长文本"),
    "Int": gettext_lazy("整数"),
    "Float": gettext_lazy("小数"),
    "Currency": pgettext_lazy("field type", "金额"),
    "Percent": gettext_lazy("百分比"),
    "Check": gettext_lazy("勾选"),
    "Date": gettext_lazy("日期"),
    "Datetime": gettext_lazy("日期时间"),
    "Time": gettext_lazy("时间"),
    "Select": gettext_lazy("下拉选项"),
    "Link": gettext_lazy("关联单据"),
    "User": gettext_lazy("用户"),
    "Attach": gettext_lazy("附件"),
    "Attach Image": gettext_lazy("图片"),
    "Table": gettext_lazy("子表"),
    "Read Only": gettext_lazy("只读文本"),
    "Section Break": gettext_lazy("分节"),
    "Column Break": gettext_lazy("分栏"),
}
assert set(FIELD_TYPE_LABELS) == FIELD_TYPES  # a new engine type must get a label here

FLAG_PROPS = (
    "reqd",
    "read_only",
    "unique",
    "in_list_view",
    "in_standard_filter",
    "allow_on_submit",
    "step_only",
    "no_copy",
    "hidden",
    "removed",
)
TEXT_PROPS = ("label", "label_en", "options", "description")
FIELD_PROPS = ("fieldname", "fieldtype", *TEXT_PROPS, "default", "min_value", "max_value")
DOCTYPE_PROPS = (
    "label",
    "label_en",
    "module",
    "icon",
    "autoname",
    "title_field",
    "total_field",
    "date_field",
    "is_submittable",
    "istable",
    "show_title_field_in_link",
)
DOCTYPE_FLAGS = frozenset({"is_submittable", "istable", "show_title_field_in_link"})
# Values a default may name instead of a literal (see core.services._defaults).
SPECIAL_DEFAULTS = frozenset({"Today", "__user", "__department"})
# Keys documents and the API use themselves; a field may not take them.
RESERVED_FIELDNAMES = frozenset(
    {
        "name",
        "doctype",
        "docstatus",
        "idx",
        "owner",
        "creation",
        "modified",
        "modified_by",
        "parent",
        "parenttype",
        "parentfield",
        "workflow_state",
        "amended_from",
        "school",
        "title",
    }
)
# First URL segments under /app/ that are pages, not DocTypes.
RESERVED_SLUGS = frozenset(
    {
        *("approvals", "notifications", "designer", "new", "print", "files", "library"),
        *("import", "stock", "budget-use", "meal-fees", "asset-register", "repair-stats"),
        "energy",
    }
)
DOCTYPE_NAME = re.compile(r"^\w[\w \-]{0,79}$")
SERIES_PART = re.compile(r"^(YYYY|YY|MM|DD|[A-Za-z0-9_\-/]{1,20})$")
ICON = re.compile(r"^fa-[a-z0-9-]{1,40}$")
MODULE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Longest labels, in characters: longer ones break the desk's menus, tabs and list headers.
DOCTYPE_LABEL_MAX = 40
DOCTYPE_LABEL_EN_MAX = 80
FIELD_LABEL_MAX = 60
FIELD_LABEL_EN_MAX = 120


def type_label(fieldtype: str) -> str:
    return str(FIELD_TYPE_LABELS.get(fieldtype, fieldtype))


def _text(value: Any, limit: int) -> str:
    return str(value if value is not None else "").strip()[:limit]


def normalise_field(raw: Any) -> dict[str, Any]:
    """Return one field's JSON with known properties only: flags as 1, empty ones dropped."""
    if not isinstance(raw, dict):
        raise DocumentValidationError.single(_("字段格式不正确"), "fields")
    out: dict[str, Any] = {
        "fieldname": _text(raw.get("fieldname"), 140),
        "fieldtype": _text(raw.get("fieldtype"), 40) or "Data",
    }
    for key in TEXT_PROPS:
        value = _text(raw.get(key), 2000)
        if key == "options":
            value = "\n".join(line.strip() for line in value.splitlines() if line.strip())
        if value:
            out[key] = value
    default = raw.get("default")
    if default not in (None, ""):
        out["default"] = _text(default, 2000)
    for key in ("min_value", "max_value"):
        if raw.get(key) not in (None, ""):
            out[key] = _text(raw.get(key), 40)
    for key in FLAG_PROPS:
        if raw.get(key) in (True, 1, "1", "true", "on"):
            out[key] = 1
    formula = _text(raw.get("formula"), 600)
    if formula:
        out["formula"] = formula
        out["read_only"] = 1  # computed by the server on every save; input never sets it
    fetch_from = _text(raw.get("fetch_from"), 140)
    if fetch_from:
        out["fetch_from"] = fetch_from
    for key in RULE_PROPS:
        rule = normalise_condition(raw.get(key))
        if rule:
            out[key] = rule
    return out


def normalise_permissions(rows: Any) -> list[dict[str, Any]]:
    """Return permission rows with the known rights as 1; rows granting nothing are dropped."""
    if not isinstance(rows, list):
        raise DocumentValidationError.single(_("权限格式不正确"), "permissions")
    out = []
    for row in rows:
        if not isinstance(row, dict):
            raise DocumentValidationError.single(_("权限格式不正确"), "permissions")
        clean: dict[str, Any] = {"role": _text(row.get("role"), 40)}
        for key in (*PERMISSION_TYPES, "if_owner", "if_department"):
            if row.get(key) in (True, 1, "1", "true", "on"):
                clean[key] = 1
        if any(clean.get(t) for t in PERMISSION_TYPES):
            out.append(clean)
    return out


def normalise(raw: Any) -> dict[str, Any]:
    """Return a whole definition in the shape DocType JSON files have, from designer input."""
    if not isinstance(raw, dict):
        raise DocumentValidationError.single(_("表单定义格式不正确"))
    out: dict[str, Any] = {"name": _text(raw.get("name"), 140)}
    for key in DOCTYPE_PROPS:
        value = raw.get(key)
        if key in DOCTYPE_FLAGS:
            if value in (True, 1, "1", "true", "on"):
                out[key] = 1
        elif _text(value, 240):
            out[key] = _text(value, 240)
    search = raw.get("search_fields") or []
    if isinstance(search, list) and search:
        out["search_fields"] = [_text(s, 140) for s in search if _text(s, 140)]
    fields = raw.get("fields")
    if not isinstance(fields, list):
        raise DocumentValidationError.single(_("字段格式不正确"), "fields")
    out["fields"] = [normalise_field(f) for f in fields]
    out["permissions"] = normalise_permissions(raw.get("permissions") or [])
    return out


def field_title(f: dict[str, Any]) -> str:
    return str(f.get("label") or f.get("fieldname") or "?")


def other_doctype_labels(name: str) -> dict[str, str]:
    """Return the Chinese label of every other DocType by name, a built-in's as customised."""
    labels = dict(DocType.objects.exclude(name=name).values_list("name", "label"))
    customised = PropertySetter.objects.filter(fieldname="", property="label").exclude(doctype=name)
    for doctype, value in customised.values_list("doctype", "value"):
        if doctype in labels and value:
            labels[doctype] = str(value)
    return labels


def _label_key(label: str) -> str:
    return " ".join(label.split()).casefold()


class Checker:
    """Collect every problem of a definition, each keyed and worded for the admin."""

    def __init__(self, raw: dict[str, Any], *, builtin: bool) -> None:
        self.raw = raw
        self.builtin = builtin
        self.errors: dict[str, list[str]] = defaultdict(list)

    def add(self, key: str, message: str) -> None:
        self.errors[key].append(message)

    def run(self) -> None:
        raw = self.raw
        if not self.builtin:
            self._doctype()
        self._doctype_label()
        self._fields()
        self._field_labels()
        self._references()
        self._permissions()
        for key, messages in check_rules(raw).items():
            self.errors[key].extend(messages)
        if not self.errors:
            try:
                parse_meta(raw)
            except (KeyError, TypeError, ValueError) as exc:
                self.add("__all__", _("表单定义无效：%(e)s") % {"e": exc})
        if self.errors:
            raise DocumentValidationError(self.errors)

    def _doctype(self) -> None:
        raw = self.raw
        if not DOCTYPE_NAME.fullmatch(raw["name"]):
            self.add("name", _("名称只能包含文字、数字、空格、下划线和连字符，最长 80 字"))
        elif slugify(raw["name"]).lower() in RESERVED_SLUGS or raw["name"] in ORG_DOCTYPES:
            self.add("name", _("名称“%(n)s”是系统保留的，请换一个") % {"n": raw["name"]})
        if not raw.get("label"):
            self.add("label", _("请填写中文名称"))
        if not MODULE.fullmatch(raw.get("module", "")):
            self.add("module", _("模块应为小写英文字母、数字或下划线，如 safety"))
        if raw.get("icon") and not ICON.fullmatch(raw["icon"]):
            self.add("icon", _("图标应为 Font Awesome 名称，如 fa-car"))
        if raw.get("istable") and raw.get("is_submittable"):
            self.add("is_submittable", _("子表随主单据保存，不能单独提交"))
        self._autoname(raw.get("autoname", ""))

    def _doctype_label(self) -> None:
        """Refuse a label too long for menus, or one another DocType has: people pick by it."""
        label, label_en = self.raw.get("label", ""), self.raw.get("label_en", "")
        if len(label) > DOCTYPE_LABEL_MAX:
            self.add(
                "label",
                _("中文名称最长 %(n)s 个字，现在有 %(c)s 个字")
                % {"n": DOCTYPE_LABEL_MAX, "c": len(label)},
            )
        if len(label_en) > DOCTYPE_LABEL_EN_MAX:
            self.add(
                "label_en",
                _("英文名称最长 %(n)s 个字符，现在有 %(c)s 个字符")
                % {"n": DOCTYPE_LABEL_EN_MAX, "c": len(label_en)},
            )
        if not label:
            return
        wanted = _label_key(label)
        for name, other in other_doctype_labels(self.raw["name"]).items():
            if _label_key(other) == wanted:
                self.add(
                    "label",
                    _("已有表单叫“%(l)s”（系统名称 %(n)s），请换一个中文名称")
                    % {"l": other, "n": name},
                )
                return

    def _autoname(self, rule: str) -> None:
        if rule in ("", "hash"):
            return
        names = {f["fieldname"] for f in self.raw["fields"]}
        if rule.startswith("field:"):
            if rule.removeprefix("field:") not in names:
                self.add("autoname", _("编号规则引用的字段“%(f)s”不存在") % {"f": rule[6:]})
            return
        parts = rule.split(".")
        if not re.fullmatch(r"#{2,10}", parts[-1]) or not all(
            SERIES_PART.fullmatch(p) for p in parts[:-1] if p
        ):
            self.add(
                "autoname",
                _("编号规则应形如 VR-.YYYY.-.####（前缀、日期、若干 #）：%(r)s") % {"r": rule},
            )

    def _fields(self) -> None:
        seen: set[str] = set()
        for idx, f in enumerate(self.raw["fields"], start=1):
            key = f"fields.{f.get('fieldname') or idx}"
            title = field_title(f)
            name, ftype = f["fieldname"], f["fieldtype"]
            if not FIELDNAME.fullmatch(name):
                self.add(
                    key,
                    _("第 %(i)s 个字段“%(t)s”：字段名只能用小写英文字母、数字和下划线，字母开头")
                    % {"i": idx, "t": title},
                )
                continue
            if name in RESERVED_FIELDNAMES:
                self.add(key, _("字段名“%(f)s”是系统保留的，请换一个") % {"f": name})
            if name in seen:
                self.add(key, _("字段名“%(f)s”重复") % {"f": name})
            seen.add(name)
            if ftype not in FIELD_TYPES:
                self.add(key, _("字段“%(t)s”：未知类型 %(ty)s") % {"t": title, "ty": ftype})
                continue
            if ftype in LAYOUT_TYPES:
                continue
            if not f.get("label"):
                self.add(key, _("字段“%(f)s”：请填写标签") % {"f": name})
            self._field_type(f, key, title)

    def _field_labels(self) -> None:
        """Refuse over-long labels, and two fields of one label: the person filling in cannot
        tell them apart. Removed fields are out of sight, so a new field may take their label."""
        seen: set[str] = set()
        for f in self.raw["fields"]:
            key = f"fields.{f['fieldname']}"
            label, label_en = f.get("label", ""), f.get("label_en", "")
            if len(label) > FIELD_LABEL_MAX:
                self.add(
                    key,
                    _("字段“%(t)s…”：标签最长 %(n)s 个字，现在有 %(c)s 个字")
                    % {"t": label[:10], "n": FIELD_LABEL_MAX, "c": len(label)},
                )
            if len(label_en) > FIELD_LABEL_EN_MAX:
                self.add(
                    key,
                    _("字段“%(t)s”：英文标签最长 %(n)s 个字符，现在有 %(c)s 个字符")
                    % {"t": field_title(f)[:10], "n": FIELD_LABEL_EN_MAX, "c": len(label_en)},
                )
            if not label or f["fieldtype"] in LAYOUT_TYPES or f.get("removed"):
                continue
            wanted = _label_key(label)
            if wanted in seen:
                self.add(
                    key,
                    _("有两个字段的标签都是“%(l)s”，填写时分不清，请改掉其中一个") % {"l": label},
                )
            seen.add(wanted)

    def _field_type(self, f: dict[str, Any], key: str, title: str) -> None:
        ftype, options = f["fieldtype"], f.get("options", "")
        if ftype == "Select" and not options:
            self.add(key, _("字段“%(t)s”：下拉选项至少要有一项（每行一项）") % {"t": title})
        elif ftype == "Select":
            lines = [line.strip() for line in options.split("\n") if line.strip()]
            twice = sorted({line for line in lines if lines.count(line) > 1})
            if twice:
                self.add(
                    key,
                    _("字段“%(t)s”：下拉选项“%(o)s”重复，请只留一项")
                    % {"t": title, "o": "、".join(twice)},
                )
        if ftype == "Link":
            if not options or not (
                options in ORG_DOCTYPES
                or DocType.objects.filter(name=options, istable=False).exists()
            ):
                self.add(
                    key, _("字段“%(t)s”：关联的单据类型“%(o)s”不存在") % {"t": title, "o": options}
                )
        if ftype == "Table":
            if self.raw.get("istable"):
                self.add(key, _("字段“%(t)s”：子表里不能再放子表") % {"t": title})
            elif not DocType.objects.filter(name=options, istable=True).exists():
                self.add(key, _("字段“%(t)s”：子表“%(o)s”不存在") % {"t": title, "o": options})
        bounds: list[Decimal] = []
        for prop in ("min_value", "max_value"):
            if f.get(prop) is None:
                continue
            if ftype not in NUMERIC_TYPES:
                self.add(key, _("字段“%(t)s”：只有数字字段能设最小值、最大值") % {"t": title})
                continue
            try:
                bounds.append(Decimal(str(f[prop])))
            except InvalidOperation:
                self.add(key, _("字段“%(t)s”：最小值、最大值应为数字") % {"t": title})
        if len(bounds) == 2 and bounds[0] > bounds[1]:
            self.add(key, _("字段“%(t)s”：最小值大于最大值") % {"t": title})
        default = f.get("default")
        if default is not None and default not in SPECIAL_DEFAULTS and ftype != "Table":
            try:
                form_field(parse_field({**f, "reqd": 0})).clean(default)
            except (ValidationError, ValueError) as exc:
                message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
                self.add(
                    key,
                    _("字段“%(t)s”：默认值“%(d)s”不合适：%(m)s")
                    % {"t": title, "d": default, "m": message},
                )

    def _references(self) -> None:
        raw = self.raw
        by_name = {f["fieldname"]: f for f in raw["fields"] if f["fieldtype"] not in LAYOUT_TYPES}
        wanted = {
            "title_field": ({"Data", "Select", "Link", "Small Text"}, _("标题字段")),
            "total_field": (NUMERIC_TYPES, _("金额合计字段")),
            "date_field": ({"Date"}, _("日期字段")),
        }
        for prop, (types, label) in wanted.items():
            name = raw.get(prop)
            if not name:
                continue
            f = by_name.get(name)
            if f is None or f["fieldtype"] not in types:
                self.add(prop, _("%(l)s“%(f)s”不存在或类型不合适") % {"l": label, "f": name})
        for name in raw.get("search_fields", []):
            if name not in by_name:
                self.add("search_fields", _("搜索字段“%(f)s”不存在") % {"f": name})

    def _permissions(self) -> None:
        roles = set(Role.objects.values_list("code", flat=True))
        for row in self.raw.get("permissions", []):
            if row["role"] not in roles:
                self.add("permissions", _("权限中的角色“%(r)s”不存在") % {"r": row["role"]})


def check_definition(raw: dict[str, Any], *, builtin: bool = False) -> None:
    """Refuse a definition the engine cannot use, naming every problem in Chinese."""
    Checker(raw, builtin=builtin).run()
