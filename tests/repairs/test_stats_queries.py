"""维修统计 reads the same number of statements however many tickets the month holds."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.repairs.test_repair_stats import ticket


def statements(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/app/repair-stats/").status_code == 200
    return len(ctx.captured_queries)


def test_the_stats_page_costs_the_same_as_tickets_grow(client, users, classroom):
    ticket(users, classroom, hours_ago=30, took=4)
    client.force_login(users["purchaser"])
    statements(client)
    before = statements(client)
    for n in range(6):
        ticket(users, classroom, hours_ago=20 + n, took=2, category="门窗", satisfaction="满意")
    assert statements(client) == before
