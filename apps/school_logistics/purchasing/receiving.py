"""验收入库 as purchasing rules it. Goods received against an approved requisition add up to no
more money than was approved, or than the tender that bought it awarded; they come from the
supplier that tender chose, and a supplier delivers only while its certificates (索证) are
valid. A 入库单 drafted from a requisition takes that winner and its prices. A requisition its
goods came for, or that a tender buys, is not cancelled. The store sees which approved
requisitions still wait for goods (待入库)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core.document import Doc
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus
from school_logistics.core.views.formatting import money
from school_logistics.purchasing.certificates import certificate_problem
from school_logistics.purchasing.procurement import REQUISITION, held_for_quotes, tenders_of
from school_logistics.stores.items import Errors

RECEIPT = "Stock Receipt"
ZERO = Decimal(0)
CENT = Decimal("0.01")


def _receipts(school_id: int, requisitions: list[str] | tuple[str, ...]) -> QuerySet[Document]:
    """The submitted 入库单 against any of the requisitions."""
    return Document.objects.filter(
        doctype=RECEIPT,
        school_id=school_id,
        docstatus=DocStatus.SUBMITTED,
        data__requisition__in=list(requisitions),
    )


def refuse_cancelling_a_bought_requisition(requisition: Document) -> str | None:
    """An approved requisition whose goods came in (its 入库单 would name a cancelled purchase,
    and its commitment would be given back whole though part was bought), or that a tender
    buys or is buying (it would be decided for a cancelled purchase), stays."""
    received = list(
        _receipts(requisition.school_id, [requisition.name])
        .order_by("name")
        .values_list("name", flat=True)
    )
    if received:
        return _("申购单已验收入库（%(r)s）：请先作废入库单，再作废申购单") % {
            "r": "、".join(received)
        }
    tenders = tenders_of(requisition)
    if tenders:
        return _("申购单已列入招标/询价 %(t)s：请先作废或删除该招标/询价，再作废申购单") % {
            "t": "、".join(t.name for t in tenders)
        }
    return None


@dataclass(frozen=True)
class Ceiling:
    """The most that the goods of `requisitions` may come to: what was approved, or what the
    tender that bought them awarded."""

    amount: Decimal
    requisitions: tuple[str, ...]
    tender: Document | None = None


def decided_tender(requisition: Document) -> Document | None:
    """The decided (submitted, awarded) tender that bought the requisition, if any."""
    return next(
        (
            t
            for t in tenders_of(requisition)
            if t.docstatus == DocStatus.SUBMITTED and t.data.get("awarded_supplier")
        ),
        None,
    )


def ceiling_of(requisition: Document, tender: Document | None) -> Ceiling:
    awarded = tender.data.get("awarded_amount") if tender is not None else None
    if tender is None or awarded in (None, ""):
        return Ceiling(requisition.grand_total or ZERO, (requisition.name,))
    names = tuple(r["requisition"] for r in tender.data.get("requisitions") or [])
    return Ceiling(Decimal(str(awarded)), names or (requisition.name,), tender)


def check_receipt(doc: Doc, errors: Errors, *, submitting: bool) -> None:
    """A 入库单: its supplier's certificates valid on its day; against a requisition, the
    tender's winner as supplier and no more money than approved or awarded. On submitting,
    the tender's row (or the requisition's) is locked first, so two receipts submitted at once
    take turns and the second counts the first's goods."""
    _certificates(doc, errors)
    name = doc.get("requisition")
    if not name:
        return
    school_id = doc.instance.school_id
    requisition = Document.objects.filter(
        doctype=REQUISITION, school_id=school_id, name=name, docstatus=DocStatus.SUBMITTED
    ).first()
    if requisition is None:
        return  # not approved: the store's own check says so
    tender = decided_tender(requisition)
    if tender is not None:
        _from_the_winner(doc, tender, errors)
    if submitting:
        # The row whose goods the ceiling bounds: a tender's may buy several requisitions.
        locked = tender if tender is not None else requisition
        Document.objects.select_for_update().filter(pk=locked.pk).values_list("pk").first()
    _within_ceiling(doc, requisition, ceiling_of(requisition, tender), errors)


def _certificates(doc: Doc, errors: Errors) -> None:
    supplier, day = doc.get("supplier"), doc.get("posting_date")
    if not supplier or day is None:
        return
    problem = certificate_problem(doc.instance.school_id, supplier, day, _("入库日"))
    if problem:
        errors["supplier"].append(problem)


def _from_the_winner(doc: Doc, tender: Document, errors: Errors) -> None:
    winner = tender.data["awarded_supplier"]
    if not doc.get("supplier"):
        doc.set("supplier", winner)
    elif doc.get("supplier") != winner:
        errors["supplier"].append(
            _("申购单经招标/询价 %(t)s 定标，供应商须为中标供应商“%(s)s”")
            % {"t": tender.name, "s": tender.data.get("awarded_supplier_name") or winner}
        )


def _within_ceiling(doc: Doc, requisition: Document, ceiling: Ceiling, errors: Errors) -> None:
    before = (
        _receipts(doc.instance.school_id, ceiling.requisitions)
        .exclude(pk=doc.instance.pk)
        .aggregate(t=Sum("grand_total"))["t"]
        or ZERO
    )
    here = doc.get("grand_total") or ZERO
    if before + here <= ceiling.amount:
        return
    amounts = {
        "a": money(ceiling.amount),
        "b": money(before),
        "h": money(here),
        "o": money(before + here - ceiling.amount),
    }
    if ceiling.tender is not None:
        told = _(
            "招标/询价 %(t)s 中标金额 ¥%(a)s（申购单 %(r)s），此前已入库 ¥%(b)s，本单 ¥%(h)s，"
            "超出 ¥%(o)s：请核对实收数量和单价；超出中标金额的部分须另行申购审批"
        ) % {**amounts, "t": ceiling.tender.name, "r": "、".join(ceiling.requisitions)}
    elif before:
        told = _(
            "申购单 %(r)s 批准金额 ¥%(a)s，此前已入库 ¥%(b)s，本单 ¥%(h)s，超出 ¥%(o)s："
            "请核对实收数量和单价；超出批准金额的部分须另行申购审批"
        ) % {**amounts, "r": requisition.name}
    else:
        told = _(
            "申购单 %(r)s 批准金额 ¥%(a)s，本单 ¥%(h)s，超出 ¥%(o)s：请核对实收数量和单价；"
            "实际价格高于申购时，请申购人作废申购单、修订后重新审批，再验收入库"
        ) % {**amounts, "r": requisition.name}
    errors["items"].append(told)


def receipt_values(requisition: Document, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """For a 入库单 drafted from a requisition a decided tender bought: the winner as supplier,
    and each row at its estimated rate scaled to what the tender awarded for the estimate (the
    bid is one price for all it buys), rounded down so the rows stay within the award."""
    tender = decided_tender(requisition)
    if tender is None:
        return {}
    values: dict[str, Any] = {"supplier": tender.data["awarded_supplier"]}
    awarded = tender.data.get("awarded_amount")
    estimated = tender.data.get("estimated_total")
    if awarded in (None, "") or not estimated or Decimal(str(estimated)) <= 0:
        return values
    scale = Decimal(str(awarded)) / Decimal(str(estimated))
    values["items"] = [
        {
            **row,
            "rate": (Decimal(str(row["rate"])) * scale).quantize(CENT, rounding=ROUND_DOWN)
            if row.get("rate") not in (None, "")
            else row.get("rate"),
        }
        for row in rows
    ]
    return values


# The 待入库 list shows requisitions approved within this many days: one older still waiting
# for all its goods is a purchase given up, to be cancelled rather than waited for.
AWAITING_DAYS = 365


@dataclass
class Awaiting:
    """An approved requisition whose goods have not all come."""

    requisition: Document
    rows: list[dict[str, Any]]  # its items still to come: item_name, uom, remaining
    partly: bool  # some of its goods came already
    held: bool  # bought by quotes or tender, not decided yet: nothing may come in

    @property
    def required_by(self) -> str:
        return str(self.requisition.data.get("required_by") or "")


def awaiting_goods(requisitions: QuerySet[Document]) -> list[Awaiting]:
    """The approved requisitions of `requisitions` (readable ones of a school) approved within
    AWAITING_DAYS whose goods have not all come, the soonest needed first (then the oldest):
    a few statements, however many there are."""
    since = timezone.localdate() - dt.timedelta(days=AWAITING_DAYS)
    approved = list(
        requisitions.filter(
            doctype=REQUISITION, docstatus=DocStatus.SUBMITTED, posting_date__gte=since
        ).only("name", "school_id", "posting_date", "created", "grand_total", "title", "data")
    )
    if not approved:
        return []
    received: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    by_school: dict[int, list[str]] = defaultdict(list)
    for r in approved:
        by_school[r.school_id].append(r.name)
    for school_id, names in by_school.items():
        for data in _receipts(school_id, names).values_list("data", flat=True):
            for row in data.get("items") or []:
                received[data["requisition"]][row["item"]] += Decimal(str(row["qty"]))
    found = []
    for requisition in approved:
        came = dict(received.get(requisition.name, {}))
        left = []
        for row in requisition.data.get("items") or []:
            asked = Decimal(str(row["qty"]))
            taken = min(asked, came.get(row["item"], ZERO))
            came[row["item"]] = came.get(row["item"], ZERO) - taken
            if asked > taken:
                left.append({**row, "remaining": asked - taken})
        if left:
            partly = requisition.name in received
            found.append(Awaiting(requisition, left, partly, held=False))
    held = held_for_quotes([a.requisition for a in found])
    for a in found:
        a.held = a.requisition.name in held
    found.sort(key=lambda a: (a.required_by or "9999", a.requisition.posting_date or since))
    return found
