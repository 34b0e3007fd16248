"""Turn typed field values into the text a page shows or an input holds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from school_logistics.core import extensions
from school_logistics.core.meta import DECIMAL_PLACES, DECIMAL_TYPES, DocField, Meta
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus

STATUS_STYLES: dict[int, str] = {
    DocStatus.DRAFT: "draft",
    DocStatus.SUBMITTED: "submitted",
    DocStatus.CANCELLED: "cancelled",
}


def status_label(docstatus: int) -> str:
    labels: dict[int, str] = {
        DocStatus.DRAFT: _("草稿"),
        DocStatus.SUBMITTED: _("已提交"),
        DocStatus.CANCELLED: _("已作废"),
    }
    return labels.get(docstatus, str(docstatus))


def status_style(docstatus: int) -> str:
    return STATUS_STYLES.get(docstatus, "draft")


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _trim(text: str) -> str:
    """Drop a quantity's trailing zeros: 2.000 → 2, 2.500 → 2.5 (money keeps its cents)."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def input_value(f: DocField, value: Any) -> str:
    """Return the string an HTML input holds: typed values formatted, typed-in text kept as is."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return _trim(f"{value:f}") if f.fieldtype == "Float" else f"{value:f}"
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def display_value(f: DocField, value: Any, users: dict[str, str] | None = None) -> str:
    """Return the text a read-only page shows for a value (money with separators, 是/否, names)."""
    if value is None or value == "":
        return ""
    if f.fieldtype in DECIMAL_TYPES:
        number = _decimal(value)
        if number is None:
            return str(value)
        places = DECIMAL_PLACES[f.fieldtype]
        text = f"{number:,.{places}f}"
        if f.fieldtype == "Float":
            text = _trim(text)
        return f"{text}%" if f.fieldtype == "Percent" else text
    if f.fieldtype == "Check":
        return _("是") if str(value) not in {"0", "False", "false"} else _("否")
    if f.fieldtype == "Datetime":
        if isinstance(value, str):
            value = parse_datetime(value) or value
        return input_value(f, value).replace("T", " ")
    if f.fieldtype == "User" and users:
        return users.get(str(value), str(value))
    if f.fieldtype in {"Attach", "Attach Image"}:
        return str(value).rsplit("/", 1)[-1]
    return input_value(f, value)


def money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


# Workflow states of a draft that close or pause its approval; any other state is a step in progress.
PAUSED_STATES = {"已拒绝": "rejected", "已退回": "returned", "已撤回": "draft"}


def record_status(meta: Meta, doc: Document) -> tuple[str, str]:
    """Return the badge of a record that is never submitted (an Item, a supplier): 停用 where
    its 停用 box is ticked, else what an app says of it (a supplier's certificates), else 在用
    where the DocType has the box, else none ("草稿" would ask for a submission that never
    comes)."""
    field = meta.get_field("disabled")
    has_box = field is not None and field.fieldtype == "Check"
    if has_box and doc.data.get("disabled"):
        return pgettext("record status", "停用"), "cancelled"
    for status in extensions.record_statuses:
        found = status(meta, doc)
        if found is not None:
            return found
    if not has_box:
        return "", ""
    return pgettext("record status", "在用"), "approved"


def doc_status(doc: Document, meta: Meta | None = None) -> tuple[str, str]:
    """Return (label, css style) of a document's status badge; a document in approval shows its step.

    `meta`: a DocType that is never submitted shows its record status instead (empty: none).

    A draft's workflow state says whether its approval runs; a submitted one shows the state its
    approval ended in. One submitted by a step that submits on entry (e.g. 待验收) needs
    `in_approval`, annotated by `extensions.with_approval_state` or set by the caller, to tell
    that step from a final state.
    """
    if meta is not None and not meta.is_submittable:
        return record_status(meta, doc)
    waiting = doc.docstatus == DocStatus.SUBMITTED and getattr(doc, "in_approval", False)
    if doc.workflow_state and (doc.docstatus == DocStatus.DRAFT or waiting):
        style = "in-approval" if waiting else PAUSED_STATES.get(doc.workflow_state, "in-approval")
        # States are the flow's words, stored as written: shipped ones are in the catalogue.
        state = _(doc.workflow_state)
        label = state if style != "in-approval" else _("审批中：%s") % state
        return label, style
    if doc.workflow_state and doc.docstatus == DocStatus.SUBMITTED:
        # Where its approval ended (已通过, 已验收, …) says more than 已提交, as in the trail.
        return _(doc.workflow_state), status_style(doc.docstatus)
    return status_label(doc.docstatus), status_style(doc.docstatus)
