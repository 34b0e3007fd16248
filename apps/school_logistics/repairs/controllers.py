"""Controllers of the 维修 DocTypes: the repair ticket from report to the reporter's confirmation.

The repair flow (`workflows/repair_ticket.json`) moves a ticket through 总务处派工 → 维修 →
报修人确认 and grants each step its fields; this controller computes the costs, checks the
values, and refuses to close a ticket the reporter has not confirmed.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core.controllers import Controller, register
from school_logistics.core.document import Doc
from school_logistics.core.models import User
from school_logistics.core.validation import DocumentValidationError
from school_logistics.repairs.rules import check_who_changes, governed_by_flow
from school_logistics.stores.items import refuse_disabled_items


@register("Repair Ticket")
class RepairTicket(Controller):
    def validate(self, doc: Doc) -> None:
        check_who_changes(doc)
        errors: dict[str, list[str]] = defaultdict(list)
        school_id = doc.instance.school_id
        rows = doc.rows("parts")
        refuse_disabled_items(
            rows,
            school_id,
            table=("parts", _("维修用料")),
            errors=errors,
            known=doc.linked.get("Item"),
        )
        # A part's rate comes from the item's reference price unless typed, the location's name
        # from the location (fetch_from), amounts and the total from the DocType's formulas:
        # all before this runs.
        for idx, row in enumerate(rows, start=1):
            if row["qty"] <= 0:
                errors[f"parts.{idx}.qty"].append(
                    _("维修用料第 %(idx)s 行：数量必须大于 0") % {"idx": idx}
                )

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

    def before_submit(self, doc: Doc) -> None:
        # Under the flow, submission is the reporter's final 同意: the ticket closes only once
        # the repair is recorded and confirmed. Without a flow, submitting files the report.
        if not governed_by_flow(doc):
            return
        errors: dict[str, list[str]] = {}
        if doc.get("completed_on") is None:
            errors["completed_on"] = [_("维修人员尚未填写完工时间，请退回维修")]
        actor = doc.actor
        if not doc.get("reporter_confirmed"):
            if actor is not None and actor.username == doc.get("reported_by"):
                doc.set("reporter_confirmed", 1)  # pressing 确认修好 is the confirmation
            else:
                errors["reporter_confirmed"] = [_("报修人确认修好后才能办结")]
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
