"""Convert field values between Python types and their JSON form in Document.data."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime, parse_time

from school_logistics.core.meta import DECIMAL_PLACES, DECIMAL_TYPES, DocField, Meta


def quantize(value: Decimal, fieldtype: str) -> Decimal:
    places = DECIMAL_PLACES.get(fieldtype, 2)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def quantity_text(value: Decimal) -> str:
    """Write a quantity as people do: 1,250.500 → 1,250.5, 30.000 → 30."""
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def new_row_name() -> str:
    return uuid.uuid4().hex[:10]


def field_to_json(f: DocField, value: Any) -> Any:
    """Return the JSON-storable form of a typed value; decimals are strings so no digit is lost."""
    if value is None or value == "":
        return None if f.fieldtype not in {"Check"} else 0
    if f.fieldtype in DECIMAL_TYPES:
        return str(quantize(Decimal(value), f.fieldtype))
    if f.fieldtype == "Int":
        return int(value)
    if f.fieldtype == "Check":
        return 1 if value else 0
    if f.fieldtype == "Datetime" and isinstance(value, dt.datetime):
        return value.isoformat()
    if f.fieldtype in {"Date", "Time"} and isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def field_from_json(f: DocField, value: Any) -> Any:
    """Return the typed Python value of a stored JSON value."""
    if value is None:
        return 0 if f.fieldtype == "Check" else None
    if f.fieldtype in DECIMAL_TYPES:
        return Decimal(str(value))
    if f.fieldtype == "Int":
        return int(value)
    if f.fieldtype == "Check":
        return int(bool(value))
    if f.fieldtype == "Date" and isinstance(value, str):
        return parse_date(value)
    if f.fieldtype == "Datetime" and isinstance(value, str):
        return parse_datetime(value)
    if f.fieldtype == "Time" and isinstance(value, str):
        return parse_time(value)
    return value


def to_json(meta: Meta, values: dict[str, Any], child_metas: dict[str, Meta]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in meta.value_fields:
        if f.is_table:
            child = child_metas[f.options]
            rows = []
            for idx, row in enumerate(values.get(f.fieldname) or [], start=1):
                out = {"name": row.get("name") or new_row_name(), "idx": idx}
                out.update(to_json(child, row, child_metas))
                rows.append(out)
            data[f.fieldname] = rows
        else:
            data[f.fieldname] = field_to_json(f, values.get(f.fieldname))
    return data


def from_json(meta: Meta, data: dict[str, Any], child_metas: dict[str, Meta]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for f in meta.value_fields:
        if f.is_table:
            child = child_metas[f.options]
            values[f.fieldname] = [
                {
                    "name": row.get("name"),
                    "idx": row.get("idx"),
                    **from_json(child, row, child_metas),
                }
                for row in data.get(f.fieldname) or []
            ]
        else:
            values[f.fieldname] = field_from_json(f, data.get(f.fieldname))
    return values


MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(value: str | None) -> tuple[int, int] | None:
    """Return (year, month) of a `YYYY-MM` string, or None when it is not one."""
    match = MONTH_RE.match(value or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def months_back(month: str, count: int) -> list[str]:
    """`count` months (YYYY-MM) ending with `month`, newest first."""
    year, mon = map(int, month.split("-"))
    found = []
    for _i in range(count):
        found.append(f"{year}-{mon:02d}")
        year, mon = (year - 1, 12) if mon == 1 else (year, mon - 1)
    return found


def month_window(month: str) -> tuple[dt.datetime, dt.datetime]:
    """The month `YYYY-MM` as [start, end) moments in the current time zone."""
    first = dt.date(int(month[:4]), int(month[5:]), 1)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time(), tzinfo=tz)
    # The first of the next month: 32 days on is always in it.
    end = dt.datetime.combine((first + dt.timedelta(days=32)).replace(day=1), dt.time(), tzinfo=tz)
    return start, end
