"""采购限额标准: a requisition from the quotes amount is received only after a decided tender
bought it; a tender from the public tender amount must be a 公开招标; the requisition's page
says so and starts the 询价."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import DocumentValidationError
from school_logistics.workflow import actions
from tests.purchasing.conftest import make_requisition
from tests.purchasing.test_tender import tender_values
from tests.query_counts import page_statements
from tests.workflow.conftest import pending, send_and_approve

THRESHOLD = "Procurement Threshold"
RECEIPT = "Stock Receipt"


def standard(users, inquiry: str = "10000", tender: str = "200000", *, days_ago: int = 30):
    doc = services.create_document(
        THRESHOLD,
        {"title": "学校采购限额标准", "inquiry_from": inquiry, "tender_from": tender,
         "effective_from": timezone.localdate() - dt.timedelta(days=days_ago),
         "basis": "学校采购管理办法"},
        actor=users["purchaser"],
    )  # fmt: skip
    send_and_approve(doc, users["purchaser"])  # submitted at once where no flow governs it
    return doc


def receive(users, requisition: str, qty: str = "500"):
    return services.create_document(
        RECEIPT,
        {"title": "复印纸到货", "requisition": requisition,
         "items": [{"item": "A4-70", "qty": qty, "rate": "23.5"}]},
        actor=users["storekeeper"],
    )  # fmt: skip


def refused(call, key: str, text: str) -> None:
    with pytest.raises(DocumentValidationError) as exc:
        call()
    assert any(text in m for m in exc.value.errors[key]), exc.value.errors


def test_a_standard_needs_the_public_tender_amount_above_the_quotes_amount(users):
    refused(lambda: standard(users, "10000", "10000"), "tender_from", "应高于询价限额")
    standard(users)
    refused(lambda: standard(users), "effective_from", "已有")


def test_a_big_requisition_is_received_only_after_its_quotes_are_decided(
    client, users, items, suppliers
):
    standard(users)
    big = make_requisition(users["teacher"], qty="500")  # 11,750.00
    refused(lambda: receive(users, big), "requisition", "达到询价限额 ¥10,000.00")
    assert not Document.objects.filter(doctype=RECEIPT).exists()
    client.force_login(users["purchaser"])
    page = client.get(f"/app/material-requisition/{big}").content.decode()
    assert 'id="requisition-procurement"' in page and "须询价" in page
    assert 'id="receive-hold"' in page and 'id="btn-receive"' not in page  # no 生成入库单 yet
    response = client.post(f"/app/procure/{big}")
    tender = Document.objects.get(doctype="Tender")
    assert response["Location"].endswith(tender.name)
    assert tender.data["method"] == "询价"
    assert [r["requisition"] for r in tender.data["requisitions"]] == [big]
    assert (
        'id="btn-start-tender"'
        not in client.get(f"/app/material-requisition/{big}").content.decode()
    )
    client.post(f"/app/procure/{big}")  # a second 询价 of it is refused
    assert Document.objects.filter(doctype="Tender").count() == 1
    refused(lambda: receive(users, big), "requisition", "须经询价或招标定标后")  # not decided yet
    values = tender_values(suppliers)
    for bid, price in zip(values["bids"], ["11750", "11800", "11900"], strict=True):
        bid["price"] = price
    services.save_document("Tender", tender.name, {k: values[k] for k in
                           ("opening_date", "suppliers", "bids", "awarded_supplier")},
                           actor=users["purchaser"])  # fmt: skip
    services.submit_document("Tender", tender.name, actor=users["purchaser"])
    assert receive(users, big).docstatus == DocStatus.DRAFT
    client.force_login(users["storekeeper"])
    page = client.get(f"/app/material-requisition/{big}").content.decode()
    assert 'id="btn-receive"' in page and 'id="receive-hold"' not in page
    client.force_login(users["teacher"])  # the requester sees the rule, and no button
    page = client.get(f"/app/material-requisition/{big}").content.decode()
    assert "已定标" in page and 'id="btn-start-tender"' not in page


def test_small_requisitions_and_schools_without_a_standard_are_free(users, items):
    small = make_requisition(users["teacher"])  # 235.00
    big = make_requisition(users["teacher"], qty="500")
    receive(users, big)  # no standard yet
    standard(users)
    receive(users, small, qty="10")
    standard(users, "100", "200000", days_ago=-10)  # takes effect in ten days: not yet
    receive(users, small, qty="10")


def test_a_tender_from_the_public_tender_amount_must_be_public(users, items, suppliers):
    standard(users, "1000", "5000")
    big = make_requisition(users["teacher"], qty="500")
    values = tender_values(suppliers, requisitions=[{"requisition": big}])
    refused(lambda: services.create_document("Tender", values, actor=users["purchaser"]),
            "method", "须公开招标")  # fmt: skip
    public = services.create_document("Tender", {**values, "method": "公开招标"},
                                      actor=users["purchaser"])  # fmt: skip
    assert public.data["method"] == "公开招标"


def test_a_purchase_split_below_the_quotes_amount_is_flagged_and_bought_together(
    client, users, items
):
    """化整为零: a department's requisitions of one kind of goods within 30 days are judged
    together; purchasing starts one 询价 of the approved ones."""
    standard(users, "5000", "200000")
    first = make_requisition(users["teacher"], qty="100")  # 2,350.00 of 办公用品
    second = make_requisition(users["colleague"], qty="100")  # same department
    make_requisition(users["purchaser"], qty="100")  # 总务处: another department
    lamps = services.create_document(
        "Material Requisition",
        {"purpose": "更换灯管", "items": [{"item": "LAMP-T8", "qty": "200", "rate": "16"}]},
        actor=users["teacher"],
    )  # 3,200.00 of 水电材料: another kind
    services.submit_document("Material Requisition", lamps.name, actor=users["teacher"])
    client.force_login(users["purchaser"])
    url = f"/app/material-requisition/{second}"
    assert 'id="requisition-split"' not in client.get(url).content.decode()  # 4,700.00

    big = make_requisition(users["teacher"], qty="300")  # 7,050.00: bought by its own 询价
    assert 'id="requisition-split"' not in client.get(url).content.decode()
    third = make_requisition(users["teacher"], qty="100", submit=False)
    assert 'id="requisition-split"' not in client.get(url).content.decode()  # a plain draft
    services.submit_document("Material Requisition", third, actor=users["teacher"])
    page = client.get(url).content.decode()
    assert 'id="requisition-split"' in page and "合计 ¥7,050.00" in page
    assert first in page and third in page and lamps.name not in page and big not in page

    client.post(f"/app/procure/{second}/merged")
    tender = Document.objects.get(doctype="Tender")
    assert sorted(r["requisition"] for r in tender.data["requisitions"]) == sorted(
        [first, second, third]
    )
    assert tender.data["method"] == "询价" and "等3项合并" in tender.data["subject"]
    # Bought together now: no longer flagged, and not merged twice.
    assert 'id="requisition-split"' not in client.get(url).content.decode()
    client.post(f"/app/procure/{first}/merged")
    assert Document.objects.filter(doctype="Tender").count() == 1


@pytest.mark.workflows
@pytest.mark.usefixtures("heads")
def test_the_approvers_inbox_marks_a_split_purchase_to_decide_on_its_page(client, users, items):
    standard(users, "5000", "200000")
    client.force_login(users["purchaser"])

    def at_general_affairs(qty: str) -> str:
        name = make_requisition(users["teacher"], qty=qty, submit=False)
        actions.start_approval("Material Requisition", name, actor=users["teacher"])
        doc = Document.objects.get(doctype="Material Requisition", name=name)
        actions.approve(pending(doc, users["head"]).pk, actor=users["head"])
        return name

    at_general_affairs("100")  # 2,350.00
    page = client.get("/app/approvals/").content.decode()
    assert "疑似拆分采购" not in page
    at_general_affairs("120")  # 2,820.00: 5,170.00 together
    page = client.get("/app/approvals/").content.decode()
    assert page.count("疑似拆分采购：本部门同类申购合计 ¥5,170.00") == 2
    # Not in the batch: read the page first. With nothing else waiting, no tick box at all.
    assert 'name="task"' not in page and 'id="btn-batch-approve"' not in page
    before = page_statements(client, "/app/approvals/")
    at_general_affairs("50")
    at_general_affairs("60")
    assert page_statements(client, "/app/approvals/") == before
