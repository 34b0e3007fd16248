"""Post stock movements of submitted documents, and reverse them when the document is cancelled.

Callers (the stores controllers) run inside the transaction that submits or cancels the
document, so a refused posting undoes the submission too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core.models import Document, User
from school_logistics.core.services import DocumentStateError
from school_logistics.ledger.models import StockBin, StockLedgerEntry

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Move:
    """Goods of one item in (qty > 0, valued at `rate`) or out (qty < 0, at the average)."""

    item: str
    qty: Decimal
    rate: Decimal = Decimal(0)


@dataclass(frozen=True)
class Shortage:
    item: str
    wanted: Decimal  # all the posting takes out of the item
    available: Decimal


@dataclass(frozen=True)
class ValueShortage:
    """A reversal would take out of an item a value its stock no longer holds."""

    item: str
    value: Decimal  # all the posting takes out of the item's value
    available: Decimal  # the item's value before it
    left: Decimal  # the item's value after it (negative)


class InsufficientStock(Exception):
    """Goods (or their value) would go out that the store does not hold; nothing was posted."""

    def __init__(
        self, shortages: list[Shortage], value_shortages: Sequence[ValueShortage] = ()
    ) -> None:
        items = [s.item for s in shortages] + [s.item for s in value_shortages]
        super().__init__(", ".join(items))
        self.shortages = shortages
        self.value_shortages = list(value_shortages)


def post_stock(
    voucher: Document, moves: Sequence[Move], *, actor: User, posting_date: dt.date
) -> list[StockLedgerEntry]:
    """Post a submitted document's moves, all or none; refuse a document posted already."""
    if StockLedgerEntry.objects.filter(voucher=voucher).exists():
        raise DocumentStateError(_("单据 %(n)s 已记入库存台账") % {"n": voucher.name})
    return _apply(
        voucher,
        [(move, None, None) for move in moves],
        actor=actor,
        posting_date=posting_date,
    )


def reverse_stock(voucher: Document, *, actor: User) -> list[StockLedgerEntry]:
    """Post the mirror of every row a cancelled document posted, dated today.

    Each mirror moves exactly the quantity and value its row moved: goods that went out come
    back at the value they left with, goods that came in leave at the value they came in with
    (not at the average, which would shift the value of the goods that stay); the last of an
    item takes all its value. Refused (InsufficientStock) when the store no longer holds them:
    their quantity, or their value — goods issued since at an average that counted them may
    have taken part of it.
    """
    posted = list(
        StockLedgerEntry.objects.filter(voucher=voucher, reverses=None, reversal=None).order_by(
            "id"
        )
    )
    return _apply(
        voucher,
        [(Move(e.item, -e.qty_change), -e.value_change, e) for e in posted],
        actor=actor,
        posting_date=timezone.localdate(),
    )


def _apply(
    voucher: Document,
    moves: list[tuple[Move, Decimal | None, StockLedgerEntry | None]],
    *,
    actor: User,
    posting_date: dt.date,
) -> list[StockLedgerEntry]:
    """Move the bins row by row and write one ledger row each; `value` fixes a move's value
    (a reversal's: the value its row moved), `reverses` names the row a reversal cancels."""
    if not moves:
        return []
    bins = _locked_bins(voucher.school_id, {move.item for move, _value, _rev in moves})
    before = {item: (b.qty, b.value) for item, b in bins.items()}
    wanted: dict[str, Decimal] = {}
    wanted_value: dict[str, Decimal] = {}
    entries = []
    for move, value, reverses in moves:
        b = bins[move.item]
        if move.qty < 0:
            wanted[move.item] = wanted.get(move.item, Decimal(0)) - move.qty
        if value is not None:
            change = value
            if value < 0 and b.qty + move.qty == 0 and b.value >= 0:
                # The last of the item goes: all its value goes with it. Issues since at an
                # average that counted these goods moved part of their value, but an empty
                # shelf carries none.
                change = -b.value
            if change < 0:
                wanted_value[move.item] = wanted_value.get(move.item, Decimal(0)) - change
        elif move.qty > 0:
            change = (move.qty * move.rate).quantize(CENT, rounding=ROUND_HALF_UP)
        else:
            change = _outgoing_value(b, -move.qty)
        b.qty += move.qty
        b.value += change
        entries.append(
            StockLedgerEntry(
                school_id=voucher.school_id,
                item=move.item,
                posting_date=posting_date,
                voucher=voucher,
                qty_change=move.qty,
                value_change=change,
                balance_qty=b.qty,
                balance_value=b.value,
                reverses=reverses,
                created_by=actor,
            )
        )
    shortages = [
        Shortage(item, qty, before[item][0]) for item, qty in wanted.items() if bins[item].qty < 0
    ]
    if shortages:
        raise InsufficientStock(shortages)
    # Value fixed by a reversal must be there to take out.
    value_shortages = [
        ValueShortage(item, value, before[item][1], bins[item].value)
        for item, value in wanted_value.items()
        if bins[item].value < 0
    ]
    if value_shortages:
        raise InsufficientStock([], value_shortages)
    now = timezone.now()
    for b in bins.values():
        b.modified = now
        b.last_posted = max(b.last_posted or posting_date, posting_date)
    StockBin.objects.bulk_update(bins.values(), ["qty", "value", "last_posted", "modified"])
    return StockLedgerEntry.objects.bulk_create(entries)


def _outgoing_value(b: StockBin, qty: Decimal) -> Decimal:
    """Value goods leaving at the moving average; the last of an item takes all its value."""
    if qty >= b.qty:
        return -b.value
    return -(b.value * qty / b.qty).quantize(CENT, rounding=ROUND_HALF_UP)


def _locked_bins(school_id: int, items: Iterable[str]) -> dict[str, StockBin]:
    """Return the items' bins, created when new, locked in name order so postings take turns."""
    names = sorted(set(items))
    StockBin.objects.bulk_create(
        [StockBin(school_id=school_id, item=name) for name in names], ignore_conflicts=True
    )
    locked = StockBin.objects.select_for_update().filter(school_id=school_id, item__in=names)
    return {b.item: b for b in locked.order_by("item")}


def balances(school_id: int, items: Iterable[str] | None = None) -> dict[str, StockBin]:
    """Return the school's stock by item (all items with a bin, or those named)."""
    qs = StockBin.objects.filter(school_id=school_id)
    if items is not None:
        qs = qs.filter(item__in=list(items))
    return {b.item: b for b in qs}
