"""Tenders (招标/询价): bids from invited suppliers, three quotes, witnesses, valid licences."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from school_logistics.core import permissions, services
from school_logistics.core.models import Document, Version
from school_logistics.core.registry import get_meta
from school_logistics.core.validation import DocumentValidationError
from tests.purchasing.conftest import make_requisition
from tests.stores.factories import make_supplier


def opening(days_ago: int = 1) -> str:
    return (timezone.now() - dt.timedelta(days=days_ago)).replace(microsecond=0).isoformat()


def tender_values(suppliers: list[str], *, bids: int = 3, **extra) -> dict:
    """A 询价 for the first `bids` suppliers (all four invited), awarded to the cheapest."""
    values = {
        "subject": "期中考试用纸询价",
        "method": "询价",
        "opening_date": opening(),
        "suppliers": [{"supplier": s} for s in suppliers],
        "bids": [
            {"supplier": s, "price": str(200 + 10 * i), "delivery_days": 3}
            for i, s in enumerate(suppliers[:bids])
        ],
        "awarded_supplier": suppliers[0],
    }
    values.update(extra)
    return values


def create(users, values: dict) -> Document:
    return services.create_document("Tender", values, actor=users["purchaser"])


def assert_submit_refused(users, doc: Document, key: str, message: str) -> None:
    """Submitting fails with `message` on `key`, and the tender stays an unchanged draft."""
    before = Document.objects.get(pk=doc.pk)
    with pytest.raises(DocumentValidationError) as exc:
        services.submit_document("Tender", doc.name, actor=users["purchaser"])
    assert message in " ".join(exc.value.errors[key])
    after = Document.objects.get(pk=doc.pk)
    assert after.docstatus == 0
    assert after.data == before.data
    assert not Version.objects.filter(document=doc, action="submit").exists()


def test_requisitions_fill_purpose_amount_and_estimated_total(users, suppliers, requisition):
    second = make_requisition(users["teacher"], qty="100", rate="23.5")
    doc = create(
        users,
        tender_values(
            suppliers, requisitions=[{"requisition": requisition}, {"requisition": second}]
        ),
    )
    rows = doc.data["requisitions"]
    assert [r["purpose"] for r in rows] == ["期中考试用纸", "期中考试用纸"]
    assert [r["amount"] for r in rows] == ["235.00", "2350.00"]
    assert doc.data["estimated_total"] == "2585.00"


def test_awarded_amount_is_the_awarded_bid_and_the_documents_total(users, suppliers):
    doc = create(users, tender_values(suppliers, awarded_supplier=suppliers[1]))
    assert doc.data["awarded_amount"] == "210.00"
    assert doc.data["awarded_supplier_name"] == "乙办公用品店"
    assert doc.grand_total == Decimal("210.00")
    assert [b["supplier_name"] for b in doc.data["bids"]][:2] == ["甲文具公司", "乙办公用品店"]


def test_draft_requisition_cannot_be_tendered(users, suppliers, items):
    draft = make_requisition(users["teacher"], submit=False)
    with pytest.raises(DocumentValidationError) as exc:
        create(users, tender_values(suppliers, requisitions=[{"requisition": draft}]))
    assert "尚未提交" in exc.value.errors["requisitions.1.requisition"][0]
    assert not Document.objects.filter(doctype="Tender").exists()


@pytest.mark.parametrize(
    ("change", "key", "message"),
    [
        ("uninvited", "bids.1.supplier", "不在邀请供应商之列"),
        ("twice", "bids.2.supplier", "每家供应商只能报价一次"),
        ("free", "bids.1.price", "报价金额必须大于 0"),
        ("award_without_bid", "awarded_supplier", "已报价的供应商之一"),
        ("invite_twice", "suppliers.2.supplier", "供应商重复"),
    ],
)
def test_bad_bids_are_refused_and_nothing_saved(users, suppliers, change, key, message):
    values = tender_values(suppliers)
    if change == "uninvited":
        values["suppliers"] = [{"supplier": s} for s in suppliers[1:]]
    elif change == "twice":
        values["bids"][1]["supplier"] = suppliers[0]
    elif change == "free":
        values["bids"][0]["price"] = "0"
    elif change == "award_without_bid":
        values["awarded_supplier"] = suppliers[3]
    elif change == "invite_twice":
        values["suppliers"][1]["supplier"] = suppliers[0]
    with pytest.raises(DocumentValidationError) as exc:
        create(users, values)
    assert message in " ".join(exc.value.errors[key])
    assert not Document.objects.filter(doctype="Tender").exists()


def test_inquiry_with_two_quotes_stays_draft(users, suppliers):
    doc = create(users, tender_values(suppliers, bids=2))
    assert_submit_refused(users, doc, "bids", "至少三家报价")


def test_public_tender_without_witness_stays_draft(users, suppliers):
    doc = create(users, tender_values(suppliers, method="公开招标"))
    assert_submit_refused(users, doc, "witnesses", "监督人")


def test_public_tender_with_a_witness_submits(users, suppliers):
    witness = [{"user": users["principal"].username, "role_note": "纪检监察"}]
    doc = create(users, tender_values(suppliers, method="公开招标", witnesses=witness))
    services.submit_document("Tender", doc.name, actor=users["purchaser"])
    assert Document.objects.get(pk=doc.pk).docstatus == 1


def test_tender_without_award_or_opening_date_stays_draft(users, suppliers):
    doc = create(users, tender_values(suppliers, awarded_supplier="", opening_date=""))
    assert_submit_refused(users, doc, "awarded_supplier", "请选定中标供应商")
    assert_submit_refused(users, doc, "opening_date", "开标时间")


def test_expired_licence_of_the_winner_blocks_the_award(users, suppliers):
    expired = make_supplier(
        users["purchaser"], "戊过期公司", valid_until=timezone.localdate() - dt.timedelta(days=10)
    ).name
    invited = [expired, *suppliers[:2]]
    doc = create(users, tender_values(invited, awarded_supplier=expired))
    assert_submit_refused(users, doc, "awarded_supplier", "已过期")


def test_licence_valid_on_opening_day_is_enough(users, suppliers):
    # Expired today, but the bids were opened five days ago: the licence was valid then.
    winner = make_supplier(
        users["purchaser"], "己公司", valid_until=timezone.localdate() - dt.timedelta(days=1)
    ).name
    doc = create(
        users,
        tender_values([winner, *suppliers[:2]], awarded_supplier=winner, opening_date=opening(5)),
    )
    services.submit_document("Tender", doc.name, actor=users["purchaser"])
    assert Document.objects.get(pk=doc.pk).docstatus == 1


def test_winner_without_any_certificate_blocks_the_award(users, suppliers):
    bare = make_supplier(users["purchaser"], "庚无证公司").name
    doc = create(users, tender_values([bare, *suppliers[:2]], awarded_supplier=bare))
    assert_submit_refused(users, doc, "awarded_supplier", "没有登记证照")


def test_valid_inquiry_submits_with_a_version(users, suppliers, requisition):
    doc = create(users, tender_values(suppliers, requisitions=[{"requisition": requisition}]))
    services.submit_document("Tender", doc.name, actor=users["purchaser"])
    doc.refresh_from_db()
    assert doc.docstatus == 1
    assert doc.name.startswith("TND-")
    assert Version.objects.filter(document=doc, action="submit").exists()


def test_requisition_cannot_be_bought_by_two_tenders(users, suppliers, requisition):
    first = create(users, tender_values(suppliers, requisitions=[{"requisition": requisition}]))
    services.submit_document("Tender", first.name, actor=users["purchaser"])
    with pytest.raises(DocumentValidationError) as exc:
        create(users, tender_values(suppliers, requisitions=[{"requisition": requisition}]))
    assert first.name in exc.value.errors["requisitions.1.requisition"][0]
    assert Document.objects.filter(doctype="Tender").count() == 1


def test_only_purchasing_runs_tenders(users, suppliers, outsider):
    with pytest.raises(PermissionDenied):
        services.create_document("Tender", tender_values(suppliers), actor=users["teacher"])
    doc = create(users, tender_values(suppliers))
    meta = get_meta("Tender")
    assert permissions.has_permission(users["principal"], meta, "read", doc)
    assert not permissions.has_permission(users["principal"], meta, "write", doc)
    assert not permissions.readable(users["teacher"], meta).exists()
    assert not permissions.readable(outsider, meta).exists()


def test_a_winner_dearer_than_the_lowest_valid_bid_needs_a_reason(users, suppliers):
    values = tender_values(suppliers)
    for bid, price in zip(values["bids"], ["5200", "4800", "5000"], strict=True):
        bid["price"] = price
    doc = create(users, values)  # awarded to 甲 at 5,200
    assert_submit_refused(
        users, doc, "award_reason",
        "中标报价 ¥5,200.00 高于有效最低报价 ¥4,800.00（乙办公用品店）：请填写定标理由",
    )  # fmt: skip
    services.save_document(
        "Tender", doc.name, {"award_reason": "乙的样品纸张克重不足 70g，不符合要求"},
        actor=users["purchaser"],
    )  # fmt: skip
    services.submit_document("Tender", doc.name, actor=users["purchaser"])
    assert Document.objects.get(pk=doc.pk).docstatus == 1


def test_a_cheaper_bid_from_a_supplier_that_may_not_win_needs_no_reason(users, suppliers):
    """Its licence expired before the opening: the lowest bid that could win is the winner's."""
    lapsed = make_supplier(
        users["purchaser"], "戊过期公司", valid_until=timezone.localdate() - dt.timedelta(days=10)
    ).name
    values = tender_values([suppliers[0], lapsed, suppliers[1]])
    for bid, price in zip(values["bids"], ["5200", "4800", "5300"], strict=True):
        bid["price"] = price
    doc = create(users, values)
    services.submit_document("Tender", doc.name, actor=users["purchaser"])
    assert Document.objects.get(pk=doc.pk).docstatus == 1
