"""Frappe list arguments (fields, filters, or_filters, order_by) → a safe Django query.

Every field name is checked against the DocType's metadata and every value is bound as a query
parameter after coercion to the field's type, so nothing a client sends becomes SQL text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import (
    DecimalField,
    Expression,
    F,
    IntegerField,
    Q,
    TextField,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    In,
    IsNull,
    LessThan,
    LessThanOrEqual,
    Lookup,
)
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from school_logistics.api.errors import ValidationError
from school_logistics.core.data_match import data_equals, data_in
from school_logistics.core.meta import DECIMAL_PLACES, DECIMAL_TYPES, Meta

# Frappe's standard columns, and the Document column (or expression) each one reads.
STANDARD_COLUMNS: dict[str, tuple[str, str]] = {
    "name": ("name", "text"),
    "owner": ("owner__username", "text"),
    "modified_by": ("modified_by__username", "text"),
    "creation": ("created", "datetime"),
    "modified": ("modified", "datetime"),
    "docstatus": ("docstatus", "int"),
    "workflow_state": ("workflow_state", "text"),
    "amended_from": ("amended_from", "text"),
}
# Output-only standard keys.
STANDARD_OUTPUT = ("name", "owner", "creation", "modified", "modified_by", "docstatus", "idx")
OPERATORS = frozenset(
    {"=", "!=", "<", ">", "<=", ">=", "like", "not like", "in", "not in", "between", "is"}
)
OPERATOR_ALIASES = {"==": "=", "<>": "!=", "not set": "is", "set": "is"}
MAX_FILTERS = 50
MAX_IN_VALUES = 500
JSON_STRING_TYPES = frozenset({"Data", "Link", "User", "Select"})
MAX_FIELDS = 100
# `fieldname`, optionally written as `tabDocType`.`fieldname` as Frappe clients sometimes do.
FIELD_RE = re.compile(r"^(?:`tab[^`]{1,140}`\.)?`?([A-Za-z_][A-Za-z0-9_]{0,139})`?$")
ORDER_RE = re.compile(
    r"^\s*(?:`tab[^`]{1,140}`\.)?`?([A-Za-z_][A-Za-z0-9_]{0,139})`?(?:\s+(asc|desc))?\s*$",
    re.IGNORECASE,
)


class Like(Lookup):
    """SQL LIKE with the pattern as a bound parameter (case-insensitive, as on Frappe's MariaDB)."""

    lookup_name = "frappe_like"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} ILIKE {rhs}", [*lhs_params, *rhs_params]
        # SQLite's LIKE ignores ASCII case already; UPPER makes other engines agree.
        return f"UPPER({lhs}) LIKE UPPER({rhs})", [*lhs_params, *rhs_params]


@dataclass(frozen=True)
class Column:
    """Where a filterable field's value lives and how its values compare."""

    fieldname: str
    expr: Expression | F
    kind: str  # text, int, decimal, date, date_text, datetime
    in_json: bool = False  # a value in Document.data rather than a real column
    # Cleaned to a JSON string on every save (Data, Link, User, Select): one value can then be
    # matched by containment, which the index over the data's paths serves on PostgreSQL.
    json_string: bool = False

    @property
    def null(self) -> Q:
        """Return the Q of "no value": SQL NULL, or JSON null / a missing key."""
        if self.in_json:
            # SQLite reads a JSON null as the text 'null' (and casts it to 0), so test for
            # JSON null itself; this lookup means the same on both databases.
            key = f"data__{self.fieldname}"
            return Q(**{key: None}) | Q(**{f"{key}__isnull": True})
        return Q(IsNull(self.expr, True))

    @property
    def blank(self) -> Q:
        if self.in_json and self.kind in {"text", "date_text"}:
            return self.null | Q(**{f"data__{self.fieldname}": ""})
        if self.kind == "text":
            return self.null | Q(Exact(self.expr, ""))
        return self.null

    @property
    def text(self) -> Expression | F:
        return self.expr if self.kind == "text" else Cast(self.expr, TextField())


def _field_error(fieldname: str) -> ValidationError:
    return ValidationError(_("未知字段：%(field)s") % {"field": str(fieldname)[:140]})


def clean_fieldname(raw: Any) -> str:
    """Return the bare fieldname of `name` or `` `tabX`.`name` ``, refusing anything else."""
    if not isinstance(raw, str):
        raise ValidationError(_("字段名应为字符串"))
    match = FIELD_RE.match(raw.strip())
    if not match:
        raise _field_error(raw)
    return match.group(1)


def column(meta: Meta, raw_name: Any) -> Column:
    """Return how to query a field: a promoted column when there is one, else the JSON value."""
    fieldname = clean_fieldname(raw_name)
    if fieldname in STANDARD_COLUMNS:
        path, kind = STANDARD_COLUMNS[fieldname]
        return Column(fieldname, F(path), kind)
    f = meta.get_field(fieldname)
    if f is None or f.is_layout:
        raise _field_error(fieldname)
    if f.is_table:
        raise ValidationError(_("表格字段不能用于查询：%(field)s") % {"field": fieldname})
    if fieldname == meta.total_field and f.fieldtype in DECIMAL_TYPES:
        return Column(fieldname, F("grand_total"), "decimal")
    if fieldname == meta.date_field and f.fieldtype == "Date":
        return Column(fieldname, F("posting_date"), "date")
    raw = KeyTextTransform(fieldname, "data")
    if f.fieldtype in DECIMAL_TYPES:
        # Decimals are stored as JSON strings ("235.00"): compare them as numbers, not text.
        places = DECIMAL_PLACES[f.fieldtype]
        as_decimal = Cast(raw, DecimalField(max_digits=18, decimal_places=places))
        return Column(fieldname, as_decimal, "decimal", True)
    if f.fieldtype in {"Int", "Check"}:
        return Column(fieldname, Cast(raw, IntegerField()), "int", True)
    if f.fieldtype == "Date":
        return Column(fieldname, raw, "date_text", True)
    return Column(fieldname, raw, "text", True, f.fieldtype in JSON_STRING_TYPES)


def _bad_value(value: Any, col: Column) -> ValidationError:
    return ValidationError(
        _("字段 %(field)s 的筛选值“%(value)s”格式不正确")
        % {"field": col.fieldname, "value": str(value)[:60]}
    )


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return parse_date(value.strip()[:10])
        except ValueError:
            return None
    return None


def coerce(col: Column, value: Any, *, upper: bool = False) -> Any:
    """Return `value` in the type the column compares with; refuse what does not fit."""
    if isinstance(value, dict | list) or value is None:
        raise _bad_value(value, col)
    if isinstance(value, bool):
        value = int(value)
    match col.kind:
        case "int":
            try:
                number = Decimal(str(value).strip())
                if number != number.to_integral_value():
                    raise InvalidOperation
                return int(number)
            except (InvalidOperation, ValueError) as exc:
                raise _bad_value(value, col) from exc
        case "decimal":
            try:
                number = Decimal(str(value).strip())
            except InvalidOperation as exc:
                raise _bad_value(value, col) from exc
            if not number.is_finite() or abs(number) >= Decimal(10) ** 16:
                raise _bad_value(value, col)
            return number
        case "date" | "date_text":
            day = _as_date(value)
            if day is None:
                raise _bad_value(value, col)
            return day if col.kind == "date" else day.isoformat()
        case "datetime":
            text = str(value).strip()
            try:
                # A bare date first: parse_datetime would read it as midnight.
                day = parse_date(text) if len(text) == 10 else None
                moment = None if day else parse_datetime(text)
            except ValueError as exc:
                raise _bad_value(value, col) from exc
            if moment is None and day is None:
                raise _bad_value(value, col)
            if moment is None:
                # A bare date as the upper bound means the whole of that day.
                assert day is not None
                moment = dt.datetime.combine(day, dt.time.max if upper else dt.time.min)
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            return moment
        case _:
            return str(value)[:2000]


def _values_list(col: Column, value: Any) -> list[Any]:
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list | tuple):
        raise _bad_value(value, col)
    if len(value) > MAX_IN_VALUES:
        raise ValidationError(_("in 条件最多 %(n)s 个值") % {"n": MAX_IN_VALUES})
    return [coerce(col, v) for v in value]


def condition(meta: Meta, fieldname: Any, operator: Any, value: Any) -> Q:
    """Return the Q of one Frappe filter `[fieldname, operator, value]`."""
    col = column(meta, fieldname)
    if not isinstance(operator, str):
        raise ValidationError(_("运算符应为字符串"))
    op = operator.strip().lower()
    op = OPERATOR_ALIASES.get(op, op)
    if op not in OPERATORS:
        raise ValidationError(_("不支持的运算符：%(op)s") % {"op": operator[:20]})
    positive = _positive(col, op, operator, value)
    if op in {"!=", "not like", "not in"} or op == "is" or (op == "=" and value is None):
        return positive
    # A comparison never matches a document without a value (SQLite would compare 'null').
    return positive & ~col.null


def _positive(col: Column, op: str, operator: str, value: Any) -> Q:
    expr = col.expr
    match op:
        case "=":
            if value is None:
                return col.blank
            if col.json_string:
                return data_equals(col.fieldname, coerce(col, value))
            return Q(Exact(expr, coerce(col, value)))
        case "!=":
            if value is None:
                return ~col.blank
            # As in Frappe, documents with no value at all count as "not equal".
            return ~(Q(Exact(expr, coerce(col, value))) & ~col.null) | col.null
        case "<":
            return Q(LessThan(expr, coerce(col, value)))
        case ">":
            return Q(GreaterThan(expr, coerce(col, value)))
        case "<=":
            return Q(LessThanOrEqual(expr, coerce(col, value, upper=True)))
        case ">=":
            return Q(GreaterThanOrEqual(expr, coerce(col, value)))
        case "like" | "not like":
            if isinstance(value, dict | list) or value is None:
                raise _bad_value(value, col)
            match_q = Q(Like(col.text, str(value)[:200]))
            return match_q if op == "like" else ~(match_q & ~col.null) | col.null
        case "in" | "not in":
            values = _values_list(col, value)
            if not values:
                return Q(pk__in=[]) if op == "in" else Q()
            in_q = data_in(col.fieldname, values) if col.json_string else Q(In(expr, values))
            return in_q if op == "in" else ~(in_q & ~col.null) | col.null
        case "between":
            if not isinstance(value, list | tuple) or len(value) != 2:
                raise ValidationError(_("between 条件需要两个值，如 [起, 止]"))
            low, high = coerce(col, value[0]), coerce(col, value[1], upper=True)
            return Q(GreaterThanOrEqual(expr, low)) & Q(LessThanOrEqual(expr, high))
        case _:  # "is"
            wanted = str(value).strip().lower() if isinstance(value, str) else ""
            if operator.strip().lower() in {"set", "not set"}:
                wanted = operator.strip().lower()
            if wanted == "set":
                return ~col.blank
            if wanted == "not set":
                return col.blank
            raise ValidationError(_("is 条件的值应为 set 或 not set"))


def _filter_items(raw: Any) -> list[tuple[Any, Any, Any]]:
    """Return `(fieldname, operator, value)` triples from Frappe's list or dict filter forms."""
    if raw in (None, "", [], {}):
        return []
    items: list[tuple[Any, Any, Any]] = []
    if isinstance(raw, dict):
        for key, value in raw.items():
            if isinstance(value, list | tuple) and len(value) == 2 and isinstance(value[0], str):
                items.append((key, value[0], value[1]))
            else:
                items.append((key, "=", value))
    elif isinstance(raw, list | tuple):
        for entry in raw:
            if not isinstance(entry, list | tuple) or len(entry) not in (2, 3, 4):
                raise ValidationError(_("筛选条件应为 [字段, 运算符, 值] 的列表"))
            if len(entry) == 4:
                # [doctype, fieldname, operator, value]; child-table filters are not supported.
                entry = entry[1:]
            if len(entry) == 2:
                items.append((entry[0], "=", entry[1]))
            else:
                items.append((entry[0], entry[1], entry[2]))
    else:
        raise ValidationError(_("筛选条件格式不正确"))
    if len(items) > MAX_FILTERS:
        raise ValidationError(_("筛选条件最多 %(n)s 个") % {"n": MAX_FILTERS})
    return items


def filters_q(meta: Meta, filters: Any, or_filters: Any = None) -> Q:
    """Return the Q for `filters` (all must hold) and `or_filters` (any may hold)."""
    q = Q()
    for fieldname, op, value in _filter_items(filters):
        q &= condition(meta, fieldname, op, value)
    any_q = Q()
    or_items = _filter_items(or_filters)
    for fieldname, op, value in or_items:
        any_q |= condition(meta, fieldname, op, value)
    return q & any_q if or_items else q


def order_by(meta: Meta, raw: Any) -> list[Any]:
    """Return the ordering of `"field [asc|desc], ..."`, defaulting to newest first."""
    if raw in (None, ""):
        return [F("modified").desc(), F("id").desc()]
    if not isinstance(raw, str) or len(raw) > 500:
        raise ValidationError(_("排序参数格式不正确"))
    ordering: list[Any] = []
    for part in raw.split(","):
        match = ORDER_RE.match(part)
        if not match:
            raise ValidationError(_("排序参数格式不正确：%(part)s") % {"part": part.strip()[:60]})
        col = column(meta, match.group(1))
        descending = (match.group(2) or "asc").lower() == "desc"
        ordering.append(col.expr.desc() if descending else col.expr.asc())
    ordering.append(F("id").desc())
    return ordering


def select_fields(meta: Meta, raw: Any) -> list[str]:
    """Return the fieldnames a list returns: `["name"]` by default, `*` for every value field."""
    if raw in (None, "", []):
        return ["name"]
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list | tuple) or len(raw) > MAX_FIELDS:
        raise ValidationError(_("fields 应为字段名的列表"))
    names: list[str] = []
    for item in raw:
        if item == "*" or item == f"`tab{meta.name}`.*":
            names.extend(STANDARD_OUTPUT)
            names.extend(f.fieldname for f in meta.value_fields if not f.is_table)
            continue
        fieldname = clean_fieldname(item)
        if fieldname not in STANDARD_COLUMNS and fieldname != "idx":
            column(meta, fieldname)  # raises for unknown and table fields
        names.append(fieldname)
    return list(dict.fromkeys(names))
