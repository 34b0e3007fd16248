"""Who may change the repair record of a ticket when no approval step asks them to.

Under the repair flow each step grants its own fields (派工: the worker; 维修: completion,
labour and parts; 报修人确认: the confirmation), so these rules only cover edits by hand: a
school running without the flow and a draft before it is sent; a ticket the flow closed is not
edited at all (`refuse_closed_edit`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from school_logistics.core import extensions
from school_logistics.core.document import Doc
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus
from school_logistics.core.permissions import is_admin
from school_logistics.core.values import field_from_json

# Filled in by the logistics office (总务处) and its workers, not by the reporter.
REPAIR_FIELDS = ("assigned_to", "completed_on", "labour_cost", "parts")
# Recorded by the worker who did the job (the 维修 step of the flow).
COMPLETION_FIELDS = ("completed_on", "labour_cost", "parts")
# Filled in by the reporter only: they confirm the repair was done and rate it (报修人确认).
CONFIRM_FIELDS = ("reporter_confirmed", "satisfaction", "confirmation_note")
REPAIR_ROLES = frozenset({"repair_worker", "purchaser"})
PART_INPUTS = ("item", "qty", "rate")


def _norm(value: Any) -> Any:
    return None if value == "" else value


def changed_fields(doc: Doc) -> set[str]:
    """Return which repair and confirmation fields this save changes, compared as typed values."""
    before = doc.instance.data or {}
    part_meta = doc.child_metas["Repair Part"]

    def typed_parts(rows: list[dict[str, Any]], stored: bool) -> list[tuple[Any, ...]]:
        return [
            tuple(
                _norm(field_from_json(part_meta._by_name[f], r.get(f)) if stored else r.get(f))
                for f in PART_INPUTS
            )
            for r in rows
        ]

    changed: set[str] = set()
    for f in REPAIR_FIELDS + CONFIRM_FIELDS:
        if f == "parts":
            new, old = typed_parts(doc.rows(f), False), typed_parts(before.get(f) or [], True)
        else:
            new = _norm(doc.values.get(f))
            old = _norm(field_from_json(doc.meta._by_name[f], before.get(f)))
        if new != old:
            changed.add(f)
    return changed


def refuse_closed_edit(document: Document) -> str | None:
    """A ticket its flow closed (the reporter confirmed it) keeps its record as it is."""
    if document.doctype != "Repair Ticket" or document.docstatus != DocStatus.SUBMITTED:
        return None
    if not extensions.first_refusal(extensions.submit_guards, document):
        return None  # no flow: 总务处 keeps the record by hand
    return _("报修单已由报修人确认关闭，维修记录不能再改；如需更正请作废后修订")


def governed_by_flow(doc: Doc) -> bool:
    """Return whether an approval flow, not a direct submit, closes this ticket."""
    return bool(extensions.first_refusal(extensions.submit_guards, doc.instance))


def check_who_changes(doc: Doc) -> None:
    """Refuse repair and confirmation edits the actor is not entitled to make now."""
    actor = doc.actor
    if actor is None or is_admin(actor):
        return
    changed = changed_fields(doc)
    if not changed:
        return
    at_step = doc.instance.pk is not None and extensions.granted_fields(doc.instance, actor)
    if at_step:
        # The flow already limited the fields to the step's; the record belongs to the assignee.
        if changed & set(COMPLETION_FIELDS) and doc.get("assigned_to") != actor.username:
            raise PermissionDenied(_("只有被指派的维修人员可以填写完工记录"))
        return
    before = doc.instance.data or {}
    if changed & set(REPAIR_FIELDS) and not actor.role_codes() & REPAIR_ROLES:
        raise PermissionDenied(
            _("只有总务处或维修工可以填写维修记录（维修人员、用料、费用、完工时间）")
        )
    reporter = {doc.get("reported_by"), before.get("reported_by")}
    is_reporter = actor.username in reporter or actor.pk == doc.instance.owner_id
    if changed & set(CONFIRM_FIELDS) and not is_reporter:
        raise PermissionDenied(_("只有报修人可以确认维修结果"))
