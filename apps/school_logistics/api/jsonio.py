"""JSON in and out of the API: Decimals stay exact both ways, dates as Frappe writes them."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from decimal import Decimal
from typing import Any

from django.utils import timezone

# Decimals are written as a marker string, then swapped for the bare number after encoding:
# the json module would otherwise turn them into floats (or refuse them). The marker holds a
# per-process random token, so no client-sent string can be mistaken for one.
_MARK = f"\x00{secrets.token_hex(8)}:"
_MARK_RE = re.compile(re.escape(json.dumps(_MARK)[:-1]) + r'(-?[0-9.E+]+)"')


class ParseError(ValueError):
    """The input is not valid JSON (or holds NaN/Infinity, or nests absurdly deep)."""


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        return _MARK + str(value)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        # Frappe writes datetimes naive, in the site's time zone, with microseconds.
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(value: Any) -> str:
    """Encode to JSON with exact Decimal numbers."""
    text = json.dumps(value, default=_default, ensure_ascii=False)
    return _MARK_RE.sub(lambda m: m.group(1), text)


def _no_constants(name: str) -> Any:
    raise ParseError(f"invalid JSON constant {name}")


def loads(text: str | bytes) -> Any:
    """Decode JSON; numbers with a fraction become Decimal so money keeps every digit."""
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_no_constants)
    except (ValueError, RecursionError, UnicodeDecodeError) as exc:
        raise ParseError(str(exc)) from exc
