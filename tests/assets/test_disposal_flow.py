"""校产报废单 on its flow: 总务处主任 reviews, the principal approves, then the assets leave
the books at their value as it stands at that moment."""

from __future__ import annotations

from decimal import Decimal

import pytest

from school_logistics.core.models.document import DocStatus
from school_logistics.ledger.models import AssetBin, AssetLedgerEntry
from school_logistics.workflow import actions
from tests.assets.factories import disposal_draft, make_room, register_asset
from tests.conftest import make_user
from tests.workflow.conftest import pending

pytestmark = [pytest.mark.workflows, pytest.mark.usefixtures("heads")]


@pytest.fixture
def director(school, departments):
    office = departments["总务处"]
    user = make_user("director", school, "purchaser", department=office)
    office.head = user
    office.save()
    return user


def test_assets_leave_the_books_when_the_principal_approves(users, director):
    keeper = users["storekeeper"]
    room = make_room(keeper, "七年级(1)班教室", users["teacher"])
    chairs = register_asset(keeper, room, "学生椅", "40", "75")
    doc = disposal_draft(
        keeper,
        [(chairs.name, "4")],
        reason="人为损坏",
        responsible="七(1)班学生",
        compensation="120",
    )
    actions.start_approval("Asset Disposal", doc.name, actor=keeper)
    actions.approve(pending(doc, director).pk, actor=director)
    assert AssetBin.objects.get(asset=chairs.name).qty == Decimal("40")  # not yet
    actions.approve(pending(doc, users["principal"]).pk, actor=users["principal"])
    doc.refresh_from_db()
    assert (doc.docstatus, doc.workflow_state) == (DocStatus.SUBMITTED, "已报废")
    b = AssetBin.objects.get(asset=chairs.name)
    assert (b.qty, b.value) == (Decimal("36"), Decimal("2700.00"))
    entry = AssetLedgerEntry.objects.get(voucher=doc)
    assert (entry.value_change, entry.created_by) == (Decimal("-300.00"), users["principal"])
