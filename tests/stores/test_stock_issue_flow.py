"""领物单 on its flow: the department head approves, the storekeeper issues (发放) from stock."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus
from school_logistics.core.services import DocumentStateError
from school_logistics.core.validation import DocumentValidationError
from school_logistics.ledger.models import StockBin, StockLedgerEntry
from school_logistics.workflow import actions
from school_logistics.workflow.models import ApprovalLog
from tests.stores.factories import make_items
from tests.stores.test_stock_ledger import issue_draft, receive
from tests.workflow.conftest import pending

pytestmark = [pytest.mark.workflows, pytest.mark.usefixtures("heads")]
ISSUE = "Stock Issue"


@pytest.fixture
def stocked(users) -> None:
    make_items(users["purchaser"])
    services.save_document("Item", "DESK-1", {"is_consumable": 0}, actor=users["purchaser"])
    receive(users["storekeeper"], [("A4-70", "50", "23.50"), ("DESK-1", "2", "280")])


def sent(users, rows) -> Document:
    doc = issue_draft(users["teacher"], rows)
    actions.start_approval(ISSUE, doc.name, actor=users["teacher"])
    actions.approve(pending(doc, users["head"]).pk, actor=users["head"])
    return doc


def test_goods_leave_the_store_when_the_storekeeper_issues_them(users, stocked):
    doc = sent(users, [("A4-70", "20")])
    assert StockBin.objects.get(item="A4-70").qty == Decimal("50")  # approved, not issued yet
    actions.approve(pending(doc, users["storekeeper"]).pk, actor=users["storekeeper"])
    doc.refresh_from_db()
    assert (doc.docstatus, doc.workflow_state) == (DocStatus.SUBMITTED, "已发放")
    assert StockBin.objects.get(item="A4-70").qty == Decimal("30")
    entry = StockLedgerEntry.objects.get(voucher=doc)
    assert entry.created_by == users["storekeeper"]
    assert ApprovalLog.objects.filter(document=doc, action="approve").count() == 2


def test_an_issue_beyond_the_stock_waits_at_the_store_unchanged(users, stocked):
    doc = sent(users, [("A4-70", "80")])
    task = pending(doc, users["storekeeper"])
    with pytest.raises(Exception, match="库存不足：A4复印纸 需 80包，库存仅 50包"):
        actions.approve(task.pk, actor=users["storekeeper"])
    doc.refresh_from_db()
    assert (doc.docstatus, doc.workflow_state) == (DocStatus.DRAFT, "仓库发放")
    assert pending(doc, users["storekeeper"]).pk == task.pk
    assert not StockLedgerEntry.objects.filter(voucher=doc).exists()


def test_an_issue_the_store_cannot_cover_comes_back_to_its_page_with_why(client, users, stocked):
    """发放 pressed on the 领物单's page, beyond the stock: the storekeeper sees the page with
    what they typed and what is short, and the address bar is set back to the page (a refresh
    then reloads it, posting nothing)."""
    doc = sent(users, [("A4-70", "80")])
    task = pending(doc, users["storekeeper"])
    client.force_login(users["storekeeper"])
    row = doc.data["items"][0]
    posted = {"items-present": "1", "items-0-name": row["name"], "items-0-qty": "80"}
    refused = client.post(f"/app/approvals/task/{task.pk}/approve", posted)
    page = refused.content.decode()
    assert refused.status_code == 400 and "库存不足：A4复印纸 需 80包，库存仅 50包" in page
    assert f'data-page-url="/app/stock-issue/{doc.name}"' in page
    doc.refresh_from_db()
    assert (doc.docstatus, doc.workflow_state) == (DocStatus.DRAFT, "仓库发放")
    assert StockBin.objects.get(item="A4-70").qty == Decimal("50")


def test_the_storekeeper_ticks_the_old_one_returned_and_issues_on_one_press(client, users, stocked):
    doc = sent(users, [("DESK-1", "1")])
    task = pending(doc, users["storekeeper"])
    client.force_login(users["storekeeper"])
    row = doc.data["items"][0]
    url = f"/app/approvals/task/{task.pk}/approve"
    base = {"items-present": "1", "items-0-name": row["name"]}  # the open cells only
    refused = client.post(url, {**base, "items-0-qty": "1", "comment": "旧桌已收"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "须先交回旧物并勾选“已交旧”" in page
    # The row still shows what it issues, though only its open cells came back.
    assert re.search(r'data-field="item">\s*<span class="cell-value">DESK-1</span>', page)
    assert StockBin.objects.get(item="DESK-1").qty == Decimal("2")
    issued = client.post(url, {**base, "items-0-qty": "1", "items-0-old_returned": "on"})
    assert issued.status_code == 302
    doc.refresh_from_db()
    assert doc.workflow_state == "已发放"
    assert doc.data["items"][0]["old_returned"] == 1
    assert StockBin.objects.get(item="DESK-1").qty == Decimal("1")


def test_the_store_page_of_an_issue_shows_what_is_short(client, users, stocked):
    doc = sent(users, [("A4-70", "80"), ("DESK-1", "1")])
    client.force_login(users["storekeeper"])
    page = client.get(f"/app/stock-issue/{doc.name}").content.decode()
    assert "当前库存" in page and "有物资库存不足" in page
    client.force_login(users["teacher"])  # the requester does not read the store's books
    assert "当前库存" not in client.get(f"/app/stock-issue/{doc.name}").content.decode()


def test_a_stocktake_is_posted_once_the_logistics_director_approves(users, departments, stocked):
    office = departments["总务处"]
    office.head = users["admin"]  # stands in for 总务处主任
    office.save()
    keeper = users["storekeeper"]
    doc = services.create_document(
        "Stock Reconciliation",
        {"title": "期末盘点", "items": [{"item": "A4-70", "counted_qty": "47"}]},
        actor=keeper,
    )
    actions.start_approval("Stock Reconciliation", doc.name, actor=keeper)
    assert StockBin.objects.get(item="A4-70").qty == Decimal("50")  # not before approval
    actions.approve(pending(doc, users["admin"]).pk, actor=users["admin"])
    doc.refresh_from_db()
    assert (doc.docstatus, doc.workflow_state) == (DocStatus.SUBMITTED, "已入账")
    assert StockBin.objects.get(item="A4-70").qty == Decimal("47")


def test_the_storekeeper_issues_less_when_short_never_more_nor_other_goods(client, users, stocked):
    """At 仓库发放 only 数量 (lowered) and 已交旧 are open: what the head approved stands."""
    doc = sent(users, [("A4-70", "20")])
    keeper = users["storekeeper"]
    client.force_login(keeper)
    page = client.get(f"/app/stock-issue/{doc.name}").content.decode()
    assert ' name="items-0-qty"' in page and ' name="items-0-old_returned"' in page
    assert ' name="items-0-short_reason"' in page
    assert ' name="items-0-item"' not in page and "grid-add" not in page
    row = doc.data["items"][0]
    with pytest.raises(DocumentValidationError, match="只能核减数量，不能超过申领的 20"):
        services.save_document(ISSUE, doc.name, {"items": [{**row, "qty": "25"}]}, actor=keeper)
    with pytest.raises(DocumentStateError, match="领用明细第 1 行的物资"):
        services.save_document(
            ISSUE, doc.name, {"items": [{**row, "item": "LAMP-T8"}]}, actor=keeper
        )
    with pytest.raises(DocumentStateError, match="领用明细的行（不能增删）"):
        services.save_document(
            ISSUE, doc.name, {"items": [row, {"item": "LAMP-T8", "qty": "1"}]}, actor=keeper
        )
    services.save_document(
        ISSUE, doc.name, {"items": [{**row, "qty": "15", "short_reason": "库存不足"}]}, actor=keeper
    )
    actions.approve(pending(doc, keeper).pk, actor=keeper)
    assert StockBin.objects.get(item="A4-70").qty == Decimal("35")


def test_issuing_less_than_approved_needs_a_reason_the_requester_then_reads(client, users, stocked):
    doc = sent(users, [("A4-70", "20"), ("DESK-1", "1")])
    keeper = users["storekeeper"]
    paper, desk = doc.data["items"]
    desk = {**desk, "old_returned": 1}
    with pytest.raises(DocumentValidationError) as refused:
        services.save_document(
            ISSUE, doc.name, {"items": [{**paper, "qty": "15"}, desk]}, actor=keeper
        )
    assert refused.value.errors == {
        "items.1.short_reason": ["领用明细第 1 行：申领 20，实发 15，请填写少发原因"]
    }
    doc.refresh_from_db()
    assert doc.data["items"][0]["qty"] == "20.000"  # nothing changed
    # Back up to what was approved is fine (a lowered row is not stuck), past it is not.
    short = {**paper, "qty": "15", "short_reason": "库存只剩 15 包，到货后另领"}
    services.save_document(ISSUE, doc.name, {"items": [short, desk]}, actor=keeper)
    with pytest.raises(DocumentValidationError, match="不能超过申领的 20"):
        services.save_document(
            ISSUE, doc.name, {"items": [{**short, "qty": "21"}, desk]}, actor=keeper
        )
    actions.approve(pending(doc, keeper).pk, actor=keeper)
    doc.refresh_from_db()
    assert doc.workflow_state == "已发放"
    assert StockBin.objects.get(item="A4-70").qty == Decimal("35")
    rows = [
        (r["qty"], r["requested_qty"], r["short_qty"], r.get("short_reason"))
        for r in doc.data["items"]
    ]
    assert rows == [
        ("15.000", "20.000", "5.000", "库存只剩 15 包，到货后另领"),
        ("1.000", "1.000", None, None),
    ]
    # The requester reads the shortfall and its reason on the form and on the printed slip.
    client.force_login(users["teacher"])
    page = client.get(f"/app/stock-issue/{doc.name}").content.decode()
    assert "少发数量" in page and "少发原因" in page
    assert "库存只剩 15 包，到货后另领" in page
    assert re.search(r'data-field="short_qty">\s*<span class="cell-value num">5</span>', page)
    slip = client.get(f"/app/stock-issue/{doc.name}/print").content.decode()
    assert "少发数量" in slip and "库存只剩 15 包，到货后另领" in slip


def test_the_storekeeper_issues_short_with_its_reason_on_one_press(client, users, stocked):
    doc = sent(users, [("A4-70", "20")])
    task = pending(doc, users["storekeeper"])
    client.force_login(users["storekeeper"])
    row = doc.data["items"][0]
    url = f"/app/approvals/task/{task.pk}/approve"
    base = {"items-present": "1", "items-0-name": row["name"], "items-0-qty": "12"}
    refused = client.post(url, base)
    assert refused.status_code == 400
    assert "请填写少发原因" in refused.content.decode()
    assert StockBin.objects.get(item="A4-70").qty == Decimal("50")
    issued = client.post(url, {**base, "items-0-short_reason": "其余下周到货"})
    assert issued.status_code == 302
    doc.refresh_from_db()
    assert doc.workflow_state == "已发放"
    assert (doc.data["items"][0]["short_qty"], doc.data["items"][0]["short_reason"]) == (
        "8.000",
        "其余下周到货",
    )
    assert StockBin.objects.get(item="A4-70").qty == Decimal("38")


def test_the_requester_neither_fills_a_reason_nor_carries_a_shortfall_into_an_amendment(
    client, users, stocked
):
    with pytest.raises(DocumentValidationError) as refused:
        issue_draft(users["teacher"], [("A4-70", "3")], short_reason="不需要")
    assert refused.value.errors == {
        "items.1.short_reason": ["领用明细第 1 行：少发原因在审批到相应步骤时填写"]
    }
    doc = sent(users, [("A4-70", "20")])
    keeper = users["storekeeper"]
    row = {**doc.data["items"][0], "qty": "15", "short_reason": "库存不足"}
    services.save_document(ISSUE, doc.name, {"items": [row]}, actor=keeper)
    actions.approve(pending(doc, keeper).pk, actor=keeper)
    services.cancel_document(ISSUE, doc.name, actor=keeper)
    again = services.amend_document(ISSUE, doc.name, actor=users["teacher"])
    [amended] = again.data["items"]
    assert amended["qty"] == "15.000"
    assert not amended.get("short_qty") and not amended.get("short_reason")
    services.save_document(
        ISSUE, again.name, {"items": [{**amended, "qty": "16"}]}, actor=users["teacher"]
    )
    again.refresh_from_db()
    [amended] = again.data["items"]
    assert (amended["requested_qty"], amended["short_qty"]) == ("16.000", None)


def test_已交旧_is_the_storekeepers_to_tick_not_the_requesters(client, users, stocked):
    """The requester neither sees nor ticks it; an amendment does not copy the old tick."""
    client.force_login(users["teacher"])
    page = client.get("/app/stock-issue/new").content.decode()
    assert "items-0-qty" in page and "old_returned" not in page
    assert "short_reason" not in page  # nor the reason a storekeeper gives for issuing less
    with pytest.raises(DocumentValidationError) as refused:
        issue_draft(users["teacher"], [("DESK-1", "1")], old_returned=1)
    assert refused.value.errors == {
        "items.1.old_returned": ["领用明细第 1 行：已交旧在审批到相应步骤时填写"]
    }
    doc = sent(users, [("DESK-1", "1")])
    keeper = users["storekeeper"]
    row = {**doc.data["items"][0], "old_returned": 1}
    services.save_document(ISSUE, doc.name, {"items": [row]}, actor=keeper)
    actions.approve(pending(doc, keeper).pk, actor=keeper)
    services.cancel_document(ISSUE, doc.name, actor=keeper)
    again = services.amend_document(ISSUE, doc.name, actor=users["teacher"])
    assert again.data["items"][0]["item"] == "DESK-1"
    assert not again.data["items"][0].get("old_returned")
    page = client.get(f"/app/stock-issue/{again.name}").content.decode()
    assert "old_returned" not in page
