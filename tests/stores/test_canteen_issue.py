"""食堂领用: food and supplies the kitchen draws from the store are the canteen's costs (独立核算)
at what they left the store for, in the month they were issued; other goods are not."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.core.validation import DocumentValidationError
from school_logistics.ledger.canteen import accounts
from school_logistics.ledger.models import CanteenExpenseEntry
from tests.stores.factories import make_items
from tests.stores.test_stock_ledger import receive

ISSUE = "Stock Issue"


@pytest.fixture
def rice(users) -> None:
    make_items(users["purchaser"])
    services.create_document(
        "Item",
        {"item_code": "ST-RICE", "item_name": "大米", "category": "食堂物资", "uom": "袋",
         "reference_price": "145"},
        actor=users["purchaser"],
    )  # fmt: skip
    # Two deliveries at different prices: the kitchen's rice leaves at the average, 147.50.
    receive(users["storekeeper"], [("ST-RICE", "10", "145")])
    receive(users["storekeeper"], [("ST-RICE", "10", "150")])


def issued(users, rows: list[tuple[str, str]], **values) -> Document:
    doc = services.create_document(
        ISSUE,
        {"purpose": "食堂本周用米", "items": [{"item": i, "qty": q} for i, q in rows], **values},
        actor=users["canteen"],
    )
    return services.submit_document(ISSUE, doc.name, actor=users["storekeeper"])


def test_the_kitchens_rice_is_the_canteens_cost_at_the_stores_average(users, rice):
    doc = issued(users, [("ST-RICE", "4")], canteen_cost="食材")
    (entry,) = CanteenExpenseEntry.objects.filter(voucher=doc)
    month = timezone.localdate().strftime("%Y-%m")
    assert (entry.month, entry.category, entry.amount) == (month, "食材", Decimal("590.00"))
    assert entry.description == "大米 4袋"
    (this_month,) = accounts(users["canteen"].school_id)
    assert this_month.costs == {"食材": Decimal("590.00")}
    services.cancel_document(ISSUE, doc.name, actor=users["storekeeper"])
    assert all(m.cost == 0 for m in accounts(users["canteen"].school_id))


def test_an_issue_not_for_the_canteen_costs_it_nothing(users, rice):
    issued(users, [("ST-RICE", "1")])
    assert not CanteenExpenseEntry.objects.exists()


def test_only_canteen_goods_go_on_the_canteens_books(users, rice):
    with pytest.raises(DocumentValidationError) as exc:
        issued(users, [("ST-RICE", "1"), ("A4-70", "1")], canteen_cost="低值易耗品")
    assert "A4复印纸 不是食堂物资" in exc.value.errors["items.2.item"][0]
    assert not Document.objects.filter(doctype=ISSUE).exists()
