"""Conditions on one field of a document's data, written so PostgreSQL's index can serve them.

On PostgreSQL a field compared with a value is written as containment (`data @> {key: value}`),
which the GIN index over the data's paths (migration core 0008) serves for any field of any
DocType, fields added in the designer included; SQLite compares the field.
"""

from __future__ import annotations

import operator
from functools import reduce
from typing import Any

from django.db import connection
from django.db.models import Q


def data_equals(key: str, value: Any) -> Q:
    """Match documents whose data holds `value` at `key`."""
    if connection.features.supports_json_field_contains:
        return Q(data__contains={key: value})
    return Q(**{f"data__{key}": value})


def data_in(key: str, values: tuple[Any, ...] | list[Any]) -> Q:
    """Match documents whose data holds one of `values` at `key` (none: no document)."""
    if not values:
        return Q(pk__in=[])
    if connection.features.supports_json_field_contains:
        return reduce(operator.or_, (data_equals(key, v) for v in values))
    return Q(**{f"data__{key}__in": list(values)})
