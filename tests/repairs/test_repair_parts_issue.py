"""A repair's parts and the store: parts drawn on a 领物单 that names the ticket leave the
store's books when the storekeeper issues them, and the ticket shows which parts did."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.core.validation import DocumentValidationError
from school_logistics.ledger.models import StockBin, StockLedgerEntry
from school_logistics.stores.services import repair_parts
from tests.repairs.test_repair_ticket import iso, submitted
from tests.stores.test_stock_ledger import receive

DT = "Repair Ticket"
ISSUE = "Stock Issue"


@pytest.fixture
def stocked(users, items) -> None:
    receive(users["storekeeper"], [("LAMP-T8", "20", "16"), ("TAP-15", "5", "38")])


def record_parts(users, ticket: Document, parts: list[tuple[str, str]]) -> None:
    """The worker records the repair (the school runs without the flow: after submission)."""
    services.save_document(
        DT,
        ticket.name,
        {
            "assigned_to": "worker",
            "completed_on": iso(timezone.now() - dt.timedelta(hours=1)),
            "parts": [{"item": i, "qty": q} for i, q in parts],
        },
        actor=users["worker"],
    )


def draw(users, ticket: str, rows: list[tuple[str, str]], *, issue: bool = True) -> Document:
    """The worker asks for parts on a 领物单 naming the ticket; the storekeeper issues them."""
    doc = services.create_document(
        ISSUE,
        {
            "purpose": "302 教室换灯管",
            "repair_ticket": ticket,
            "items": [{"item": i, "qty": q} for i, q in rows],
        },
        actor=users["worker"],
    )
    if issue:
        services.submit_document(ISSUE, doc.name, actor=users["storekeeper"])
    return doc


def statuses(ticket: Document) -> dict[str, tuple[Decimal, Decimal, str]]:
    fresh = Document.objects.get(pk=ticket.pk)
    return {p.item: (p.used, p.issued, p.status) for p in repair_parts(fresh)}


def test_parts_drawn_on_a_stock_issue_for_the_ticket_leave_the_store(
    client, users, classroom, stocked
):
    ticket = submitted(users, classroom)
    record_parts(users, ticket, [("LAMP-T8", "2"), ("TAP-15", "1")])
    lamps = draw(users, ticket.name, [("LAMP-T8", "2")])
    draw(users, ticket.name, [("TAP-15", "1")], issue=False)  # still with the storekeeper
    assert StockBin.objects.get(item="LAMP-T8").qty == Decimal("18")
    entry = StockLedgerEntry.objects.get(voucher=lamps)
    assert (entry.qty_change, entry.value_change) == (Decimal("-2"), Decimal("-32.00"))
    assert StockBin.objects.get(item="TAP-15").qty == Decimal("5")
    assert statuses(ticket) == {
        "LAMP-T8": (Decimal("2"), Decimal("2"), "issued"),
        "TAP-15": (Decimal("1"), Decimal("0"), "pending"),
    }
    # The reporter reads on the ticket which parts came from the store; the worker, who filed
    # the 领物单, can open them from there.
    client.force_login(users["teacher"])
    page = client.get(f"/app/repair-ticket/{ticket.name}").content.decode()
    assert "维修用料领料情况" in page and "已从仓库领出" in page and "领物单审批中" in page
    assert lamps.name in page and f'href="/app/stock-issue/{lamps.name}"' not in page
    client.force_login(users["worker"])
    page = client.get(f"/app/repair-ticket/{ticket.name}").content.decode()
    assert f'href="/app/stock-issue/{lamps.name}"' in page
    assert re.search(r'data-item="LAMP-T8" data-status="issued"', page)


def test_parts_not_drawn_part_drawn_or_drawn_and_not_recorded_say_so(users, classroom, stocked):
    ticket = submitted(users, classroom)
    record_parts(users, ticket, [("LAMP-T8", "3"), ("TAP-15", "1")])
    assert statuses(ticket) == {
        "LAMP-T8": (Decimal("3"), Decimal("0"), "none"),  # bought outside, or not drawn yet
        "TAP-15": (Decimal("1"), Decimal("0"), "none"),
    }
    draw(users, ticket.name, [("LAMP-T8", "2"), ("A4-70", "1")], issue=False)
    receive(users["storekeeper"], [("A4-70", "5", "23.50")])
    pending = Document.objects.get(doctype=ISSUE)
    services.submit_document(ISSUE, pending.name, actor=users["storekeeper"])
    assert statuses(ticket) == {
        "LAMP-T8": (Decimal("3"), Decimal("2"), "partly"),
        "TAP-15": (Decimal("1"), Decimal("0"), "none"),
        "A4-70": (Decimal("0"), Decimal("1"), "unused"),
    }


def test_a_cancelled_stock_issue_puts_the_parts_back_and_off_the_ticket(users, classroom, stocked):
    ticket = submitted(users, classroom)
    record_parts(users, ticket, [("LAMP-T8", "2")])
    lamps = draw(users, ticket.name, [("LAMP-T8", "2")])
    services.cancel_document(ISSUE, lamps.name, actor=users["storekeeper"])
    assert StockBin.objects.get(item="LAMP-T8").qty == Decimal("20")
    assert statuses(ticket) == {"LAMP-T8": (Decimal("2"), Decimal("0"), "none")}


def test_a_stock_issue_names_only_a_ticket_the_school_has(users, classroom, stocked):
    with pytest.raises(DocumentValidationError) as refused:
        draw(users, "REP-2026-9999", [("LAMP-T8", "1")], issue=False)
    assert list(refused.value.errors) == ["repair_ticket"]
    assert not Document.objects.filter(doctype=ISSUE).exists()


def test_a_ticket_without_parts_or_stock_issues_shows_no_panel(client, users, classroom, items):
    ticket = submitted(users, classroom)
    client.force_login(users["teacher"])
    page = client.get(f"/app/repair-ticket/{ticket.name}").content.decode()
    assert "维修用料领料情况" not in page
