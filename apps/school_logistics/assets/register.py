"""校产台账 as pages read it: each asset on the books where it is now, and one asset's history.

The books (`AssetBin`, `AssetLedgerEntry`) say where an asset is and who keeps it; the asset's
card (its document) says what it is. Pages read both, a fixed number of queries each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse

from school_logistics.core.models import Document, User
from school_logistics.ledger.models import AssetBin, AssetLedgerEntry

ASSET = "Asset"
LOCATION = "Location"
ZERO = Decimal(0)


@dataclass(frozen=True)
class Filters:
    q: str = ""
    category: str = ""
    location: str = ""
    custodian: str = ""  # a username: 我保管的, or a reader's choice


@dataclass
class AssetRow:
    asset: str
    data: dict[str, Any]  # the card's values
    location: str
    location_name: str
    custodian: str
    custodian_name: str
    qty: Decimal
    value: Decimal
    url: str


@dataclass(frozen=True)
class Holding:
    count: int
    value: Decimal


def matching(school_id: int, filters: Filters) -> QuerySet[AssetBin]:
    """The bins of the assets on the books that match, by room then asset number; the card's
    category and words are asked of the cards in the same statement."""
    bins = AssetBin.objects.filter(school_id=school_id, qty__gt=0)
    if filters.location:
        bins = bins.filter(location=filters.location)
    if filters.custodian:
        bins = bins.filter(custodian=filters.custodian)
    if filters.category or filters.q:
        cards = Document.objects.filter(doctype=ASSET, school_id=school_id)
        if filters.category:
            cards = cards.filter(data__category=filters.category)
        if filters.q:
            cards = cards.filter(Q(name__icontains=filters.q) | Q(title__icontains=filters.q))
        bins = bins.filter(asset__in=cards.values("name"))
    return bins.order_by("location", "asset")  # rooms in the order they were set up


def totals(bins: QuerySet[AssetBin]) -> Holding:
    """How many assets match and their book value (one query)."""
    sums = bins.order_by().aggregate(n=Count("id"), value=Sum("value"))
    return Holding(sums["n"], sums["value"] or ZERO)


def asset_rows(school_id: int, bins: Iterable[AssetBin]) -> list[AssetRow]:
    """The rows of these bins with their cards, rooms and keepers (three queries)."""
    held = list(bins)
    if not held:
        return []
    data = {
        d.name: d.data
        for d in Document.objects.filter(
            doctype=ASSET, school_id=school_id, name__in=[b.asset for b in held]
        ).only("name", "data")
    }
    places = location_names(school_id, {b.location for b in held})
    keepers = user_names(school_id, {b.custodian for b in held})
    base = reverse("asset_register:list")
    return [
        AssetRow(
            b.asset,
            data[b.asset],
            b.location,
            places.get(b.location, b.location),
            b.custodian,
            keepers.get(b.custodian, b.custodian),
            b.qty,
            b.value,
            base + quote(b.asset),
        )
        for b in held
        if b.asset in data
    ]


def location_names(school_id: int, names: set[str]) -> dict[str, str]:
    """Return rooms' names (场所名称) by their document names."""
    return dict(
        Document.objects.filter(doctype=LOCATION, school_id=school_id, name__in=names)
        .values_list("name", "title")
        .iterator()
    )


def user_names(school_id: int, usernames: set[str]) -> dict[str, str]:
    users = User.objects.filter(school_id=school_id, username__in=usernames - {""})
    return {u.username: u.display_name for u in users.only("username", "full_name")}


def held_at(school_id: int, *, location: str = "", custodian: str = "") -> Holding:
    """How many assets a room holds, or a person keeps, and their book value (one query)."""
    bins = AssetBin.objects.filter(school_id=school_id, qty__gt=0)
    if location:
        bins = bins.filter(location=location)
    if custodian:
        bins = bins.filter(custodian=custodian)
    sums = bins.aggregate(n=Count("id"), value=Sum("value"))
    return Holding(sums["n"], sums["value"] or ZERO)


def history(school_id: int, asset: str, limit: int) -> list[AssetLedgerEntry]:
    """Return an asset's latest ledger rows, newest first, with their documents and people."""
    return list(
        AssetLedgerEntry.objects.filter(school_id=school_id, asset=asset)
        .select_related("voucher", "created_by")
        .only(
            "posting_date",
            "location",
            "custodian",
            "qty_change",
            "value_change",
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


def locations(school_id: int, *, custodian: str = "") -> list[tuple[str, str]]:
    """The school's rooms as (name, 场所名称) for the filter; a keeper's, those they keep
    something in."""
    rooms = Document.objects.filter(doctype=LOCATION, school_id=school_id)
    if custodian:
        kept = AssetBin.objects.filter(school_id=school_id, custodian=custodian, qty__gt=0)
        rooms = rooms.filter(name__in=kept.values("location"))
    return list(rooms.order_by("title").values_list("name", "title"))
