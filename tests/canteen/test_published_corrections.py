"""A month of the canteen's account made public (公示) keeps the figures it was published with:
what is booked for it later — a late aid, a late expense, a cancellation — is a correction in
the month it is booked in, and both months say so."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from school_logistics.canteen import publishing
from school_logistics.canteen.models import PublishedMonth
from school_logistics.core import services
from school_logistics.ledger import canteen
from tests.canteen.test_canteen_accounts import expense, fees  # noqa: F401
from tests.canteen.test_meal_fee_collection import this_month
from tests.canteen.test_meal_fee_refund import last_month
from tests.canteen.test_student_aid import AID, aid

D = Decimal


def two_months_ago() -> str:
    year, month = map(int, last_month().split("-"))
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def as_published(school_id: int) -> dict[str, canteen.MonthAccount]:
    notices = publishing.published_months(school_id)
    return {a.month: a for a in publishing.school_accounts(school_id, notices)}


@pytest.fixture
def published(client, users, fees, school) -> str:  # noqa: F811
    """Last month's costs on the books and the month made public by finance; its public page."""
    expense(users, [("食材", "大米", "300.00")])
    client.force_login(users["finance"])
    client.post("/app/meal-fees/accounts/publish", {"month": last_month()})
    assert PublishedMonth.objects.filter(month=last_month()).exists()
    return f"/canteen-accounts/{school.code}/?month={last_month()}"


def test_a_late_aid_leaves_the_published_month_as_published(client, users, published):
    before = Client().get(published).content.decode()
    assert 'id="account-income">390.00<' in before and 'id="account-aided"' not in before

    granted = aid(users, "S002", waiver="50")  # S002 paid 100, got 10 back for missed meals
    school = granted.school_id
    after = Client().get(published).content.decode()
    for figure in ('id="account-income">390.00<', 'id="account-cost">300.00<',
                   'id="account-balance">90.00<', 'id="account-carried">90.00<'):  # fmt: skip
        assert figure in after
    assert 'id="account-aided"' not in after
    assert f"{last_month()} 公示后有更正入账" in after and this_month() in after

    months = as_published(school)
    then, now = months[last_month()], months[this_month()]
    assert (then.aided, then.income, then.corrected_in) == (D(0), D("390.00"), [this_month()])
    (correction,) = now.corrections
    assert (correction.month, correction.aided, correction.aid_refunded) == (
        last_month(), D("50.00"), D("50.00"),
    )  # fmt: skip
    assert now.carried == then.carried + now.balance  # the books still add up
    # The books of the student's month are not the canteen's account: they change at once.
    unpublished = {a.month: a for a in canteen.accounts(school)}
    assert unpublished[last_month()].aided == D("50.00")

    desk = client.get(f"/app/meal-fees/accounts/?month={this_month()}").content.decode()
    assert f"资助资金（{last_month()} 更正）" in desk
    assert f"减：资助退还（{last_month()} 更正）" in desk


def test_a_late_expense_and_a_cancellation_are_booked_in_the_current_month(
    client, users, published
):
    late = expense(users, [("维修", "蒸饭柜维修", "40.00")])  # of last month, booked now
    school = late.school_id
    months = as_published(school)
    assert months[last_month()].cost == D("300.00")
    (correction,) = months[this_month()].corrections
    assert (correction.month, correction.costs) == (last_month(), {"维修": D("40.00")})
    assert months[this_month()].balance == D("-40.00")

    services.cancel_document("Canteen Expense", late.name, actor=users["finance"])
    months = as_published(school)
    assert this_month() not in months  # the correction and its cancellation net to nothing
    assert months[last_month()].corrected_in == []


def test_a_cancelled_late_aid_leaves_the_published_month_alone(users, published):
    granted = aid(users, "S002", waiver="50")
    services.cancel_document(AID, granted.name, actor=users["finance"])
    months = as_published(granted.school_id)
    assert (months[last_month()].aided, months[last_month()].income) == (D(0), D("390.00"))
    assert this_month() not in months


def test_a_month_is_withdrawn_only_while_no_later_month_is_public(users, published):
    school = users["finance"].school_id
    earlier = PublishedMonth.objects.create(
        school_id=school, month=two_months_ago(), published_by=users["finance"]
    )
    with pytest.raises(publishing.PublishRefused, match="不能再撤回"):
        publishing.withdraw_month(school, earlier.month, actor=users["finance"])
    assert PublishedMonth.objects.filter(pk=earlier.pk).exists()
    # The latest public month may be withdrawn to correct it: what was booked late then
    # counts in it again, and it is published anew with the corrected figures.
    aid(users, "S002", waiver="50")
    publishing.withdraw_month(school, last_month(), actor=users["finance"])
    assert as_published(school)[last_month()].aided == D("50.00")
    publishing.publish_month(school, last_month(), actor=users["finance"])
    assert as_published(school)[last_month()].aided == D("50.00")


def test_the_withdraw_refusal_is_said_on_the_page(client, users, published):
    PublishedMonth.objects.create(
        school_id=users["finance"].school_id,
        month=two_months_ago(),
        published_by=users["finance"],
    )
    response = client.post(
        "/app/meal-fees/accounts/publish", {"month": two_months_ago(), "withdraw": "1"}, follow=True
    )
    assert "不能再撤回" in response.content.decode()
    assert PublishedMonth.objects.count() == 2
