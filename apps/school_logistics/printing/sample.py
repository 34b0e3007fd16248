"""A document to try a print format on: the newest one the admin may read, else a made-up one."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core import permissions
from school_logistics.core.meta import DECIMAL_TYPES, DocField, Meta
from school_logistics.core.models import Document, User
from school_logistics.core.registry import get_meta

# Child-table rows in a made-up document: two, so loops over rows run more than once.
SAMPLE_ROWS = 2


def newest_document(user: User, meta: Meta) -> Document | None:
    """Return the newest document of a DocType the admin may read in their school."""
    if user.school_id is None:
        return None
    return (
        permissions.readable(user, meta)
        .filter(school_id=user.school_id)
        .order_by("-modified", "-pk")
        .first()
    )


def _sample_value(f: DocField) -> Any:
    """Return a stored (JSON) value of the field's type, as a filled-in form would hold it."""
    today = timezone.localdate()
    if f.fieldtype in DECIMAL_TYPES:
        return "100.00"
    if f.fieldtype == "Int":
        return 1
    if f.fieldtype == "Check":
        return 1
    if f.fieldtype == "Date":
        return today.isoformat()
    if f.fieldtype == "Datetime":
        return timezone.localtime().replace(microsecond=0).isoformat()
    if f.fieldtype == "Time":
        return "08:00:00"
    if f.fieldtype == "Select":
        return next(iter(f.select_options), None)
    if f.fieldtype in {"Link", "User", "Attach", "Attach Image"}:
        # Names of records that may not exist would only print as themselves; leave them empty.
        return None
    return f.label or f.fieldname


def _sample_data(meta: Meta) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in meta.value_fields:
        if f.is_table:
            child = get_meta(f.options)
            data[f.fieldname] = [
                {"name": f"sample-{idx}", "idx": idx, **_sample_data(child)}
                for idx in range(1, SAMPLE_ROWS + 1)
            ]
        else:
            data[f.fieldname] = _sample_value(f)
    return data


def made_up_document(user: User, meta: Meta) -> Document:
    """Return an unsaved document of the DocType filled with sample values, never stored."""
    now = timezone.now()
    return Document(
        doctype=meta.name,
        name=_("（示例单据）"),
        # Only admins of a school try formats (see save_print_format), so there is one.
        school_id=user.school_id or 0,
        department_id=user.department_id,
        owner=user,
        modified_by=user,
        title=_("示例"),
        data=_sample_data(meta),
        created=now,
        modified=now,
    )


def sample_document(user: User, meta: Meta) -> tuple[Document, bool]:
    """Return the document to try a format on and whether it is made up (none to read yet)."""
    document = newest_document(user, meta)
    if document is not None:
        return document, False
    return made_up_document(user, meta), True
