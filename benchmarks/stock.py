"""The store's books: postings through the services, and the stock pages at volume.

1. `stock_receipt` / `stock_issue`: N 入库单 (5 rows) and N 领物单 (3 rows), each created and
   submitted through the services (validation, posting, version rows), timed per document;
   one JSON line each, in the shape of the route benchmark's.
2. Volume: ledger rows added in bulk (`--movements`, spread over `--items` items, running
   balances kept exact), then 库存台账 (every item) and the busiest item's movements page
   requested through Django's test client: p50/p95 and statements per request.
After each part the books are checked: every bin equals the sum of its ledger rows, and no
balance is below zero.

Run: .venv/bin/python benchmarks/stock.py [--db sqlite|postgres] [--n 200] [--items 2000]
     [--movements 100000] [--requests 30]
"""

from __future__ import annotations

import argparse
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchkit  # noqa: E402

ROWS_IN, ROWS_OUT = 5, 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--n", type=int, default=200, help="receipts, and issues, to post")
    parser.add_argument("--items", type=int, default=2000, help="items in the catalogue")
    parser.add_argument("--movements", type=int, default=100_000, help="ledger rows at volume")
    parser.add_argument("--requests", type=int, default=30, help="requests per page")
    args = parser.parse_args()

    benchkit.configure(args.db)
    benchkit.setup_django()
    benchkit.fresh_database()
    try:
        keeper, teacher = benchkit.school_people()
        codes = catalogue(keeper, args.items)
        postings(keeper, teacher, codes, args.n)
        check_books()
        volume(keeper, codes, args.movements)
        check_books()
        pages(keeper, codes[0], args.requests, args.movements)
    finally:
        benchkit.drop_sqlite_folder()


def catalogue(keeper, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    """Create the items through the services (not timed); return their codes."""
    from school_logistics.core import services

    codes = [f"IT-{n:05d}" for n in range(count)]
    for n, code in enumerate(codes):
        services.create_document(
            "Item",
            {
                "item_code": code,
                "item_name": f"物资{n}",
                "category": ["办公用品", "清洁用品", "水电材料", "教学用品"][n % 4],
                "uom": "个",
                "reference_price": "10",
            },
            actor=keeper,
        )
    return codes


def postings(keeper, teacher, codes: list[str], n: int) -> None:  # type: ignore[no-untyped-def]
    from school_logistics.core import services
    from school_logistics.core.models import Document
    from school_logistics.workflow import actions
    from school_logistics.workflow.models import ApprovalTask, TaskStatus

    warmup = min(10, n // 10)

    def receive(k: int, counter: benchkit.QueryCounter) -> None:
        rows = [
            {"item": codes[(k * ROWS_IN + r) % 50], "qty": "20", "rate": str(10 + r)}
            for r in range(ROWS_IN)
        ]
        counter.enter("receipt")
        doc = services.create_document(
            "Stock Receipt", {"title": f"入库{k}", "items": rows}, actor=keeper
        )
        services.submit_document("Stock Receipt", doc.name, actor=keeper)

    def issue(k: int, counter: benchkit.QueryCounter) -> None:
        """A teacher asks and sends it, the head approves, the storekeeper issues (发放)."""
        rows = [{"item": codes[(k * ROWS_OUT + r) % 50], "qty": "3"} for r in range(ROWS_OUT)]
        counter.enter("issue")
        doc = actions.create_and_start(
            "Stock Issue", {"purpose": f"领用{k}", "items": rows}, actor=teacher
        ).document
        for _step in range(2):
            counter.enter("harness")  # the approver's inbox hands them the task
            task = ApprovalTask.objects.get(document=doc, status=TaskStatus.PENDING)
            counter.enter("issue")
            actions.approve(task.pk, actor=task.assignee)
        counter.enter("harness")
        assert Document.objects.get(pk=doc.pk).docstatus == 1

    benchkit.emit(benchkit.run("stock_receipt", list(range(n + warmup)), warmup, receive))
    benchkit.emit(
        benchkit.run(
            "stock_issue", list(range(n + warmup)), warmup, issue, exclude_phases=("harness",)
        )
    )


def volume(keeper, codes: list[str], movements: int) -> None:  # type: ignore[no-untyped-def]
    """Add ledger rows in bulk, a tenth of them on the first item (the busiest page)."""
    from school_logistics.core.models import Document
    from school_logistics.ledger.models import StockBin, StockLedgerEntry

    start = time.perf_counter()
    voucher = Document.objects.filter(doctype="Stock Receipt", docstatus=1).first()
    bins = {b.item: b for b in StockBin.objects.all()}
    today = voucher.posting_date
    batch = []
    for k in range(movements):
        item = codes[0] if k % 10 == 0 else codes[k % len(codes)]
        b = bins.get(item) or StockBin(school_id=keeper.school_id, item=item)
        bins[item] = b
        qty, value = Decimal(2), Decimal("20.00")
        b.qty += qty
        b.value += value
        batch.append(
            StockLedgerEntry(
                school_id=keeper.school_id,
                item=item,
                posting_date=today,
                voucher=voucher,
                qty_change=qty,
                value_change=value,
                balance_qty=b.qty,
                balance_value=b.value,
                created_by=keeper,
            )
        )
        if len(batch) == 5000:
            StockLedgerEntry.objects.bulk_create(batch)
            batch = []
    StockLedgerEntry.objects.bulk_create(batch)
    for b in bins.values():
        b.last_posted = today
        b.save()
    print(
        f"# {movements} ledger rows over {len(codes)} items in {time.perf_counter() - start:.1f} s",
        file=sys.stderr,
    )


def pages(keeper, busiest: str, requests: int, movements: int) -> None:  # type: ignore[no-untyped-def]
    benchkit.time_pages(
        keeper,
        [
            ("stock_page_all_items", "/app/stock/?show=all"),
            ("stock_item_movements", f"/app/stock/{busiest}"),
        ],
        requests,
        {"ledger_rows": movements},
    )


def check_books() -> None:
    """Every bin is the sum of its rows, and nothing is below zero."""
    from django.db.models import Sum

    from school_logistics.ledger.models import StockBin, StockLedgerEntry

    sums = {
        r["item"]: (r["q"], r["v"])
        for r in StockLedgerEntry.objects.values("item").annotate(
            q=Sum("qty_change"), v=Sum("value_change")
        )
    }
    for b in StockBin.objects.all():
        assert sums.get(b.item, (0, 0)) == (b.qty, b.value), (b.item, sums.get(b.item), b.qty)
        assert b.qty >= 0 and b.value >= 0, b.item
    print(f"# books checked: {len(sums)} items balance", file=sys.stderr)


if __name__ == "__main__":
    main()
