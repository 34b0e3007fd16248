"""Controllers of the 物资 DocTypes: goods into the store (入库单) and out of it (领物单)."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core import extensions
from school_logistics.core.controllers import Controller, register
from school_logistics.core.document import Doc
from school_logistics.core.extensions import first_refusal
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.values import quantity_text
from school_logistics.ledger import canteen
from school_logistics.ledger import stock as ledger
from school_logistics.ledger.models import StockBin, StockLedgerEntry
from school_logistics.stores.items import (
    Errors,
    check_item_rows,
    items_by_code,
    receipt_cancel_guards,
    receipt_checks,
)
from school_logistics.stores.services import received_for

CANTEEN_GOODS = "食堂物资"  # the Item category the canteen's kitchen draws from the store
CENT = Decimal("0.01")


@register("Stock Receipt")
class StockReceipt(Controller):
    """验收入库: the goods' quantity and cost go into the store when the receipt is submitted."""

    def validate(self, doc: Doc) -> None:
        errors = check_item_rows(doc, ("items", _("入库明细")))
        posting_date = doc.get("posting_date")
        if posting_date and posting_date > timezone.localdate():
            errors["posting_date"].append(_("入库日期不能晚于今天"))
        self._check_requisition(doc, errors, submitting=False)
        for check in receipt_checks:
            check(doc, errors, submitting=False)
        if errors:
            raise DocumentValidationError(dict(errors))

    def _check_requisition(self, doc: Doc, errors: Errors, *, submitting: bool) -> None:
        """The requisition named is approved and the goods are within what it asked for. On
        submitting, its row is locked first, so two receipts submitted at once take turns and
        the second counts the first's goods."""
        requisition = doc.get("requisition")
        if not requisition:
            return
        found = Document.objects.filter(
            doctype="Material Requisition",
            school_id=doc.instance.school_id,
            name=requisition,
            docstatus=DocStatus.SUBMITTED,
        )
        approved = (found.select_for_update() if submitting else found).first()
        if approved is None:
            errors["requisition"].append(
                _("申购单 %(n)s 尚未审批通过，不能入库") % {"n": requisition}
            )
        else:
            self._within_requisition(doc, approved, errors)

    @staticmethod
    def _within_requisition(doc: Doc, requisition: Document, errors: Errors) -> None:
        """Goods received against a requisition are what it asked for, no more: the rest needs
        a requisition of its own (and its approval), or the claim would pay for it unasked."""
        asked: dict[str, Decimal] = defaultdict(Decimal)
        for row in requisition.data.get("items") or []:
            asked[row["item"]] += Decimal(str(row["qty"]))
        received = received_for(requisition)
        here: dict[str, Decimal] = defaultdict(Decimal)
        for row in doc.rows("items"):
            if row.get("item") and row.get("qty") is not None:
                here[row["item"]] += row["qty"]
        for item, qty in here.items():
            if item not in asked:
                errors["items"].append(
                    _("“%(item)s”不在申购单 %(r)s 中：请另行申购")
                    % {"item": item, "r": requisition.name}
                )
            elif qty + received.get(item, Decimal(0)) > asked[item]:
                errors["items"].append(
                    _("“%(item)s”申购 %(asked)s，已入库 %(done)s，本单 %(qty)s：超出申购数量")
                    % {
                        "item": item,
                        "asked": quantity_text(asked[item]),
                        "done": quantity_text(received.get(item, Decimal(0))),
                        "qty": quantity_text(qty),
                    }
                )

    def before_submit(self, doc: Doc) -> None:
        errors: dict[str, list[str]] = defaultdict(list)
        for check in receipt_checks:
            check(doc, errors, submitting=True)
        self._check_requisition(doc, errors, submitting=True)
        if errors:
            raise DocumentValidationError(dict(errors))

    def on_submit(self, doc: Doc) -> None:
        moves = [ledger.Move(r["item"], r["qty"], r["rate"]) for r in doc.rows("items")]
        ledger.post_stock(
            doc.instance, moves, actor=doc.acting_user, posting_date=doc.get("posting_date")
        )

    def on_cancel(self, doc: Doc) -> None:
        refusal = first_refusal(receipt_cancel_guards, doc.instance)
        if refusal:
            raise DocumentValidationError.single(refusal)
        _reverse(doc, _("已领出，不能作废入库：%(items)s"))


@register("Stock Issue")
class StockIssue(Controller):
    """领物: the goods leave the store when the storekeeper issues them (the flow's last step)."""

    def validate(self, doc: Doc) -> None:
        errors = check_item_rows(doc, ("items", _("领用明细")))
        if doc.get("canteen_cost"):
            self._canteen_goods_only(doc, errors)
        self._issued_within_request(doc, errors)
        if errors:
            raise DocumentValidationError(dict(errors))

    def _issued_within_request(self, doc: Doc, errors: dict[str, list[str]]) -> None:
        """At 仓库发放 the storekeeper may issue less than asked (short stock), never more than
        the department head approved, and says why a row is short (少发原因), which the requester
        then reads beside the shortfall. Which items, and how many rows, the step does not
        open at all (`core.row_cells`)."""
        rows = doc.rows("items")
        granted = (
            extensions.granted_fields(doc.instance, doc.actor)
            if doc.actor is not None and doc.instance.pk is not None
            else frozenset()
        )
        if "items.qty" in granted:
            stored = doc.instance.data.get("items") or []
            for idx, (row, before) in enumerate(zip(rows, stored, strict=True), start=1):
                # Rows stored before 申领数量 was kept: what the step found is what was asked.
                asked = before.get("requested_qty") or before.get("qty") or 0
                row["requested_qty"] = Decimal(str(asked))
                if row["qty"] > row["requested_qty"]:
                    errors[f"items.{idx}.qty"].append(
                        _("领用明细第 %(idx)s 行：发放时只能核减数量，不能超过申领的 %(qty)s")
                        % {"idx": idx, "qty": quantity_text(row["requested_qty"])}
                    )
        elif doc.actor is not None and doc.instance.docstatus == DocStatus.DRAFT:
            for row in rows:  # the requester's own quantity is what they ask for
                row["requested_qty"] = row["qty"]
        # A flow without 少发原因 among the step's fields (an admin's copy of the old one)
        # cannot ask for it: the shortfall is still shown.
        reason_asked = "items.short_reason" in granted
        for idx, row in enumerate(rows, start=1):
            asked, issued = row.get("requested_qty"), row["qty"]
            row["short_qty"] = None
            if asked is None or issued is None or issued >= asked:
                continue
            row["short_qty"] = asked - issued
            if reason_asked and not (row.get("short_reason") or "").strip():
                errors[f"items.{idx}.short_reason"].append(
                    _("领用明细第 %(idx)s 行：申领 %(asked)s，实发 %(qty)s，请填写少发原因")
                    % {"idx": idx, "asked": quantity_text(asked), "qty": quantity_text(issued)}
                )

    def _canteen_goods_only(self, doc: Doc, errors: dict[str, list[str]]) -> None:
        """The canteen's books carry what its kitchen uses, not another office's supplies."""
        rows = doc.rows("items")
        items = items_by_code({r["item"] for r in rows}, doc.instance.school_id)
        for idx, row in enumerate(rows, start=1):
            category = items.get(row["item"], {}).get("category")
            if category is not None and category != CANTEEN_GOODS:
                errors[f"items.{idx}.item"].append(
                    _("领用明细第 %(idx)s 行：%(item)s 不是食堂物资，不能计入食堂成本")
                    % {"idx": idx, "item": row.get("item_name") or row["item"]}
                )

    def before_submit(self, doc: Doc) -> None:
        # 非易耗品领出新的，必须收回旧的: the flag is read from the Item now, not as fetched.
        rows = doc.rows("items")
        items = items_by_code({r["item"] for r in rows}, doc.instance.school_id)
        errors = {
            f"items.{idx}.old_returned": [
                _("领用明细第 %(idx)s 行：%(item)s 是非易耗品，须先交回旧物并勾选“已交旧”")
                % {"idx": idx, "item": row.get("item_name") or row["item"]}
            ]
            for idx, row in enumerate(rows, start=1)
            if not items.get(row["item"], {}).get("is_consumable", True)
            and not row.get("old_returned")
        }
        if errors:
            raise DocumentValidationError(errors)

    def on_submit(self, doc: Doc) -> None:
        moves = [ledger.Move(r["item"], -r["qty"]) for r in doc.rows("items")]
        today = timezone.localdate()
        try:
            posted = ledger.post_stock(
                doc.instance, moves, actor=doc.acting_user, posting_date=today
            )
        except ledger.InsufficientStock as exc:
            raise DocumentValidationError.single(
                _("库存不足：%(items)s") % {"items": _shortage_text(doc, exc)}, "items"
            ) from exc
        category = doc.get("canteen_cost")
        if category:
            # The kitchen's use is the canteen's cost at what the goods left the store for.
            rows = doc.rows("items")
            canteen.post_expenses(
                doc.instance,
                today.strftime("%Y-%m"),
                [
                    canteen.Expense(
                        category,
                        f"{row.get('item_name') or row['item']} "
                        f"{quantity_text(row['qty'])}{row.get('uom') or ''}",
                        -entry.value_change,
                    )
                    for row, entry in zip(rows, posted, strict=True)
                ],
                actor=doc.acting_user,
                posting_date=today,
            )

    def on_cancel(self, doc: Doc) -> None:
        ledger.reverse_stock(doc.instance, actor=doc.acting_user)  # goods come back: never short
        canteen.reverse_expenses(doc.instance, actor=doc.acting_user)


def _reverse(doc: Doc, refusal: str) -> None:
    """Post the mirror of what a cancelled document posted; `refusal` (with %(items)s) says
    why not when the goods it brought in have left the store since."""
    try:
        ledger.reverse_stock(doc.instance, actor=doc.acting_user)
    except ledger.InsufficientStock as exc:
        raise DocumentValidationError.single(refusal % {"items": _shortage_text(doc, exc)}) from exc


def _same(stored: str | None, row: dict[str, Any]) -> bool:
    counted = row["counted_qty"]
    return stored is not None and counted is not None and Decimal(stored) == counted


def _shortage_text(doc: Doc, exc: ledger.InsufficientStock) -> str:
    """Say what is short in the user's words: 日光灯管 要 30 支，库存 12 支."""
    names = {
        r["item"]: (r.get("item_name") or r["item"], r.get("uom") or "") for r in doc.rows("items")
    }
    parts = []
    for s in exc.shortages:
        name, uom = names.get(s.item, (s.item, ""))
        parts.append(
            _("%(name)s 需 %(wanted)s%(uom)s，库存仅 %(available)s%(uom)s")
            % {
                "name": name,
                "wanted": quantity_text(s.wanted),
                "available": quantity_text(s.available),
                "uom": uom,
            }
        )
    for v in exc.value_shortages:
        parts.append(
            _("%(name)s 需冲回 %(value)s 元，库存金额仅 %(available)s 元")
            % {
                "name": names.get(v.item, (v.item, ""))[0],
                "value": _money(v.value),
                "available": _money(v.available),
            }
        )
    return "；".join(parts)


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def refuse_deleting_stocked_item(document: Document) -> str | None:
    """An Item the store's books name stays: its movements must keep saying what moved."""
    if document.doctype != "Item":
        return None
    if not StockLedgerEntry.objects.filter(
        school_id=document.school_id, item=document.name
    ).exists():
        return None
    return _("物资 %(item)s 已有出入库记录，不能删除；不再使用请勾选“停用”") % {
        "item": document.name
    }


@register("Stock Reconciliation")
class StockReconciliation(Controller):
    """期末盘点: counted quantities against the book; submission posts the differences.

    A row's book quantity is read from the ledger when its count is entered or changed, so
    the difference is what the count found; goods moved after it stay moved when the
    difference is posted, however long the approval takes.
    """

    def validate(self, doc: Doc) -> None:
        rows = doc.rows("items")
        codes = {r["item"] for r in rows}
        held = ledger.balances(doc.instance.school_id, codes)
        prices = _list_prices(doc, codes)
        before = {r.get("name"): r for r in doc.instance.data.get("items") or []}
        errors: dict[str, list[str]] = {}
        seen: set[str] = set()
        for idx, row in enumerate(rows, start=1):
            if row["item"] in seen:
                errors[f"items.{idx}.item"] = [
                    _("盘点明细第 %(idx)s 行：%(item)s 已在前面的行中")
                    % {"idx": idx, "item": row.get("item_name") or row["item"]}
                ]
            seen.add(row["item"])
            kept = before.get(row.get("name"))
            if kept and kept["item"] == row["item"] and _same(kept["counted_qty"], row):
                row["book_qty"] = Decimal(kept["book_qty"])
                # Valued with its count, so a draft's amounts change only when it is recounted.
                amount = kept.get("difference_amount")
                row["difference_amount"] = Decimal(amount) if amount is not None else None
            else:
                row["book_qty"] = held[row["item"]].qty if row["item"] in held else Decimal(0)
                row["difference_amount"] = None
            if row["counted_qty"] is None:
                continue
            row["difference"] = row["counted_qty"] - row["book_qty"]
            if row["difference_amount"] is None:
                row["difference_amount"] = _difference_value(
                    row, held.get(row["item"]), prices[row["item"]]
                )
        if errors:
            raise DocumentValidationError(errors)

    def before_submit(self, doc: Doc) -> None:
        # What the ledger posts at submission: the average may have moved since the count.
        # Set here, the stored rows are the posted figures (on_submit posts in this same
        # transaction, with the same bins).
        rows = doc.rows("items")
        codes = {r["item"] for r in rows}
        held = ledger.balances(doc.instance.school_id, codes)
        prices = _list_prices(doc, codes)
        for row in rows:
            row["difference_amount"] = _difference_value(
                row, held.get(row["item"]), prices[row["item"]]
            )

    def on_submit(self, doc: Doc) -> None:
        rows = [r for r in doc.rows("items") if r["counted_qty"] != r["book_qty"]]
        codes = {r["item"] for r in rows}
        held = ledger.balances(doc.instance.school_id, codes)
        prices = _list_prices(doc, codes)
        moves = [
            ledger.Move(
                row["item"],
                row["counted_qty"] - row["book_qty"],
                _average(held.get(row["item"]), prices[row["item"]]),
            )
            for row in rows
        ]
        try:
            ledger.post_stock(
                doc.instance, moves, actor=doc.acting_user, posting_date=doc.get("posting_date")
            )
        except ledger.InsufficientStock as exc:
            raise DocumentValidationError.single(
                _("盘亏数量超过现有库存（盘点后有领用）：%(items)s")
                % {"items": _shortage_text(doc, exc)},
                "items",
            ) from exc

    def on_cancel(self, doc: Doc) -> None:
        _reverse(doc, _("盘盈的物资已领出，不能作废：%(items)s"))


def _list_prices(doc: Doc, codes: set[str]) -> dict[str, Decimal]:
    """Return the items' reference prices (0 where none is set)."""
    items = items_by_code(codes, doc.instance.school_id)
    return {code: Decimal(str(items.get(code, {}).get("reference_price") or 0)) for code in codes}


def _average(held: StockBin | None, list_price: Decimal) -> Decimal:
    """A surplus is valued at the store's average, or at the list price when none is held."""
    return held.value / held.qty if held and held.qty > 0 else list_price


def _difference_value(row: dict[str, Any], held: StockBin | None, list_price: Decimal) -> Decimal:
    """Return the value of a row's difference as the ledger would post it now: a surplus in
    at the average (on_submit's Move rate), a shortage out at the average, the last of an item
    taking all its value (as ledger.stock values goods leaving), to the cent it posts."""
    difference = row["counted_qty"] - row["book_qty"]
    if difference >= 0 or held is None or held.qty <= 0:
        rate = _average(held, list_price)
        return (difference * rate).quantize(CENT, rounding=ROUND_HALF_UP)
    if -difference >= held.qty:
        return -held.value
    return -(held.value * -difference / held.qty).quantize(CENT, rounding=ROUND_HALF_UP)
