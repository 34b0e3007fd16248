"""借还登记: a loan records who has an asset until when; 总务处 records it back, and damage found
on return is reported for repair. The books do not move: the room's keeper still answers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import DocumentValidationError
from school_logistics.ledger.models import AssetBin
from school_logistics.workflow import actions
from tests.assets.factories import make_room, register_asset
from tests.workflow.conftest import pending

LOAN = "Asset Loan"


@pytest.fixture
def projector(users: dict[str, User]) -> Document:
    keeper = users["storekeeper"]
    lab = make_room(keeper, "物理实验室", users["head"], purpose="功能室")
    return register_asset(keeper, lab, "便携投影仪", "1", "3600", category="电教设备", uom="台")


def loan_draft(actor: User, assets: list[str], *, due_in: int = 3, **values) -> Document:
    today = timezone.localdate()
    return services.create_document(
        LOAN,
        {
            "purpose": "八年级物理公开课借用投影仪",
            "due_date": today + dt.timedelta(days=due_in),
            "items": [{"asset": a} for a in assets],
            **values,
        },
        actor=actor,
    )


def lent(users, assets: list[str], **values) -> Document:
    doc = loan_draft(users["teacher"], assets, **values)
    return services.submit_document(LOAN, doc.name, actor=users["storekeeper"])


def test_a_loan_records_where_the_asset_is_kept_and_moves_nothing_on_the_books(users, projector):
    loan = lent(users, [projector.name])
    row = loan.data["items"][0]
    assert (row["asset_name"], row["custodian"]) == ("便携投影仪", "head")
    b = AssetBin.objects.get(asset=projector.name)
    assert b.custodian == "head" and b.qty == 1


def test_an_asset_out_on_loan_is_not_lent_again_until_it_is_back(client, users, projector):
    first = lent(users, [projector.name])
    with pytest.raises(DocumentValidationError) as exc:
        loan_draft(users["colleague"], [projector.name])
    assert f"已借出（{first.name}），尚未归还" in str(exc.value.messages())
    client.force_login(users["storekeeper"])
    client.post(f"/app/asset-register/loan-return/{first.name}", {"condition": "完好"})
    loan_draft(users["colleague"], [projector.name])  # back: it may go out again


def test_only_the_office_records_a_return_and_says_in_what_state(client, users, projector):
    loan = lent(users, [projector.name])
    with pytest.raises(DocumentValidationError) as exc:
        services.save_document(
            LOAN, loan.name, {"returned_on": timezone.localdate()}, actor=users["teacher"]
        )
    assert exc.value.errors == {"returned_on": ["归还由总务处登记"]}
    client.force_login(users["storekeeper"])
    page = client.get(f"/app/asset-loan/{loan.name}").content.decode()
    assert 'id="loan-return"' in page and "借出中" in page
    response = client.post(f"/app/asset-register/loan-return/{loan.name}", {"condition": "好"})
    loan.refresh_from_db()
    assert response.status_code == 302 and loan.data["returned_on"] is None
    client.post(
        f"/app/asset-register/loan-return/{loan.name}", {"condition": "完好", "note": "已清点"}
    )
    loan.refresh_from_db()
    assert loan.data["returned_on"] == timezone.localdate().isoformat()
    assert (loan.data["return_condition"], loan.data["return_note"]) == ("完好", "已清点")
    assert loan.workflow_state == "已归还"  # lists no longer say it is out
    page = client.get(f"/app/asset-loan/{loan.name}").content.decode()
    assert "归还（完好）" in page and 'id="loan-return"' not in page


def test_damage_found_on_return_is_reported_for_repair(client, users, projector):
    loan = lent(users, [projector.name])
    client.force_login(users["storekeeper"])
    client.post(
        f"/app/asset-register/loan-return/{loan.name}",
        {"condition": "损坏", "note": "镜头有裂痕"},
    )
    ticket = Document.objects.get(doctype="Repair Ticket")
    assert ticket.title == "借用归还时发现损坏：便携投影仪"
    assert ticket.data["asset"] == projector.name and "镜头有裂痕" in ticket.data["description"]
    assert ticket.owner == users["storekeeper"] and ticket.data["category"] == "电教"
    loan.refresh_from_db()
    assert loan.data["items"][0]["location"] == projector.data["location"]  # kept as lent


def test_a_draft_cannot_be_returned_nor_due_before_it_goes_out(users, projector):
    with pytest.raises(DocumentValidationError) as exc:
        loan_draft(users["teacher"], [projector.name], returned_on=timezone.localdate())
    assert exc.value.errors == {"returned_on": ["借出后才能登记归还"]}
    with pytest.raises(DocumentValidationError) as exc:
        loan_draft(users["teacher"], [projector.name], due_in=-1)
    assert exc.value.errors == {"due_date": ["应还日期不能早于借用日期"]}


def test_the_office_home_lists_what_is_out_overdue_first(client, users, projector):
    keeper = users["storekeeper"]
    lab = Document.objects.get(doctype="Location")
    tv = register_asset(keeper, lab, "电视机", "1", "2600", uom="台")
    late = lent(users, [tv.name], due_in=0, loan_date=timezone.localdate() - dt.timedelta(days=5))
    Document.objects.filter(pk=late.pk).update(
        data={**late.data, "due_date": (timezone.localdate() - dt.timedelta(days=2)).isoformat()}
    )
    lent(users, [projector.name], due_in=7)
    client.force_login(keeper)
    home = client.get("/app/").content.decode()
    assert 'id="home-loans-out"' in home and "逾期 1" in home
    assert home.index(late.name) < home.index("八年级物理公开课借用投影仪", home.index(late.name))
    client.force_login(users["teacher"])
    assert 'id="home-loans-out"' not in client.get("/app/").content.decode()


@pytest.mark.workflows
def test_the_storekeeper_lends_it_out_on_the_loans_flow(users, projector):
    doc = loan_draft(users["teacher"], [projector.name])
    actions.start_approval(LOAN, doc.name, actor=users["teacher"])
    actions.approve(pending(doc, users["storekeeper"]).pk, actor=users["storekeeper"])
    doc.refresh_from_db()
    assert (doc.docstatus, doc.workflow_state) == (DocStatus.SUBMITTED, "已借出")


def test_a_borrower_is_reminded_of_an_overdue_loan_once_a_day(users, projector):
    from school_logistics.assets.tasks import remind_overdue_loans
    from school_logistics.notify.models import Notification

    late = lent(users, [projector.name], due_in=0)
    assert remind_overdue_loans() == 0  # due today: not late yet
    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert remind_overdue_loans(tomorrow) == 1
    note = Notification.objects.get(event="loan_overdue")
    assert (note.user, note.document_id) == (users["teacher"], late.pk)
    assert (
        note.subject
        == f"借用已逾期：校产借用单 {late.name}（八年级物理公开课借用投影仪），请尽快归还"
    )
    Notification.objects.filter(pk=note.pk).update(created=tomorrow)
    assert remind_overdue_loans(tomorrow) == 0  # once a day
