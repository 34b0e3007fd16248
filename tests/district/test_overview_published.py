"""The bureau reads a school's last month as the school published it (食堂收支公示): a row
booked for a public month afterwards is a correction of the month it was booked in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from school_logistics.canteen.models import PublishedMonth
from school_logistics.canteen.publishing import publish_month
from school_logistics.district.overview import summaries
from school_logistics.ledger.models import CanteenExpenseEntry
from tests.canteen.test_canteen_accounts import expense
from tests.canteen.test_meal_fee_refund import last_month


def _months_before(n: int) -> tuple[str, dt.datetime]:
    """The month n months back, and a moment in its middle."""
    day = timezone.localdate().replace(day=1)
    for _ in range(n):
        day = (day - dt.timedelta(days=1)).replace(day=1)
    middle = timezone.make_aware(dt.datetime(day.year, day.month, 15, 10))
    return day.strftime("%Y-%m"), middle


def test_a_row_booked_after_last_month_was_published_waits_for_this_month(users, school):
    expense(users, [("食材", "大米", "300.00")])
    publish_month(school.pk, last_month(), actor=users["finance"])
    expense(users, [("食材", "面粉", "50.00")])  # for last month, booked now
    (ours,) = summaries([school], timezone.localdate())
    assert ours.canteen.cost == Decimal("300.00")
    assert ours.canteen.carried == Decimal("-300.00")


def test_a_correction_booked_last_month_counts_in_last_month(users, school):
    earlier, _ = _months_before(2)
    _, booked = _months_before(1)
    on_time = expense(users, [("食材", "大米", "100.00")], month=earlier)
    publish_month(school.pk, earlier, actor=users["finance"])
    late = expense(users, [("食材", "油", "40.00")], month=earlier)
    # Dated as they happened: booked, published at the start of last month, corrected in it.
    # (The ledger refuses updates: the test steps past its guard to set the dates.)
    rows = CanteenExpenseEntry.objects
    QuerySet.update(rows.filter(voucher=on_time), created=booked - dt.timedelta(days=10))
    PublishedMonth.objects.filter(month=earlier).update(published_at=booked - dt.timedelta(days=5))
    QuerySet.update(rows.filter(voucher=late), created=booked)
    (ours,) = summaries([school], timezone.localdate())
    assert ours.canteen.cost == Decimal("40.00")  # last month carries the correction
    assert ours.canteen.carried == Decimal("-140.00")
