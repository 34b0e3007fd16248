"""Controllers of the 安全 DocTypes: a safety inspection files a 隐患整改单 for each hazard it
finds (限期整改，并进行复查)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from school_logistics.core import services
from school_logistics.core.controllers import Controller, register
from school_logistics.core.document import Doc
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import DocumentValidationError

RECTIFICATION = "Hazard Rectification"


@register("Safety Inspection")
class SafetyInspection(Controller):
    def validate(self, doc: Doc) -> None:
        errors: dict[str, list[str]] = {}
        day = doc.get("inspection_date")
        if day and day > timezone.localdate():
            errors["inspection_date"] = [_("检查日期不能晚于今天")]
        rows = doc.rows("findings")
        for idx, row in enumerate(rows, start=1):
            deadline = row.get("deadline")
            if day and deadline and deadline < day:
                errors[f"findings.{idx}.deadline"] = [
                    _("隐患第 %(idx)s 行：整改期限不能早于检查日期") % {"idx": idx}
                ]
        doc.set("hazard_count", len(rows))
        if errors:
            raise DocumentValidationError(errors)

    def before_submit(self, doc: Doc) -> None:
        """Hand each hazard to its responsible person: a 隐患整改单 sent into its flow, named
        on the hazard's row."""
        actor = doc.acting_user
        for row in doc.rows("findings"):
            if row.get("rectification"):
                continue
            values = {
                "hazard": row["hazard"],
                "location": row["location"],
                "severity": row["severity"],
                "inspection": doc.instance.name,
                "responsible": row["responsible"],
                "deadline": row["deadline"],
                "inspector": doc.get("inspector"),
            }
            ticket = services.create_document(RECTIFICATION, values, actor=actor)
            services.send_document(RECTIFICATION, ticket.name, actor=actor)
            row["rectification"] = ticket.name

    def on_cancel(self, doc: Doc) -> None:
        """An inspection whose hazards are still being fixed, or were fixed, is not cancelled
        under them: its rectifications go first (as Frappe refuses to cancel what live
        documents link to)."""
        live = (
            Document.objects.filter(
                doctype=RECTIFICATION,
                school_id=doc.instance.school_id,
                data__inspection=doc.instance.name,
            )
            .exclude(docstatus=DocStatus.CANCELLED)
            .order_by("name")
            .values_list("name", "workflow_state")
        )
        if live:
            raise DocumentValidationError.single(
                _("请先撤回并删除进行中的隐患整改单、作废已完成的整改单：%(names)s")
                % {"names": "、".join(f"{n}（{s or _('草稿')}）" for n, s in live)}
            )


@register("Hazard Rectification")
class HazardRectification(Controller):
    def validate(self, doc: Doc) -> None:
        errors: dict[str, list[str]] = {}
        done = doc.get("rectified_on")
        found = _found_on(doc)
        if done and done > timezone.localdate():
            errors["rectified_on"] = [_("整改完成日期不能晚于今天")]
        elif done and found and done < found:
            errors["rectified_on"] = [
                _("整改完成日期不能早于发现隐患的日期 %(day)s") % {"day": found.isoformat()}
            ]
        deadline = doc.get("deadline")
        if deadline and _deadline_set_now(doc):
            # Set the day it is written (or, from an inspection, the day of the inspection,
            # whose own rule keeps it on or after that day): a deadline already past would
            # make the hazard overdue before anyone could start on it.
            earliest = found if doc.get("inspection") and found else timezone.localdate()
            if deadline < earliest:
                errors["deadline"] = [
                    _("整改期限 %(deadline)s 已经过去，请定在 %(day)s 或之后")
                    % {"deadline": deadline.isoformat(), "day": earliest.isoformat()}
                ]
        if doc.get("responsible") and doc.get("responsible") == doc.get("inspector"):
            errors["inspector"] = [_("复查人不能是整改责任人本人")]
        if errors:
            raise DocumentValidationError(errors)


def _deadline_set_now(doc: Doc) -> bool:
    """Whether this save sets the deadline (a new document, or a changed date): one set on an
    earlier day stays, so the responsible person can still record the fix of an overdue hazard."""
    if doc.instance._state.adding:
        return True
    stored = parse_date(str((doc.instance.data or {}).get("deadline") or ""))
    return stored != doc.get("deadline")


def _found_on(doc: Doc) -> dt.date | None:
    """The day the hazard was found: its inspection's date, else the day it was written down."""
    inspection = (doc.linked.get("Safety Inspection") or {}).get(doc.get("inspection") or "")
    day = parse_date(str((inspection or {}).get("inspection_date") or ""))
    if day is None and doc.instance.created:
        day = timezone.localdate(doc.instance.created)
    return day
