"""Document names: naming series such as `REQ-.YYYY.-.####`, safe under concurrent creation."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from school_logistics.core.meta import Meta
from school_logistics.core.models import Document, NamingSeries
from school_logistics.core.validation import DocumentValidationError

_DATE_PARTS = {"YYYY": "%Y", "YY": "%y", "MM": "%m", "DD": "%d"}


def next_number(prefix: str) -> int:
    """Take the next number of a series; the row lock is held until the caller's commit.

    One `UPDATE … RETURNING` (SQLite ≥ 3.35, PostgreSQL): the ORM's update cannot return the
    new value, and a separate read would cost a statement and a savepoint on every document.
    """
    while True:
        taken = _increment(prefix)
        if taken is not None:
            return taken
        try:
            with transaction.atomic():
                NamingSeries.objects.create(prefix=prefix, current=1)
                return 1
        except IntegrityError:
            continue  # another transaction created the series first; it has committed by now


# Quoted identifiers are the same in SQLite and PostgreSQL, the two supported databases.
_INCREMENT = (
    'UPDATE "core_namingseries" SET "current" = "current" + 1 WHERE "prefix" = %s '
    'RETURNING "current"'
)


def _increment(prefix: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(_INCREMENT, [prefix])
        row = cursor.fetchone()
    return row[0] if row else None


def parse_series(pattern: str, on: dt.date) -> tuple[str, int]:
    """Split `REQ-.YYYY.-.####` into the prefix for a date (`REQ-2026-`) and the digit count."""
    prefix, digits = "", 0
    for part in pattern.split("."):
        if re.fullmatch(r"#+", part):
            digits = len(part)
            break
        prefix += on.strftime(_DATE_PARTS[part]) if part in _DATE_PARTS else part
    return prefix, digits or 5


def make_name(meta: Meta, values: dict[str, Any], on: dt.date) -> str:
    rule = meta.autoname
    if rule.startswith("field:"):
        fieldname = rule.removeprefix("field:")
        value = str(values.get(fieldname) or "").strip()
        if not value:
            raise DocumentValidationError.single(_("必填：用作编号的字段不能为空"), fieldname)
        return value
    if not rule or rule == "hash":
        return uuid.uuid4().hex[:10]
    prefix, digits = parse_series(rule, on)
    return f"{prefix}{next_number(prefix):0{digits}d}"


def amended_name(original: str, doctype: str) -> str:
    """Return the next free `BASE-N` for an amendment of `original` (REQ-0007 → REQ-0007-1)."""
    base = original
    match = re.fullmatch(r"(.+)-(\d+)", original)
    if match and Document.objects.filter(doctype=doctype, name=match.group(1)).exists():
        base = match.group(1)
    n = 1
    while Document.objects.filter(doctype=doctype, name=f"{base}-{n}").exists():
        n += 1
    return f"{base}-{n}"
