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

from school_logistics.core import extensions, permissions, services
from school_logistics.core.controllers import Controller, register
from school_logistics.core.document import Doc, live_clash
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.registry import get_meta
from school_logistics.core.services import DocumentStateError
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.views.formatting import money
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
    return _in_force(_standards(school_id), day)


def _in_force(standards: list[tuple[dt.date, Threshold]], day: dt.date) -> Threshold | None:
    return next((t for since, t in standards if since <= day), None)


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
        "a": money(requisition.grand_total),
        "m": money(threshold.inquiry_from),
        "n": threshold.name,
    }


def held_for_quotes(requisitions: list[Document]) -> set[str]:
    """The names of those of a school's approved requisitions whose goods may not come in yet
    (`quotes_pending`), in two statements whatever their number."""
    if not requisitions:
        return set()
    school_id = requisitions[0].school_id
    standards = _standards(school_id)
    if not standards:
        return set()
    decided = {
        row.get("requisition")
        for data in Document.objects.filter(
            doctype=TENDER, school_id=school_id, docstatus=DocStatus.SUBMITTED
        ).values_list("data", flat=True)
        for row in data.get("requisitions") or []
    }
    held = set()
    for r in requisitions:
        threshold = _in_force(standards, _day(r))
        if (
            threshold is not None
            and threshold.method_for(r.grand_total or Decimal(0)) is not None
            and r.name not in decided
        ):
            held.add(r.name)
    return held


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


# 化整为零: a department's requisitions of the same kind of goods within this many days of each
# other are judged together against the standard.
SPLIT_DAYS = 30


@dataclass(frozen=True)
class SplitPurchase:
    """Requisitions that together reach the quotes amount though none of them does alone."""

    threshold: Threshold
    categories: tuple[str, ...]
    others: tuple[Document, ...]  # the department's other requisitions of those kinds
    total: Decimal  # with this one

    @property
    def method(self) -> str:
        return self.threshold.method_for(self.total) or QUOTES


def split_purchase(requisition: Document) -> SplitPurchase | None:
    """Whether a requisition looks split from a bigger purchase (see `split_purchases`)."""
    return split_purchases([requisition]).get(requisition.name)


def split_purchases(requisitions: list[Document]) -> dict[str, SplitPurchase]:
    """The requisitions that look split from a bigger purchase (拆分规避询价/招标): the same
    department asked for goods of the same categories within SPLIT_DAYS days, in requisitions
    approved or in approval (these too) that no tender buys yet and that stay below the quotes
    amount alone, and together they reach it. A few statements a school,
    whatever the number of requisitions asked about (an approver's inbox asks for a page)."""
    found: dict[str, SplitPurchase] = {}
    by_school: dict[int, list[Document]] = defaultdict(list)
    for r in requisitions:
        if r.doctype == REQUISITION and r.docstatus != DocStatus.CANCELLED:
            by_school[r.school_id].append(r)
    for school_id, asked in by_school.items():
        found.update(_split_in_school(school_id, asked))
    return found


def split_warnings(documents: list[Document]) -> dict[int, str]:
    """An approver's inbox marks the requisitions that look split (decided on their page)."""
    split = split_purchases(documents)
    return {
        d.pk: _("疑似拆分采购：本部门同类申购合计 ¥%(t)s，达到询价限额")
        % {"t": money(split[d.name].total)}
        for d in documents
        if d.name in split
    }


def _day(requisition: Document) -> dt.date:
    return requisition.posting_date or requisition.created.date()


def _split_in_school(school_id: int, asked: list[Document]) -> dict[str, SplitPurchase]:
    standards = _standards(school_id)
    if not standards:
        return {}
    window = dt.timedelta(days=SPLIT_DAYS)
    days = [_day(r) for r in asked]
    pool = [
        d
        for d in extensions.with_approval_state(
            Document.objects.filter(
                doctype=REQUISITION,
                school_id=school_id,
                docstatus__in=[DocStatus.DRAFT, DocStatus.SUBMITTED],
                posting_date__range=(min(days) - window, max(days) + window),
            ).order_by("posting_date", "pk")
        )
        if d.docstatus == DocStatus.SUBMITTED or getattr(d, "in_approval", False)
    ]
    if not pool:
        return {}
    tendered = _tendered(school_id)
    kinds = _categories(school_id, pool)
    # The pool's rows carry the data (an inbox's documents come without it); a requisition
    # that is neither approved nor in approval is not judged.
    pooled = {d.pk: d for d in pool}
    found = {}
    for requisition in filter(None, (pooled.get(r.pk) for r in asked)):
        day = _day(requisition)
        threshold = _in_force(standards, day)
        own_total = requisition.grand_total or Decimal(0)
        if (
            threshold is None
            or threshold.method_for(own_total) is not None
            or requisition.name in tendered
        ):
            continue
        mine = kinds[requisition.name]
        others = tuple(
            d
            for d in pool
            if d.pk != requisition.pk
            and _same_requester(d, requisition)
            and abs(_day(d) - day) <= window
            and d.name not in tendered
            and kinds[d.name] & mine
            and threshold.method_for(d.grand_total or Decimal(0)) is None  # its own 询价
        )
        total = own_total + sum((d.grand_total or Decimal(0) for d in others), Decimal(0))
        if others and threshold.method_for(total) is not None:
            shared = set().union(*(kinds[d.name] & mine for d in others))
            found[requisition.name] = SplitPurchase(threshold, tuple(sorted(shared)), others, total)
    return found


def _same_requester(one: Document, other: Document) -> bool:
    """The same department, or the same person where neither names a department."""
    department = other.data.get("department")
    if department:
        return bool(one.data.get("department") == department)
    return one.owner_id == other.owner_id and not one.data.get("department")


def _standards(school_id: int) -> list[tuple[dt.date, Threshold]]:
    """The school's approved standards, the latest to take effect first."""
    rows = (
        Document.objects.filter(
            doctype=THRESHOLD, school_id=school_id, docstatus=DocStatus.SUBMITTED
        )
        .order_by("-data__effective_from", "-pk")
        .values_list("name", "data")
    )
    return [
        (
            dt.date.fromisoformat(data["effective_from"]),
            Threshold(name, Decimal(str(data["inquiry_from"])), Decimal(str(data["tender_from"]))),
        )
        for name, data in rows
    ]


def _tendered(school_id: int) -> set[str]:
    """The requisitions a live tender of the school buys."""
    return {
        row.get("requisition")
        for data in Document.objects.filter(
            doctype=TENDER,
            school_id=school_id,
            docstatus__in=[DocStatus.DRAFT, DocStatus.SUBMITTED],
        ).values_list("data", flat=True)
        for row in data.get("requisitions") or []
    }


def _categories(school_id: int, requisitions: list[Document]) -> dict[str, set[str]]:
    """Each requisition's item categories (物资类别)."""
    codes = {
        r.get("item") for d in requisitions for r in d.data.get("items") or [] if r.get("item")
    }
    category = dict(
        Document.objects.filter(doctype="Item", school_id=school_id, name__in=codes).values_list(
            "name", "data__category"
        )
    )
    return {
        d.name: {category.get(r.get("item")) or "" for r in d.data.get("items") or []} - {""}
        for d in requisitions
    }


def tender_from_requisition(name: str, *, actor: User, merged: bool = False) -> Document:
    """Start a 询价 (or a 公开招标 where the standard asks for one) of an approved requisition;
    `merged`: of it together with the approved ones it looks split from."""
    requisition = permissions.get_document(actor, get_meta(REQUISITION), name, "read")
    if requisition.docstatus != DocStatus.SUBMITTED:
        raise DocumentStateError(_("申购单 %(n)s 尚未审批通过，不能招标") % {"n": name})
    started = tenders_of(requisition)
    if started:
        raise DocumentStateError(
            _("申购单 %(n)s 已在招标/询价 %(t)s 中") % {"n": name, "t": started[0].name}
        )
    names = [name]
    if merged:
        split = split_purchase(requisition)
        if split is None:
            raise DocumentStateError(_("申购单 %(n)s 没有需要合并采购的同类申购") % {"n": name})
        names += [d.name for d in split.others if d.docstatus == DocStatus.SUBMITTED]
        method = split.method
    else:
        threshold = needs_quotes(requisition)
        total = requisition.grand_total or Decimal(0)
        method = (threshold and threshold.method_for(total)) or QUOTES
    purpose = requisition.data.get("purpose") or name
    if len(names) > 1:
        purpose = _("%(purpose)s等%(n)s项合并") % {"purpose": purpose, "n": len(names)}
    subject = _("%(purpose)s%(method)s采购") % {"purpose": purpose, "method": method}
    return services.create_document(
        TENDER,
        {
            "subject": subject[:140],
            "method": method,
            "requisitions": [{"requisition": n} for n in names],
        },
        actor=actor,
    )
