"""Store services: a 入库单 for what an approved requisition asked for, a 盘点单 of the store,
and which of a repair's parts left the store on a 领物单."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core import permissions, services
from school_logistics.core.extensions import first_refusal
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.registry import get_meta
from school_logistics.core.services import DocumentStateError
from school_logistics.ledger.models import StockBin
from school_logistics.stores.items import items_by_code, receipt_holds

REQUISITION = "Material Requisition"
RECEIPT = "Stock Receipt"
STOCKTAKE = "Stock Reconciliation"
ISSUE = "Stock Issue"
REPAIR = "Repair Ticket"
ZERO = Decimal(0)
# Each returns values for a 入库单 drafted from an approved requisition, given the rows drafted
# (e.g. purchasing's: the supplier a decided tender chose, and the rows at its prices);
# registered by other apps in ready().
receipt_drafts: list[Callable[[Document, list[dict[str, Any]]], dict[str, Any]]] = []


def received_for(requisition: Document) -> dict[str, Decimal]:
    """Return the quantity of each item the submitted receipts of a requisition brought in."""
    receipts = Document.objects.filter(
        doctype=RECEIPT,
        school_id=requisition.school_id,
        docstatus=DocStatus.SUBMITTED,
        data__requisition=requisition.name,
    ).values_list("data", flat=True)
    received: dict[str, Decimal] = defaultdict(Decimal)
    for data in receipts:
        for row in data.get("items") or []:
            received[row["item"]] += Decimal(str(row["qty"]))
    return received


def outstanding(requisition: Document) -> list[dict[str, Any]]:
    """Return the requisition's rows with what is still to be received, in its order."""
    left = dict(received_for(requisition))
    rows = []
    for row in requisition.data.get("items") or []:
        asked = Decimal(str(row["qty"]))
        taken = min(asked, left.get(row["item"], Decimal(0)))
        left[row["item"]] = left.get(row["item"], Decimal(0)) - taken
        rows.append({**row, "asked": asked, "received": taken, "remaining": asked - taken})
    return rows


def receipt_from_requisition(name: str, *, actor: User) -> Document:
    """Start a 入库单 draft for what an approved requisition still waits for, at its rates (or
    as `receipt_drafts` fill it in)."""
    requisition = permissions.get_document(actor, get_meta(REQUISITION), name, "read")
    if requisition.docstatus != DocStatus.SUBMITTED:
        raise DocumentStateError(_("申购单 %(n)s 尚未审批通过，不能入库") % {"n": name})
    hold = first_refusal(receipt_holds, requisition)
    if hold:
        raise DocumentStateError(hold)
    rows = [
        {"item": r["item"], "qty": r["remaining"], "rate": r.get("rate")}
        for r in outstanding(requisition)
        if r["remaining"] > 0
    ]
    if not rows:
        raise DocumentStateError(_("申购单 %(n)s 的物资已全部入库") % {"n": name})
    title = _("%(purpose)s 验收入库") % {"purpose": requisition.data.get("purpose") or name}
    values: dict[str, Any] = {"title": title[:140], "requisition": name, "items": rows}
    for fill in receipt_drafts:
        values.update(fill(requisition, values["items"]))
    return services.create_document(RECEIPT, values, actor=actor)


def start_stocktake(school_id: int, *, actor: User, category: str = "") -> Document:
    """Start a 盘点单 of every item the school holds (of one category), counted as the book
    says; the storekeeper then changes the rows the shelves disagree with."""
    bins = StockBin.objects.filter(school_id=school_id, qty__gt=0).order_by("item")
    if category:
        of_category = Document.objects.filter(
            doctype="Item", school_id=school_id, data__category=category
        ).values("name")
        bins = bins.filter(item__in=of_category)
    rows = [{"item": b.item, "counted_qty": b.qty} for b in bins]
    if not rows:
        raise DocumentStateError(_("库存中没有要盘点的物资"))
    today = timezone.localdate()
    title = _("%(date)s %(what)s盘点") % {
        "date": today.strftime("%Y-%m-%d"),
        "what": category or _("库存"),
    }
    return services.create_document(STOCKTAKE, {"title": title, "items": rows}, actor=actor)


@dataclass
class RepairPart:
    """An item a repair used (its 维修用料) or drew from the store for it (a 领物单 naming it)."""

    item: str
    name: str
    uom: str
    used: Decimal = ZERO  # on the ticket's 维修用料
    issued: Decimal = ZERO  # on its submitted 领物单
    issues: list[Document] = field(default_factory=list)  # its 领物单 of the item, not cancelled

    @property
    def status(self) -> str:
        """issued: all it used came from the store; partly; pending: a 领物单 still in approval;
        none: no 领物单 (bought outside, or not drawn yet); unused: drawn, not recorded as used."""
        if not self.used:
            return "unused" if self.issued else "pending"
        if self.issued >= self.used:
            return "issued"
        if self.issued:
            return "partly"
        return "pending" if self.issues else "none"


def repair_parts(ticket: Document) -> list[RepairPart]:
    """Return the ticket's parts with what its 领物单 issued of each (two queries), in the order
    of its 维修用料, then items drawn for it that it does not record."""
    issues = (
        Document.objects.filter(
            doctype=ISSUE, school_id=ticket.school_id, data__repair_ticket=ticket.name
        )
        .exclude(docstatus=DocStatus.CANCELLED)
        .order_by("name")
        .only("name", "docstatus", "owner_id", "department_id", "school_id", "data")
    )
    drawn = [(issue, row) for issue in issues for row in issue.data.get("items") or []]
    parts = [row for row in ticket.data.get("parts") or [] if row.get("item")]
    codes = {row["item"] for row in parts} | {row["item"] for _issue, row in drawn}
    items = items_by_code(codes, ticket.school_id)
    lines: dict[str, RepairPart] = {}

    def line(code: str) -> RepairPart:
        data = items.get(code, {})
        return lines.setdefault(
            code, RepairPart(code, data.get("item_name") or code, data.get("uom") or "")
        )

    for row in parts:
        line(row["item"]).used += Decimal(str(row.get("qty") or 0))
    for issue, row in drawn:
        part = line(row["item"])
        if issue.docstatus == DocStatus.SUBMITTED:
            part.issued += Decimal(str(row.get("qty") or 0))
        if issue not in part.issues:
            part.issues.append(issue)
    return list(lines.values())
