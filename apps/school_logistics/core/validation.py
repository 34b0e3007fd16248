"""One validation path for browser, API and import: DocType metadata → Django form fields."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from school_logistics.core.meta import DECIMAL_PLACES, DECIMAL_TYPES, DocField, Meta

MAX_TABLE_ROWS = 500
TEXT_LIMITS = {"Data": 140, "Small Text": 2000, "Text": 20000, "Attach": 300, "Attach Image": 300}
# Form fields that parse text only: anything else a JSON body sends is turned into text first.
TEMPORAL_TYPES = frozenset({"Date", "Datetime", "Time"})


class DocumentValidationError(Exception):
    """Errors per field key (`purpose`, `items.2.qty`, or `__all__`), in the user's language."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = {k: list(v) for k, v in errors.items()}
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in self.errors.items()))

    @classmethod
    def single(cls, message: str, key: str = "__all__") -> DocumentValidationError:
        return cls({key: [message]})

    def messages(self) -> list[str]:
        return [m for msgs in self.errors.values() for m in msgs]


def refusal_text(exc: Exception) -> str:
    """What a refused action says to the user in one line: every validation message, or the
    state error's own."""
    if isinstance(exc, DocumentValidationError):
        return "；".join(exc.messages())
    return str(exc)


# Spaces (the full-width 　 included) and the characters that show nothing (zero-width space and
# joiners, BOM): pasted from chat apps and office files, they made an empty field look filled.
_BLANK_ENDS = re.compile(r"^[\s\u200b-\u200d\u2060\ufeff]+|[\s\u200b-\u200d\u2060\ufeff]+$")


class TextField(forms.CharField):
    """Text trimmed of blank and invisible characters at both ends: only those is empty."""

    def to_python(self, value: Any) -> str | None:
        text = super().to_python(value)
        return _BLANK_ENDS.sub("", text) if text else self.empty_value


# Digits and marks a Chinese input method types full width, as desk.js turns them into ASCII.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．。，－", "0123456789..,-")
_PLAIN = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
# Commas only between groups of three, as the app prints money: 1,250 and 12,345.50.
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")
_EXPONENT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+")


class NotANumber(ValueError):
    """Input that is not a number; `hint` says why when it looks like one written otherwise."""

    def __init__(self, hint: str = "") -> None:
        super().__init__(hint)
        self.hint = hint


def parse_number(value: Any) -> Decimal | None:
    """Return the number a user wrote (None when blank); raise NotANumber when it is not one.

    The one rule for numbers typed in a form, sent by the API or read from an import, which
    desk.js follows while typing: "1,250" and "12,345.50" are numbers, "12,5" (a decimal comma
    elsewhere, 12.5 or 125?) and "1e3" (never typed on purpose) are refused rather than guessed.
    """
    if isinstance(value, bool):
        raise NotANumber()
    if isinstance(value, int | float | Decimal):
        # Numbers from JSON or a spreadsheet: their digits as Python writes them, so binary
        # float noise (0.30000000000000004) shows and is refused by the decimal places.
        number = Decimal(value) if isinstance(value, int | Decimal) else Decimal(repr(value))
        if not number.is_finite():
            raise NotANumber()
        return number
    typed = _BLANK_ENDS.sub("", str(value))
    text = typed.translate(_FULL_WIDTH)
    if not text:
        return None
    if _PLAIN.fullmatch(text) or _GROUPED.fullmatch(text):
        return Decimal(text.replace(",", ""))
    if "," in text and _PLAIN.fullmatch(text.replace(",", "")):
        rest = text.partition(",")[2]
        if "." in text or "," in rest or len(rest) == 3:
            raise NotANumber(
                _("“%(value)s”不是有效的数字；千位分隔符“,”应每三位一个，如 12,345.50")
                % {"value": typed}
            )
        raise NotANumber(_("“%(value)s”不是有效的数字；小数点请用“.”") % {"value": typed})
    if _EXPONENT.fullmatch(text):
        raise NotANumber(
            _("“%(value)s”不是有效的数字；请直接写出数字，不用科学计数法") % {"value": typed}
        )
    raise NotANumber()


def _number(field: forms.Field, value: Any) -> Decimal | None:
    try:
        return parse_number(value)
    except NotANumber as exc:
        raise ValidationError(exc.hint or field.error_messages["invalid"], code="invalid") from None


class DecimalInput(forms.DecimalField):
    """A decimal as people write it (parse_number)."""

    # Django's DecimalField is an IntegerField, whose stub says to_python returns an int.
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        return None if value in self.empty_values else _number(self, value)


class IntegerInput(forms.IntegerField):
    """A whole number as people write it (parse_number); 3.0 is 3, 3.5 is refused."""

    def to_python(self, value: Any) -> int | None:
        number = None if value in self.empty_values else _number(self, value)
        if number is None:
            return None
        if number != number.to_integral_value():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(number)


# Django's own Chinese for these reads as a machine's ("确保该变量包含不超过 140 字符") or ends
# with an English full stop. "输入一个数字。" and "输入整数。" read well and stay.
NUMBER_MESSAGES = {
    "max_value": gettext_lazy("不能大于 %(limit_value)s"),
    "min_value": gettext_lazy("不能小于 %(limit_value)s"),
}
DECIMAL_MESSAGES = {
    **NUMBER_MESSAGES,
    "max_decimal_places": gettext_lazy("最多 %(max)s 位小数"),
    "max_digits": gettext_lazy("数字太长：最多 %(max)s 位"),
    "max_whole_digits": gettext_lazy("数字太大：整数部分最多 %(max)s 位"),
}
TEXT_MESSAGES = {"max_length": gettext_lazy("最多 %(limit_value)d 个字（现在 %(show_value)d 个）")}
# A phone number as people write it: a mobile, a landline with its area code, an extension.
PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ()]{5,18}[0-9]$")
# What a Data field set to 电话 or 邮箱 (`options`) must look like.
TEXT_FORMATS: dict[str, Callable[[Any], None]] = {
    "Phone": RegexValidator(
        PHONE_RE, message=gettext_lazy("请填写正确的电话号码，如 13800000000 或 0571-88880000")
    ),
    "Email": EmailValidator(message=gettext_lazy("请填写正确的电子邮箱，如 name@example.com")),
}


def form_field(f: DocField) -> forms.Field:
    """Return the Django form field that validates and coerces one DocType field."""
    # A fetched field may be left empty: the linked record fills it, then it is checked.
    required = f.reqd and not f.fetch_from
    lo, hi = f.min_value, f.max_value
    match f.fieldtype:
        case "Int":
            return IntegerInput(
                required=required,
                min_value=int(lo) if lo is not None else None,
                max_value=int(hi) if hi is not None else None,
                error_messages=NUMBER_MESSAGES,
            )
        case t if t in DECIMAL_TYPES:
            return DecimalInput(
                required=required,
                max_digits=18,
                decimal_places=DECIMAL_PLACES[t],
                min_value=lo,
                max_value=hi,
                error_messages=DECIMAL_MESSAGES,
            )
        case "Check":
            return forms.BooleanField(required=False)
        case "Date":
            return forms.DateField(required=required)
        case "Datetime":
            return forms.DateTimeField(required=required)
        case "Time":
            return forms.TimeField(required=required)
        case "Select":
            return forms.ChoiceField(
                required=required, choices=[("", "")] + [(o, o) for o in f.select_options]
            )
        case _:
            formats = TEXT_FORMATS.get(f.options) if f.fieldtype == "Data" else None
            return TextField(
                required=required,
                max_length=TEXT_LIMITS.get(f.fieldtype, 140),
                error_messages=TEXT_MESSAGES,
                validators=[formats] if formats else [],
            )


# The largest number a document keeps (a computed amount included): the promoted total and the
# ledgers hold 18 digits, and no school's quantity or amount comes near a trillion.
NUMBER_LIMIT = Decimal(10) ** 12
SIZED_TYPES = DECIMAL_TYPES | {"Int"}


def check_sizes(meta: Meta, values: Mapping[str, Any], child_metas: Mapping[str, Meta]) -> None:
    """Refuse a number past NUMBER_LIMIT, typed or computed (quantity × price): stored, it
    would fit no column and break every page that lists the document."""
    errors: dict[str, list[str]] = defaultdict(list)

    def check(m: Meta, holder: Mapping[str, Any], prefix: str, where: str) -> None:
        for f in m.value_fields:
            value = holder.get(f.fieldname)
            if f.fieldtype not in SIZED_TYPES or not isinstance(value, Decimal | int):
                continue
            if abs(Decimal(value)) >= NUMBER_LIMIT:
                errors[prefix + f.fieldname].append(
                    _("%(where)s%(label)s：数字太大，不能达到 1 万亿")
                    % {"where": where, "label": f.label}
                )

    check(meta, values, "", "")
    for f in meta.table_fields:
        for idx, row in enumerate(values.get(f.fieldname) or [], start=1):
            where = _("%(table)s第 %(idx)s 行：") % {"table": f.label, "idx": idx}
            check(child_metas[f.options], row, f"{f.fieldname}.{idx}.", where)
    if errors:
        raise DocumentValidationError(dict(errors))


# Keys a stored document or row carries besides its fields; input may echo them back.
SYSTEM_KEYS = frozenset({"name", "doctype", "docstatus", "idx"})


def _check_unknown(
    meta: Meta, raw: Mapping[str, Any], prefix: str, errors: dict[str, list[str]]
) -> None:
    for key in raw:
        if key not in meta._by_name and key not in SYSTEM_KEYS:
            errors[prefix + str(key)].append(_("未知字段：%(field)s") % {"field": key})


def _clean_fields(
    meta: Meta, raw: Mapping[str, Any], prefix: str, errors: dict[str, list[str]]
) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for f in meta.value_fields:
        if f.is_table:
            continue
        if not f.accepts_input:
            cleaned[f.fieldname] = None
            continue
        key = prefix + f.fieldname
        value = raw.get(f.fieldname)
        if isinstance(value, (dict, list)):
            errors[key].append(_("%(label)s：格式不正确") % {"label": f.label})
            continue
        try:
            cleaned[f.fieldname] = clean_field(meta, f, value)
        except ValidationError as exc:
            errors[key].extend(
                _("%(label)s：%(message)s") % {"label": f.label, "message": m} for m in exc.messages
            )
    return cleaned


def clean_field(meta: Meta, f: DocField, value: Any) -> Any:
    """Return one input's typed value; raise ValidationError when it is not one."""
    if value is None:
        value = ""
    elif f.fieldtype in TEMPORAL_TYPES and not isinstance(value, str):
        value = str(value)  # a JSON true or 20260101 is a bad date, not a crash
    field = meta._form_fields.get(f.fieldname)
    if field is None:
        field = meta._form_fields[f.fieldname] = form_field(f)
    return field.clean(value)


def _keep_read_only(
    child: Meta, clean_row: dict[str, Any], stored_row: Mapping[str, Any] | None
) -> None:
    """A stored row keeps the read-only cells a controller or service set: they are recomputed
    after cleaning where a fetch, a formula or the controller says how, and kept otherwise."""
    if stored_row is None:
        return
    for c in child.value_fields:
        if not c.accepts_input:
            clean_row[c.fieldname] = stored_row.get(c.fieldname)


def clean_values(
    meta: Meta,
    raw: Mapping[str, Any],
    child_metas: Mapping[str, Meta],
    existing: Mapping[str, Any] | None = None,
    *,
    partial: bool = False,
) -> dict[str, Any]:
    """Validate every input field of a document (child rows too) and return typed values.

    Raises DocumentValidationError with all problems at once, so the user can fix them together.
    `partial`: a form still being filled in; what is missing or wrong is left empty instead.
    """
    errors: dict[str, list[str]] = defaultdict(list)
    _check_unknown(meta, raw, "", errors)
    cleaned = _clean_fields(meta, raw, "", errors)
    for f in meta.table_fields:
        rows = raw.get(f.fieldname) or []
        if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
            errors[f.fieldname].append(_("%(label)s：应为行的列表") % {"label": f.label})
            continue
        if len(rows) > MAX_TABLE_ROWS:
            errors[f.fieldname].append(
                _("%(label)s：最多 %(n)s 行") % {"label": f.label, "n": MAX_TABLE_ROWS}
            )
            continue
        if f.reqd and not rows:
            errors[f.fieldname].append(_("%(label)s：至少需要一行") % {"label": f.label})
        child = child_metas[f.options]
        stored = {r.get("name"): r for r in (existing or {}).get(f.fieldname) or []}
        clean_rows = []
        seen_names: set[str] = set()
        for idx, row in enumerate(rows, start=1):
            row_errors: dict[str, list[str]] = defaultdict(list)
            _check_unknown(child, row, f"{f.fieldname}.{idx}.", row_errors)
            clean_row = _clean_fields(child, row, f"{f.fieldname}.{idx}.", row_errors)
            if partial:
                clean_row = {c.fieldname: clean_row.get(c.fieldname) for c in child.value_fields}
            for key, msgs in row_errors.items():
                errors[key].extend(
                    _("%(table)s第 %(idx)s 行：%(msg)s") % {"table": f.label, "idx": idx, "msg": m}
                    for m in msgs
                )
            # A row keeps its id so versions can follow it; a repeated or odd id gets a new one.
            name = row.get("name")
            ok = isinstance(name, str) and name.isalnum() and name not in seen_names
            clean_row["name"] = name if ok else None
            if ok:
                seen_names.add(name)
                _keep_read_only(child, clean_row, stored.get(name))
            clean_rows.append(clean_row)
        cleaned[f.fieldname] = clean_rows
    if partial:
        cleaned = {f.fieldname: cleaned.get(f.fieldname) for f in meta.value_fields}
        cleaned.update((f.fieldname, cleaned[f.fieldname] or []) for f in meta.table_fields)
    elif errors:
        raise DocumentValidationError(errors)
    # Read-only fields are set by controllers and services, never by input: keep what was stored.
    for f in meta.value_fields:
        if not f.is_table and not f.accepts_input and existing:
            cleaned[f.fieldname] = existing.get(f.fieldname)
    return cleaned
