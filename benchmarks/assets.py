"""The asset books (校产): postings through the services, and the register's pages at volume.

1. `asset_register` / `asset_transfer`: N 校产 cards submitted (registration posts one ledger
   row), then N 校产调拨单 of one asset each (two rows), through the services, timed per
   document; one JSON line each, in the shape of the route benchmark's.
2. Volume: `--assets` cards with their bins and ledger rows added in bulk over `--rooms`
   rooms, then 校产台账 (every asset), one room's list, a room's 登记表 (.xlsx) and an asset's
   history requested through Django's test client: p50/p95 and statements per request.
After each part the books are checked: every bin equals the sum of its ledger rows and holds
no negative quantity, and each asset's place is where its last incoming row put it.

Run: .venv/bin/python benchmarks/assets.py [--db sqlite|postgres] [--n 200] [--assets 20000]
     [--rooms 300] [--requests 20]
"""

from __future__ import annotations

import argparse
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchkit  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--n", type=int, default=200, help="cards, and transfers, to post")
    parser.add_argument("--assets", type=int, default=20_000, help="assets on the books")
    parser.add_argument("--rooms", type=int, default=300, help="rooms they stand in")
    parser.add_argument("--requests", type=int, default=20, help="requests per page")
    args = parser.parse_args()

    benchkit.configure(args.db)
    benchkit.setup_django()
    benchkit.fresh_database()
    try:
        keeper, teacher = benchkit.school_people()
        rooms = make_rooms(keeper, teacher, args.rooms)
        postings(keeper, rooms, args.n)
        check_books()
        volume(keeper, teacher, rooms, args.assets)
        check_books()
        pages(keeper, rooms[1], args.requests, args.assets)
    finally:
        benchkit.drop_sqlite_folder()


def make_rooms(keeper, teacher, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    """Create the rooms through the services (not timed), kept by the teacher; their names."""
    from school_logistics.core import services

    return [
        services.create_document(
            "Location",
            {
                "location_name": f"教室{n:04d}",
                "purpose": "教室",
                "building": f"{n // 40 + 1}号楼",
                "custodian": teacher.username,
            },
            actor=keeper,
        ).name
        for n in range(count)
    ]


def postings(keeper, rooms: list[str], n: int) -> None:  # type: ignore[no-untyped-def]
    from school_logistics.core import services

    warmup = min(10, n // 10)
    cards: list[str] = []

    def register(k: int, counter: benchkit.QueryCounter) -> None:
        counter.enter("register")
        doc = services.create_document(
            "Asset",
            {
                "asset_name": f"多媒体一体机{k}",
                "category": "电教设备",
                "qty": "1",
                "uom": "台",
                "unit_price": "8600",
                "location": rooms[k % len(rooms)],
            },
            actor=keeper,
        )
        services.submit_document("Asset", doc.name, actor=keeper)
        cards.append(doc.name)

    def transfer(k: int, counter: benchkit.QueryCounter) -> None:
        counter.enter("transfer")
        doc = services.create_document(
            "Asset Movement",
            {
                "reason": f"调拨{k}",
                "target_location": rooms[(k + 1) % len(rooms)],
                "items": [{"asset": cards[k]}],
            },
            actor=keeper,
        )
        services.submit_document("Asset Movement", doc.name, actor=keeper)

    benchkit.emit(benchkit.run("asset_register", list(range(n + warmup)), warmup, register))
    benchkit.emit(benchkit.run("asset_transfer", list(range(n + warmup)), warmup, transfer))


def volume(keeper, teacher, rooms: list[str], count: int) -> None:  # type: ignore[no-untyped-def]
    """Add cards, bins and one registration row each in bulk, spread over the rooms."""
    from django.utils import timezone

    from school_logistics.core.models import Document
    from school_logistics.core.models.document import DocStatus
    from school_logistics.ledger.models import AssetBin, AssetLedgerEntry

    start = time.perf_counter()
    today = timezone.localdate()
    categories = ["家具", "电教设备", "教学仪器", "体育器材"]
    for first in range(0, count, 5000):
        names = [f"ZC-BULK-{n:06d}" for n in range(first, min(first + 5000, count))]
        cards = Document.objects.bulk_create(
            [
                Document(
                    doctype="Asset",
                    name=name,
                    docstatus=DocStatus.SUBMITTED,
                    school_id=keeper.school_id,
                    owner=keeper,
                    modified_by=keeper,
                    title=f"课桌椅{n}",
                    grand_total=Decimal("560.00"),
                    posting_date=today,
                    data={
                        "asset_name": f"课桌椅{n}",
                        "category": categories[n % 4],
                        "qty": "2.000",
                        "uom": "套",
                        "unit_price": "280.00",
                        "value": "560.00",
                        "location": rooms[n % len(rooms)],
                        "custodian": teacher.username,
                        "acquired_on": today.isoformat(),
                    },
                )
                for n, name in enumerate(names, start=first)
            ]
        )
        AssetBin.objects.bulk_create(
            [
                AssetBin(
                    school_id=keeper.school_id,
                    asset=c.name,
                    location=c.data["location"],
                    custodian=teacher.username,
                    qty=Decimal(2),
                    value=Decimal("560.00"),
                    last_posted=today,
                )
                for c in cards
            ]
        )
        AssetLedgerEntry.objects.bulk_create(
            [
                AssetLedgerEntry(
                    school_id=keeper.school_id,
                    asset=c.name,
                    location=c.data["location"],
                    custodian=teacher.username,
                    qty_change=Decimal(2),
                    value_change=Decimal("560.00"),
                    posting_date=today,
                    voucher=c,
                    created_by=keeper,
                )
                for c in cards
            ]
        )
    print(
        f"# {count} assets over {len(rooms)} rooms in {time.perf_counter() - start:.1f} s",
        file=sys.stderr,
    )


def pages(keeper, room: str, requests: int, count: int) -> None:  # type: ignore[no-untyped-def]
    from school_logistics.ledger.models import AssetBin

    busiest = AssetBin.objects.filter(location=room).order_by("asset").first().asset
    benchkit.time_pages(
        keeper,
        [
            ("asset_register_all", "/app/asset-register/"),
            ("asset_register_room", f"/app/asset-register/?location={room}"),
            ("asset_register_room_xlsx", f"/app/asset-register/export.xlsx?location={room}"),
            ("asset_history", f"/app/asset-register/{busiest}"),
        ],
        requests,
        {"assets": count},
    )


def check_books() -> None:
    """Every bin is the sum of its rows and not negative; its place is its last arrival's."""
    from django.db.models import Sum

    from school_logistics.ledger.models import AssetBin, AssetLedgerEntry

    sums = {
        r["asset"]: (r["q"], r["v"])
        for r in AssetLedgerEntry.objects.values("asset").annotate(
            q=Sum("qty_change"), v=Sum("value_change")
        )
    }
    arrivals = {
        e.asset: e.location
        for e in AssetLedgerEntry.objects.filter(qty_change__gt=0).order_by("id")
    }
    for b in AssetBin.objects.all():
        assert sums.get(b.asset, (0, 0)) == (b.qty, b.value), (b.asset, sums.get(b.asset))
        assert b.qty >= 0 and b.value >= 0, b.asset
        assert arrivals[b.asset] == b.location, (b.asset, arrivals[b.asset], b.location)
    print(f"# books checked: {len(sums)} assets balance", file=sys.stderr)


if __name__ == "__main__":
    main()
