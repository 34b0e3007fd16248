"""维修统计 reads the same number of statements however many tickets the month holds."""

from __future__ import annotations

from tests.query_counts import page_statements
from tests.repairs.test_repair_stats import ticket


def test_the_stats_page_costs_the_same_as_tickets_grow(client, users, classroom):
    ticket(users, classroom, hours_ago=30, took=4)
    client.force_login(users["purchaser"])
    page_statements(client, "/app/repair-stats/")
    before = page_statements(client, "/app/repair-stats/")
    for n in range(6):
        ticket(users, classroom, hours_ago=20 + n, took=2, category="门窗", satisfaction="满意")
    assert page_statements(client, "/app/repair-stats/") == before
