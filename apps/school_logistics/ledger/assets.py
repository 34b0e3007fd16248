"""Post assets (校产) onto the books, move them between rooms and keepers, take them off, and
reverse all of it when the document is cancelled.

Callers (the assets controllers) run inside the transaction that submits or cancels the
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
from school_logistics.ledger.models import AssetBin, AssetLedgerEntry

CENT = Decimal("0.01")


class NotOnBooks(Exception):
    """An asset named is not on the books (never registered, or all of it disposed of)."""

    def __init__(self, assets: list[str]) -> None:
        super().__init__(", ".join(assets))
        self.assets = assets


@dataclass(frozen=True)
class Excess:
    asset: str
    wanted: Decimal
    held: Decimal


class DisposalExceedsHolding(Exception):
    """More of an asset would be disposed of than the books hold; nothing was posted."""

    def __init__(self, excesses: list[Excess]) -> None:
        super().__init__(", ".join(e.asset for e in excesses))
        self.excesses = excesses


class MovedSince(Exception):
    """A cancelled document's assets were moved or disposed of by later documents."""

    def __init__(self, vouchers: list[str]) -> None:
        super().__init__(", ".join(vouchers))
        self.vouchers = vouchers


@dataclass(frozen=True)
class Place:
    location: str
    custodian: str


def register(
    voucher: Document,
    place: Place,
    *,
    qty: Decimal,
    value: Decimal,
    actor: User,
    posting_date: dt.date,
) -> AssetLedgerEntry:
    """Put a registered asset (the voucher is its card) on the books at its place."""
    _refuse_posted(voucher)
    bins = _locked_bins(voucher.school_id, [voucher.name], place)
    row = _row(voucher, voucher.name, place, qty, value, actor, posting_date, None)
    _move(bins[voucher.name], row)
    _save(bins.values(), posting_date)
    return AssetLedgerEntry.objects.create(**row)


def transfer(
    voucher: Document, assets: Sequence[str], to: Place, *, actor: User, posting_date: dt.date
) -> list[AssetLedgerEntry]:
    """Move every unit of each asset still on the books to a new place and keeper (调拨)."""
    _refuse_posted(voucher)
    bins = _held_bins(voucher.school_id, assets)
    rows = []
    for name in assets:
        b = bins[name]
        qty, value = b.qty, b.value
        for place, sign in ((Place(b.location, b.custodian), -1), (to, 1)):
            row = _row(voucher, name, place, sign * qty, sign * value, actor, posting_date, None)
            _move(b, row)
            rows.append(row)
    _save(bins.values(), posting_date)
    return _create(rows)


def dispose(
    voucher: Document,
    lines: Sequence[tuple[str, Decimal]],
    *,
    actor: User,
    posting_date: dt.date,
) -> list[AssetLedgerEntry]:
    """Take (asset, qty) off the books (报废) at its book value; the last unit takes all of it."""
    _refuse_posted(voucher)
    bins = _held_bins(voucher.school_id, [name for name, _qty in lines])
    wanted: dict[str, Decimal] = {}
    for name, qty in lines:
        wanted[name] = wanted.get(name, Decimal(0)) + qty
    excesses = [Excess(n, q, bins[n].qty) for n, q in wanted.items() if q > bins[n].qty]
    if excesses:
        raise DisposalExceedsHolding(excesses)
    rows = []
    for name, qty in lines:
        b = bins[name]
        place = Place(b.location, b.custodian)
        row = _row(voucher, name, place, -qty, -book_value(b, qty), actor, posting_date, None)
        _move(b, row)
        rows.append(row)
    _save(bins.values(), posting_date)
    return _create(rows)


def book_value(b: AssetBin, qty: Decimal) -> Decimal:
    """The book value of `qty` units of what a bin holds (all of it for the last units)."""
    if qty >= b.qty:
        return b.value
    return (b.value * qty / b.qty).quantize(CENT, rounding=ROUND_HALF_UP)


def reverse(voucher: Document, *, actor: User) -> list[AssetLedgerEntry]:
    """Post the mirror of every row a cancelled document posted, last first, dated today.

    Refused when a later document, not itself cancelled, moved or disposed of one of its
    assets: that document has to be cancelled first, or the books would jump rooms.
    """
    posted = list(
        AssetLedgerEntry.objects.filter(voucher=voucher, reverses=None, reversal=None).order_by(
            "id"
        )
    )
    if not posted:
        return []
    names = sorted({e.asset for e in posted})
    later = (
        AssetLedgerEntry.objects.filter(
            school_id=voucher.school_id,
            asset__in=names,
            id__gt=posted[-1].id,
            reverses=None,
            reversal=None,
        )
        .exclude(voucher=voucher)
        .values_list("voucher__name", flat=True)
    )
    if later:
        raise MovedSince(sorted(set(later)))
    bins = _locked_bins(voucher.school_id, names, None)
    today = timezone.localdate()
    rows = []
    for e in reversed(posted):
        place = Place(e.location, e.custodian)
        row = _row(voucher, e.asset, place, -e.qty_change, -e.value_change, actor, today, e)
        _move(bins[e.asset], row)
        rows.append(row)
    _save(bins.values(), today)
    return _create(rows)


def _refuse_posted(voucher: Document) -> None:
    if AssetLedgerEntry.objects.filter(voucher=voucher).exists():
        raise DocumentStateError(_("单据 %(n)s 已记入校产台账") % {"n": voucher.name})


def _row(
    voucher: Document,
    asset: str,
    place: Place,
    qty: Decimal,
    value: Decimal,
    actor: User,
    posting_date: dt.date,
    reverses: AssetLedgerEntry | None,
) -> dict[str, object]:
    return {
        "school_id": voucher.school_id,
        "asset": asset,
        "location": place.location,
        "custodian": place.custodian,
        "qty_change": qty,
        "value_change": value,
        "posting_date": posting_date,
        "voucher": voucher,
        "reverses": reverses,
        "created_by": actor,
    }


def _move(b: AssetBin, row: dict[str, object]) -> None:
    """Apply a row to its bin: what comes in sets the asset's place and keeper."""
    qty = row["qty_change"]
    value = row["value_change"]
    assert isinstance(qty, Decimal) and isinstance(value, Decimal)
    b.qty += qty
    b.value += value
    if qty > 0:
        b.location = str(row["location"])
        b.custodian = str(row["custodian"])


def _create(rows: list[dict[str, object]]) -> list[AssetLedgerEntry]:
    return AssetLedgerEntry.objects.bulk_create([AssetLedgerEntry(**row) for row in rows])


def _save(bins: Iterable[AssetBin], posting_date: dt.date) -> None:
    now = timezone.now()
    changed = list(bins)
    for b in changed:
        b.modified = now
        b.last_posted = max(b.last_posted or posting_date, posting_date)
    AssetBin.objects.bulk_update(
        changed, ["location", "custodian", "qty", "value", "last_posted", "modified"]
    )


def _locked_bins(school_id: int, assets: Iterable[str], new: Place | None) -> dict[str, AssetBin]:
    """Return the assets' bins locked in name order, created at `new` when missing."""
    names = sorted(set(assets))
    if new is not None:
        AssetBin.objects.bulk_create(
            [
                AssetBin(school_id=school_id, asset=n, location=new.location, custodian="")
                for n in names
            ],
            ignore_conflicts=True,
        )
    locked = AssetBin.objects.select_for_update().filter(school_id=school_id, asset__in=names)
    return {b.asset: b for b in locked.order_by("asset")}


def _held_bins(school_id: int, assets: Iterable[str]) -> dict[str, AssetBin]:
    """Return the assets' bins locked, refusing assets that are not on the books."""
    bins = _locked_bins(school_id, assets, None)
    missing = sorted(n for n in set(assets) if n not in bins or not bins[n].qty)
    if missing:
        raise NotOnBooks(missing)
    return bins


def holdings(school_id: int, assets: Iterable[str] | None = None) -> dict[str, AssetBin]:
    """Return the school's assets on the books by name (all, or those named)."""
    qs = AssetBin.objects.filter(school_id=school_id)
    if assets is not None:
        qs = qs.filter(asset__in=list(assets))
    return {b.asset: b for b in qs}
