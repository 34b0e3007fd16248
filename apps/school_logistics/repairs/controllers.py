"""Controllers of the 维修 DocTypes: the repair ticket from report to the reporter's confirmation."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core.controllers import Controller, register
from school_logistics.core.document import Doc
from school_logistics.core.models import Document, User
from school_logistics.core.permissions import is_admin
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.values import field_from_json, quantize
from school_logistics.stores.items import fill_from_items, reference_price

# Filled in by the logistics office (总务处) and its workers, not by the reporter.
REPAIR_FIELDS = ("assigned_to", "completed_on", "labour_cost", "parts")
# Filled in by the reporter only: they confirm the repair was done (报修人确认).
CONFIRM_FIELDS = ("reporter_confirmed", "confirmation_note")
REPAIR_ROLES = frozenset({"repair_worker", "purchaser"})
PART_INPUTS = ("item", "qty", "rate")


def _norm(value: Any) -> Any:
    return None if value == "" else value


def _changed_fields(doc: Doc) -> set[str]:
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


def _check_who_changes(doc: Doc) -> None:
    """Only logistics records the repair, and only the reporter confirms it."""
    actor = doc.actor
    if actor is None or is_admin(actor):
        return
    before = doc.instance.data or {}
    changed = _changed_fields(doc)
    if changed & set(REPAIR_FIELDS) and not actor.role_codes() & REPAIR_ROLES:
        raise PermissionDenied(
            _("只有总务处或维修工可以填写维修记录（维修人员、用料、费用、完工时间）")
        )
    reporter = {doc.get("reported_by"), before.get("reported_by")}
    is_reporter = actor.username in reporter or actor.pk == doc.instance.owner_id
    if changed & set(CONFIRM_FIELDS) and not is_reporter:
        raise PermissionDenied(_("只有报修人可以确认维修结果"))


@register("Repair Ticket")
class RepairTicket(Controller):
    def validate(self, doc: Doc) -> None:
        _check_who_changes(doc)
        errors: dict[str, list[str]] = defaultdict(list)
        school_id = doc.instance.school_id
        rows = doc.rows("parts")
        items = fill_from_items(
            rows,
            school_id,
            {"item_name": "item_name"},
            table=("parts", _("维修用料")),
            errors=errors,
        )
        parts_total = Decimal(0)
        for idx, row in enumerate(rows, start=1):
            if row["qty"] <= 0:
                errors[f"parts.{idx}.qty"].append(
                    _("维修用料第 %(idx)s 行：数量必须大于 0") % {"idx": idx}
                )
                continue
            if row["rate"] is None:
                row["rate"] = reference_price(items.get(row["item"])) or Decimal(0)
            row["amount"] = quantize(row["qty"] * row["rate"], "Currency")
            parts_total += row["amount"]
        doc.set("total_cost", quantize(parts_total + doc.get("labour_cost", 0), "Currency"))

        location = Document.objects.filter(
            doctype="Location", school_id=school_id, name=doc.get("location")
        ).first()
        doc.set("location_name", location.data.get("location_name") if location else None)

        if doc.get("reported_on") is None:
            doc.set("reported_on", timezone.now().replace(microsecond=0))
        self._check_assignee(doc, errors)
        completed, reported = doc.get("completed_on"), doc.get("reported_on")
        if completed is not None:
            if completed < reported:
                errors["completed_on"].append(_("完工时间不能早于报修时间"))
            if completed > timezone.now():
                errors["completed_on"].append(_("完工时间不能晚于现在"))
            if not doc.get("assigned_to"):
                errors["assigned_to"].append(_("完工前请先指派维修人员"))
        if doc.get("reporter_confirmed") and completed is None:
            errors["reporter_confirmed"].append(_("维修完工后报修人才能确认"))
        if errors:
            raise DocumentValidationError(errors)

    def _check_assignee(self, doc: Doc, errors: dict[str, list[str]]) -> None:
        username = doc.get("assigned_to")
        if not username:
            return
        ok = User.objects.filter(
            username=username, school_id=doc.instance.school_id, roles__code="repair_worker"
        ).exists()
        if not ok:
            errors["assigned_to"].append(
                _("“%(u)s”不是本校的维修工，请指派维修工") % {"u": username}
            )
