"""采购合同: signed with the supplier a tender chose, and binding on what is received against
it — that supplier, within its term, at no more than the agreed prices, up to its amount."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.attachments import upload_attachment
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import DocumentValidationError
from school_logistics.workflow import actions
from school_logistics.workflow.models import ApprovalTask, TaskStatus
from tests.concurrency import submit_at_once
from tests.conftest import make_user
from tests.purchasing.test_tender import tender_values
from tests.stores.factories import make_supplier
from tests.workflow.conftest import send_and_approve

CONTRACT = "Purchase Contract"
RECEIPT = "Stock Receipt"


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path


def scan(users) -> str:
    """The signed contract, uploaded: its URL, for one contract to claim."""
    upload = SimpleUploadedFile("合同.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    found = upload_attachment(upload, actor=users["purchaser"])
    return f"/files/{found.token}/{found.filename}"


@pytest.fixture
def tender(users, suppliers) -> Document:
    """A 询价 awarded to 甲文具公司 for 200.00."""
    doc = services.create_document("Tender", tender_values(suppliers), actor=users["purchaser"])
    send_and_approve(doc, users["purchaser"])
    return doc


def contract_values(users, tender: str = "", **extra) -> dict:
    today = timezone.localdate()
    return {
        "subject": "2026 年秋季学期复印纸供货合同",
        "tender": tender,
        "signed_on": today,
        "starts_on": today - dt.timedelta(days=30),
        "ends_on": today + dt.timedelta(days=60),
        "items": [{"item": "A4-70", "rate": "20", "qty": "10"}],
        "signed_copy": scan(users),
        **extra,
    }


def contract(users, tender: str = "", *, submit: bool = True, **extra) -> Document:
    doc = services.create_document(CONTRACT, contract_values(users, tender, **extra),
                                   actor=users["purchaser"])  # fmt: skip
    if submit:
        services.submit_document(CONTRACT, doc.name, actor=users["purchaser"])
    return doc


def receive(users, contract: str, qty: str, rate: str = "20", item: str = "A4-70", **extra):
    doc = services.create_document(
        RECEIPT,
        {"title": "复印纸到货", "contract": contract,
         "items": [{"item": item, "qty": qty, "rate": rate}], **extra},
        actor=users["storekeeper"],
    )  # fmt: skip
    services.submit_document(RECEIPT, doc.name, actor=users["storekeeper"])
    return doc


def refused(call, key: str, text: str) -> None:
    with pytest.raises(DocumentValidationError) as exc:
        call()
    assert any(text in m for m in exc.value.errors[key]), exc.value.errors


def test_a_contract_is_signed_with_the_tenders_winner_for_no_more_than_it_won(
    users, items, suppliers, tender
):
    doc = contract(users, tender.name, submit=False)
    assert doc.data["supplier"] == suppliers[0]  # from the award
    assert doc.data["supplier_name"] == "甲文具公司" and str(doc.grand_total) == "200.00"
    refused(lambda: contract(users, tender.name, supplier=suppliers[1]), "supplier",
            "中标供应商“甲文具公司”")  # fmt: skip
    refused(lambda: contract(users, tender.name, items=[{"item": "A4-70", "rate": "21", "qty": "10"}]),
            "items", "超过中标金额 ¥200.00")  # fmt: skip
    services.submit_document(CONTRACT, doc.name, actor=users["purchaser"])
    refused(lambda: contract(users, tender.name), "tender", f"已签订合同 {doc.name}")


def test_a_tender_not_decided_yet_cannot_be_contracted(users, items, suppliers):
    draft = services.create_document("Tender", tender_values(suppliers), actor=users["purchaser"])
    refused(lambda: contract(users, draft.name), "tender", "尚未定标")
    assert not Document.objects.filter(doctype=CONTRACT).exists()


def test_submitting_needs_the_signed_copy_and_the_suppliers_certificates_valid(
    users, items, suppliers
):
    doc = contract(users, submit=False, supplier=suppliers[0], signed_copy="")
    refused(lambda: services.submit_document(CONTRACT, doc.name, actor=users["purchaser"]),
            "signed_copy", "合同扫描件")  # fmt: skip
    lapsed = make_supplier(
        users["purchaser"], "过期纸业", valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    late = contract(users, submit=False, supplier=lapsed.name)
    refused(lambda: services.submit_document(CONTRACT, late.name, actor=users["purchaser"]),
            "supplier", "已过期")  # fmt: skip
    assert Document.objects.get(pk=late.pk).docstatus == DocStatus.DRAFT


def test_term_and_dates_are_checked(users, items, suppliers):
    today = timezone.localdate()
    refused(lambda: contract(users, supplier=suppliers[0], ends_on=today - dt.timedelta(days=31)),
            "ends_on", "不能早于起始日")  # fmt: skip
    refused(lambda: contract(users, supplier=suppliers[0], items=[
        {"item": "A4-70", "rate": "20", "qty": "1"}, {"item": "A4-70", "rate": "19", "qty": "1"}]),
        "items.2.item", "同一物资只列一行")  # fmt: skip


def test_goods_come_from_its_supplier_in_its_term_at_its_prices_up_to_its_amount(
    users, items, suppliers, tender
):
    doc = contract(users, tender.name)
    refused(lambda: receive(users, doc.name, "6", rate="20.5"), "items.1.rate",
            "高于合同约定单价 ¥20")  # fmt: skip
    refused(lambda: receive(users, doc.name, "1", rate="38", item="TAP-15"), "items.1.item",
            "不在合同供货清单内")  # fmt: skip
    refused(lambda: receive(users, doc.name, "6", supplier=suppliers[1]), "supplier",
            "供应商与合同")  # fmt: skip
    early = timezone.localdate() - dt.timedelta(days=31)
    refused(lambda: receive(users, doc.name, "6", posting_date=early), "posting_date",
            "不在合同履约期")  # fmt: skip
    first = receive(users, doc.name, "6")
    assert first.data["supplier"] == suppliers[0]  # filled from the contract
    refused(lambda: receive(users, doc.name, "5"), "items", "超过合同金额 ¥200.00")
    receive(users, doc.name, "4", rate="19.5")  # cheaper than agreed is fine
    assert Document.objects.filter(doctype=RECEIPT, docstatus=DocStatus.SUBMITTED).count() == 2


def test_a_contract_not_in_force_takes_no_goods(users, items, suppliers):
    draft = contract(users, submit=False, supplier=suppliers[0])
    refused(lambda: receive(users, draft.name, "1"), "contract", "尚未生效")


def test_a_contract_with_goods_received_is_cancelled_only_after_them(
    users, items, suppliers, tender
):
    doc = contract(users, tender.name)
    got = receive(users, doc.name, "2")
    refused(lambda: services.cancel_document(CONTRACT, doc.name, actor=users["purchaser"]),
            "items", got.name)  # fmt: skip
    services.cancel_document(RECEIPT, got.name, actor=users["storekeeper"])
    services.cancel_document(CONTRACT, doc.name, actor=users["purchaser"])
    assert Document.objects.get(pk=doc.pk).docstatus == DocStatus.CANCELLED


def test_the_contract_page_shows_deliveries_and_receives_the_rest(
    client, users, items, suppliers, tender
):
    doc = contract(users, tender.name)
    receive(users, doc.name, "6")
    client.force_login(users["storekeeper"])
    page = client.get(f"/app/purchase-contract/{doc.name}").content.decode()
    assert 'id="contract-deliveries"' in page and 'id="btn-contract-receive"' in page
    assert "已入库 ¥120.00，剩余 ¥80.00" in page
    response = client.post(f"/app/contract-receipt/{doc.name}")
    draft = Document.objects.get(doctype=RECEIPT, docstatus=DocStatus.DRAFT)
    assert response["Location"].endswith(draft.name)
    row = draft.data["items"][0]
    assert (row["item"], Decimal(row["qty"]), Decimal(row["rate"])) == ("A4-70", 4, 20)
    services.submit_document(RECEIPT, draft.name, actor=users["storekeeper"])
    page = client.get(f"/app/purchase-contract/{doc.name}").content.decode()
    assert 'id="btn-contract-receive"' not in page and "剩余 ¥0.00" in page
    client.post(f"/app/contract-receipt/{doc.name}")
    assert Document.objects.filter(doctype=RECEIPT).count() == 2  # nothing left to receive
    client.force_login(users["teacher"])
    assert client.post(f"/app/contract-receipt/{doc.name}").status_code in (403, 404)


@pytest.mark.workflows
def test_the_office_checks_it_and_the_principal_signs_it(
    users, items, suppliers, tender, departments
):
    director = make_user("director", users["purchaser"].school, "dept_head", "purchaser",
                         department=departments["总务处"])  # fmt: skip
    doc = contract(users, tender.name, submit=False)
    services.send_document(CONTRACT, doc.name, actor=users["purchaser"])
    office = ApprovalTask.objects.get(document=doc, status=TaskStatus.PENDING)
    assert office.assignee == director  # not the purchaser who drew it up
    actions.approve(office.pk, actor=director)
    principal = ApprovalTask.objects.get(document=doc, status=TaskStatus.PENDING)
    assert (principal.assignee, principal.step_label) == (users["principal"], "校长签批")
    actions.approve(principal.pk, actor=users["principal"])
    doc.refresh_from_db()
    assert (doc.docstatus, doc.workflow_state) == (DocStatus.SUBMITTED, "已生效")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_receipts_at_once_cannot_both_take_the_contracts_last_part(
    users, items, suppliers, tender
):
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass")
    doc = contract(users, tender.name)
    receive(users, doc.name, "4")  # 80.00 of 200.00
    drafts = [
        services.create_document(
            RECEIPT,
            {"title": "复印纸到货", "contract": doc.name,
             "items": [{"item": "A4-70", "qty": "5", "rate": "20"}]},
            actor=users["storekeeper"],
        ).name
        for _ in range(2)
    ]  # fmt: skip
    assert submit_at_once(RECEIPT, drafts, users["storekeeper"]) == ["refused", "submitted"]
    received = Document.objects.filter(doctype=RECEIPT, docstatus=DocStatus.SUBMITTED)
    assert sum(d.grand_total for d in received) == 180
