"""采购限额标准 (严格执行政府采购制度): the amounts from which a purchase must go to quotes
(询价, at least three) or to public tender, approved by the principal. A requisition at the
first may be received into the store only once a decided tender bought it (or under a contract
a tender chose); a tender whose budget reaches the second must be a 公开招标. A requisition that
needs quotes shows it on its page, with a button that starts the 询价."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from school_logistics.core import permissions, services
from school_logistics.core.controllers import Controller, register
from school_logistics.core.document import Doc, live_clash
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.registry import get_meta
from school_logistics.core.services import DocumentStateError
from school_logistics.core.validation import DocumentValidationError
from school_logistics.stores.items import Errors

THRESHOLD = "Procurement Threshold"
REQUISITION = "Material Requisition"
TENDER = "Tender"
PUBLIC_TENDER = "公开招标"
QUOTES = "询价"


@dataclass(frozen=True)
class Threshold:
    name: str
    inquiry_from: Decimal
    tender_from: Decimal

    def method_for(self, amount: Decimal) -> str | None:
        """The least a purchase of `amount` must go through; None below the first amount."""
        if amount >= self.tender_from:
            return PUBLIC_TENDER
        return QUOTES if amount >= self.inquiry_from else None


def threshold_on(school_id: int, day: dt.date) -> Threshold | None:
    """The approved standard in force on `day`: the latest to take effect by then."""
    found = (
        Document.objects.filter(
            doctype=THRESHOLD,
            school_id=school_id,
            docstatus=DocStatus.SUBMITTED,
            data__effective_from__lte=day.isoformat(),
        )
        .order_by("-data__effective_from", "-pk")
        .values_list("name", "data")
        .first()
    )
    if found is None:
        return None
    name, data = found
    return Threshold(name, Decimal(str(data["inquiry_from"])), Decimal(str(data["tender_from"])))


@register(THRESHOLD)
class ProcurementThreshold(Controller):
    def validate(self, doc: Doc) -> None:
        errors: Errors = defaultdict(list)
        inquiry, tender = doc.get("inquiry_from"), doc.get("tender_from")
        if inquiry is not None and inquiry <= 0:
            errors["inquiry_from"].append(_("询价限额必须大于 0"))
        if inquiry is not None and tender is not None and tender <= inquiry:
            errors["tender_from"].append(_("公开招标限额应高于询价限额"))
        clash = live_clash(doc, THRESHOLD, effective_from=doc.values.get("effective_from"))
        if clash:
            errors["effective_from"].append(
                _("这一天起执行的标准已有 %(n)s，请修改那一份或将其作废") % {"n": clash}
            )
        if errors:
            raise DocumentValidationError(dict(errors))


def tenders_of(requisition: Document) -> list[Document]:
    """The tenders (not cancelled) that list the requisition, oldest first. A school runs a
    few dozen tenders a year: their rows are read rather than matched in JSON, which SQLite
    cannot do."""
    live = Document.objects.filter(
        doctype=TENDER,
        school_id=requisition.school_id,
        docstatus__in=[DocStatus.DRAFT, DocStatus.SUBMITTED],
    ).order_by("pk")
    return [
        t
        for t in live.only("name", "title", "docstatus", "workflow_state", "data")
        if any(r.get("requisition") == requisition.name for r in t.data.get("requisitions") or [])
    ]


def needs_quotes(requisition: Document) -> Threshold | None:
    """The standard a requisition's amount reaches (so it must be bought by quotes or tender)."""
    day = requisition.posting_date or requisition.created.date()
    threshold = threshold_on(requisition.school_id, day)
    if threshold is None or threshold.method_for(requisition.grand_total or Decimal(0)) is None:
        return None
    return threshold


def check_tender_method(doc: Doc, errors: Errors) -> None:
    """A tender whose budget reaches the public tender amount must be a 公开招标."""
    total, day = doc.get("estimated_total"), doc.get("posting_date")
    if total is None or day is None or doc.get("method") == PUBLIC_TENDER:
        return
    threshold = threshold_on(doc.instance.school_id, day)
    if threshold is not None and total >= threshold.tender_from:
        errors["method"].append(
            _("预算金额 ¥%(t)s 达到公开招标限额 ¥%(m)s（%(n)s），须公开招标")
            % {"t": total, "m": threshold.tender_from, "n": threshold.name}
        )


def quotes_pending(requisition: Document) -> str | None:
    """Why a requisition's goods may not come in yet: it needs quotes or a tender (by its amount)
    and no tender that lists it is decided. None when they may."""
    threshold = needs_quotes(requisition)
    if threshold is None or any(
        t.docstatus == DocStatus.SUBMITTED for t in tenders_of(requisition)
    ):
        return None
    return _(
        "申购单 %(r)s 金额 ¥%(a)s 达到询价限额 ¥%(m)s（%(n)s）：须经询价或招标定标后才能入库"
    ) % {
        "r": requisition.name,
        "a": requisition.grand_total,
        "m": threshold.inquiry_from,
        "n": threshold.name,
    }


def check_receipt(doc: Doc, errors: Errors, *, submitting: bool) -> None:
    """Goods of a requisition that needs quotes come in only once a decided tender bought it,
    or under a contract a tender chose."""
    name = doc.get("requisition")
    requisition = (
        Document.objects.filter(
            doctype=REQUISITION, school_id=doc.instance.school_id, name=name
        ).first()
        if name
        else None
    )
    pending = quotes_pending(requisition) if requisition is not None else None
    if pending is None:
        return
    contract = doc.get("contract")
    if (
        contract
        and Document.objects.filter(
            doctype="Purchase Contract",
            school_id=doc.instance.school_id,
            name=contract,
            docstatus=DocStatus.SUBMITTED,
        )
        .exclude(data__tender__in=["", None])
        .exists()
    ):
        return
    errors["requisition"].append(pending)


def tender_from_requisition(name: str, *, actor: User) -> Document:
    """Start a 询价 (or a 公开招标 where the standard asks for one) of an approved requisition."""
    requisition = permissions.get_document(actor, get_meta(REQUISITION), name, "read")
    if requisition.docstatus != DocStatus.SUBMITTED:
        raise DocumentStateError(_("申购单 %(n)s 尚未审批通过，不能招标") % {"n": name})
    started = tenders_of(requisition)
    if started:
        raise DocumentStateError(
            _("申购单 %(n)s 已在招标/询价 %(t)s 中") % {"n": name, "t": started[0].name}
        )
    threshold = needs_quotes(requisition)
    method = (threshold and threshold.method_for(requisition.grand_total or Decimal(0))) or QUOTES
    purpose = requisition.data.get("purpose") or name
    subject = _("%(purpose)s%(method)s采购") % {"purpose": purpose, "method": method}
    return services.create_document(
        TENDER,
        {"subject": subject[:140], "method": method, "requisitions": [{"requisition": name}]},
        actor=actor,
    )
