"""维修统计 reads the same number of statements however many tickets the month holds."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.query_counts import page_statements
from tests.repairs.test_repair_stats import ticket


def test_the_stats_page_costs_the_same_as_tickets_grow(client, users, classroom):
    # Last month's 15th, so every ticket lies in the month shown whatever the day today.
    now = timezone.localtime()
    mid = (now.replace(day=1) - dt.timedelta(days=1)).replace(day=15, hour=12)
    hours = int((now - mid).total_seconds() // 3600)
    path = f"/app/repair-stats/?month={mid:%Y-%m}"
    ticket(users, classroom, hours_ago=hours, took=4)
    client.force_login(users["purchaser"])
    page_statements(client, path)
    before = page_statements(client, path)
    for n in range(6):
        ticket(users, classroom, hours_ago=hours - n, took=2, category="门窗", satisfaction="满意")
    assert page_statements(client, path) == before
