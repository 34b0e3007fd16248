"""The store's books as pages read them: each item's balance, and one item's movements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict
from urllib.parse import quote

from django.db.models import Q
from django.urls import reverse

from school_logistics.core.models import Document
from school_logistics.ledger.models import StockBin, StockLedgerEntry

ZERO = Decimal(0)


@dataclass
class StockRow:
    item: str
    data: dict[str, Any]
    qty: Decimal
    value: Decimal
    last_moved: dt.date | None
    url: str

    @property
    def average(self) -> Decimal | None:
        return (self.value / self.qty).quantize(Decimal("0.01")) if self.qty else None


def stock_rows(
    school_id: int, *, q: str = "", category: str = "", in_stock: bool = False
) -> list[StockRow]:
    """Return the school's items with their stock, in item code order (two queries)."""
    items = Document.objects.filter(doctype="Item", school_id=school_id).order_by("name")
    if category:
        items = items.filter(data__category=category)
    if q:
        items = items.filter(Q(name__icontains=q) | Q(title__icontains=q))
    bins = {b.item: b for b in StockBin.objects.filter(school_id=school_id)}
    base = reverse("stock:balance")  # + the item: one reverse() for the whole list
    rows = []
    for doc in items.only("name", "data"):
        b = bins.get(doc.name)
        held = bool(b and b.qty)
        if (in_stock or doc.data.get("disabled")) and not held:
            continue  # a disabled item with nothing left is of no interest to the store
        rows.append(
            StockRow(
                doc.name,
                doc.data,
                b.qty if b else ZERO,
                b.value if b else ZERO,
                b.last_posted if b else None,
                base + quote(doc.name),
            )
        )
    return rows


def movements(school_id: int, item: str, limit: int) -> list[StockLedgerEntry]:
    """Return an item's latest ledger rows, newest first, with their documents and people."""
    return list(
        StockLedgerEntry.objects.filter(school_id=school_id, item=item)
        .select_related("voucher", "created_by")
        .only(
            "posting_date",
            "qty_change",
            "value_change",
            "balance_qty",
            "balance_value",
            "reverses_id",
            "created",
            "voucher__doctype",
            "voucher__name",
            "voucher__title",
            "created_by__full_name",
            "created_by__username",
        )
        .order_by("-id")[:limit]
    )


@dataclass
class LowStock:
    item: str
    name: str
    uom: str
    qty: Decimal
    safety: Decimal
    url: str


def below_safety_stock(school_id: int, limit: int) -> tuple[int, list[LowStock]]:
    """Return how many of the school's items are below their 最低库存, and the first ones,
    the emptiest first (two queries: the items that set one, and their bins)."""
    items = (
        Document.objects.filter(doctype="Item", school_id=school_id)
        .filter(data__safety_stock__isnull=False)  # the key is there …
        .exclude(data__safety_stock=None)  # … and holds a number (a cleared field keeps null)
        .only("name", "data")
    )
    wanted = {
        doc.name: doc.data
        for doc in items
        if doc.data.get("safety_stock") and not doc.data.get("disabled")
    }
    if not wanted:
        return 0, []
    held = {
        b.item: b.qty for b in StockBin.objects.filter(school_id=school_id, item__in=list(wanted))
    }
    base = reverse("stock:balance")
    low = [
        LowStock(
            name,
            data.get("item_name") or name,
            data.get("uom") or "",
            held.get(name, ZERO),
            Decimal(str(data["safety_stock"])),
            base + quote(name),
        )
        for name, data in wanted.items()
        if held.get(name, ZERO) < Decimal(str(data["safety_stock"]))
    ]
    low.sort(key=lambda r: (r.qty / r.safety, r.item))
    return len(low), low[:limit]


class StocktakeBook(TypedDict):
    held: dict[str, dict[str, str]]  # item → {"qty", "value"}, of the items held
    prices: dict[str, str]  # item → reference price, of the others that have one


def stocktake_book(school_id: int) -> StocktakeBook:
    """What a 盘点单 being filled in values its rows by while the count is typed (stocktake.js),
    as its controller values them on save: each item held with its book quantity and value,
    and the reference price of the others, at which a surplus of one not held is valued (two
    queries)."""
    held = {
        b.item: {"qty": str(b.qty), "value": str(b.value)}
        for b in StockBin.objects.filter(school_id=school_id, qty__gt=0)
    }
    # The whole of each Item's data: SQLite reads a key's "38.00" back as the float 38.0.
    items = Document.objects.filter(doctype="Item", school_id=school_id).values_list("name", "data")
    prices = {
        name: str(data["reference_price"])
        for name, data in items
        if data.get("reference_price") not in (None, "") and name not in held
    }
    return {"held": held, "prices": prices}
