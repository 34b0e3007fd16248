"""On PostgreSQL, the 我已处理 tab takes its order from the `task_done` index."""

from __future__ import annotations

import pytest
from django.db import connection

from school_logistics.workflow import actions, inbox
from tests.workflow.conftest import pending
from tests.workflow.test_query_counts import waiting

pytestmark = [
    pytest.mark.workflows,
    pytest.mark.usefixtures("heads"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL index"),
]


def test_the_done_tab_reads_its_page_in_order_from_the_index(users, item) -> None:
    for doc in waiting(users, item, 3):
        actions.approve(pending(doc, users["head"]).pk, actor=users["head"])
    newest_first = inbox.done(users["head"])
    assert len(newest_first) == 3
    with connection.cursor() as cursor:
        # A test table is small enough to read whole and sort: leave the planner the choice
        # between indexes that give the order and a sort that costs too much to pick.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        shown = newest_first.values("pk")[: inbox.PAGE + 1].explain()
    assert "task_done" in shown and "Sort" not in shown, shown
