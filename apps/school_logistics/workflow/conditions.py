"""Declarative route conditions an admin builds in the browser: field, operator, value, all/any.

A condition is data, never code: `{"all": [{"field": "grand_total", "op": ">=", "value": "5000"}]}`.
Nothing an admin types is evaluated as Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

MAX_DEPTH = 5
MAX_RULES = 50


class ConditionError(ValueError):
    """A condition that cannot be evaluated: refused when the admin saves the flow."""


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _comparable(left: Any, right: Any) -> tuple[Any, Any]:
    """Bring both sides to one type: numbers as Decimal, dates as dates, else strings."""
    ln, rn = _number(left), _number(right)
    if ln is not None and rn is not None:
        return ln, rn
    if isinstance(left, dt.date) and isinstance(right, str):
        try:
            return left, dt.date.fromisoformat(right)
        except ValueError:
            pass
    return ("" if left is None else str(left)), ("" if right is None else str(right))


def _compare(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def run(left: Any, right: Any) -> bool:
        a, b = _comparable(left, right)
        try:
            return op(a, b)
        except TypeError:
            return False

    return run


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [v.strip() for v in str(value).split(",") if v.strip()]


OPERATORS: dict[str, tuple[str, Callable[[Any, Any], bool]]] = {
    "==": (gettext_noop("等于"), _compare(lambda a, b: a == b)),
    "!=": (gettext_noop("不等于"), _compare(lambda a, b: a != b)),
    ">": (gettext_noop("大于"), _compare(lambda a, b: a > b)),
    ">=": (gettext_noop("大于等于"), _compare(lambda a, b: a >= b)),
    "<": (gettext_noop("小于"), _compare(lambda a, b: a < b)),
    "<=": (gettext_noop("小于等于"), _compare(lambda a, b: a <= b)),
    "in": (gettext_noop("属于"), lambda a, b: str(a) in _as_list(b)),
    "not in": (gettext_noop("不属于"), lambda a, b: str(a) not in _as_list(b)),
    "contains": (gettext_noop("包含"), lambda a, b: str(b) in ("" if a is None else str(a))),
    "is set": (gettext_noop("已填写"), lambda a, b: a not in (None, "", [])),
    "is not set": (gettext_noop("未填写"), lambda a, b: a in (None, "", [])),
}


def validate(condition: Mapping[str, Any] | None, fieldnames: set[str], depth: int = 0) -> None:
    """Raise ConditionError unless the condition is well formed and names known fields."""
    if not condition:
        return
    if depth > MAX_DEPTH:
        raise ConditionError(_("条件嵌套太深"))
    groups = [k for k in ("all", "any") if k in condition]
    if len(groups) != 1 or set(condition) - {"all", "any"}:
        raise ConditionError(_("条件组必须是“全部满足(all)”或“任一满足(any)”之一"))
    rules = condition[groups[0]]
    if not isinstance(rules, list) or not rules or len(rules) > MAX_RULES:
        raise ConditionError(_("条件组需要 1 到 %(n)s 条规则") % {"n": MAX_RULES})
    for rule in rules:
        if not isinstance(rule, Mapping):
            raise ConditionError(_("条件规则格式不正确"))
        if "all" in rule or "any" in rule:
            validate(rule, fieldnames, depth + 1)
            continue
        if rule.get("field") not in fieldnames:
            raise ConditionError(_("条件中的字段不存在：%(f)s") % {"f": rule.get("field")})
        if rule.get("op") not in OPERATORS:
            raise ConditionError(_("不支持的比较方式：%(op)s") % {"op": rule.get("op")})


def matches(condition: Mapping[str, Any] | None, values: Mapping[str, Any]) -> bool:
    """Return whether a document's values satisfy a (validated) condition; empty means always."""
    if not condition:
        return True
    if "all" in condition:
        return all(_rule(r, values) for r in condition["all"])
    return any(_rule(r, values) for r in condition["any"])


def _rule(rule: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    if "all" in rule or "any" in rule:
        return matches(rule, values)
    return OPERATORS[rule["op"]][1](values.get(rule["field"]), rule.get("value"))


def describe(condition: Mapping[str, Any] | None, labels: Mapping[str, str]) -> str:
    """Return a condition as a sentence in the reader's language, e.g. `合计金额 大于等于 5000`."""
    if not condition:
        return _("无条件")
    key = "all" if "all" in condition else "any"
    joiner = " %s " % (_("且") if key == "all" else _("或"))
    parts = []
    for rule in condition[key]:
        if "all" in rule or "any" in rule:
            parts.append(f"（{describe(rule, labels)}）")
            continue
        label = labels.get(rule["field"], rule["field"])
        op = _(OPERATORS[rule["op"]][0])
        value = "" if rule["op"] in {"is set", "is not set"} else f" {rule.get('value')}"
        parts.append(f"{label} {op}{value}")
    return joiner.join(parts)
