"""The store's books as pages read them: each item's balance, and one item's movements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
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
