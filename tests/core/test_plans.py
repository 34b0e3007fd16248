"""Lists of documents are planned for their own DocType on PostgreSQL, never on a shared plan."""

from __future__ import annotations

import pytest
from django.db import connection

from school_logistics.core.models import Document, User
from tests.core.test_views import make_requisition
from tests.stores.factories import make_desk_items

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="only PostgreSQL prepares statements"
    ),
]


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_list_pages_and_the_api_lists_are_never_prepared(client, users: dict[str, User]) -> None:
    make_desk_items(users["storekeeper"])
    make_requisition(users["teacher"])
    for _ in range(6):  # any statement sent five times on the connection is prepared...
        Document.objects.filter(doctype="Item", name="P-A4").exists()
    client.force_login(users["purchaser"])
    # ...but not the lists', however often, and PostgreSQL would otherwise run them on one plan
    # for every DocType: lists of 54,000 requisitions and of 80 items alike.
    for _ in range(8):
        for url in (
            "/app/item/",
            "/app/material-requisition/",
            "/app/print-lists/material-requisition",
            "/api/resource/Item",
        ):
            assert client.get(url).status_code == 200
        assert client.get("/api/method/frappe.client.get_count?doctype=Item").status_code == 200

    prepared = prepared_statements()
    assert any('"core_document"."name" = $' in sql for sql in prepared)
    # What the user may read: their school's documents, those they hold a task or a CC on.
    lists = [sql for sql in prepared if '"workflow_carboncopy"' in sql]
    assert lists == []
    assert connection.connection.prepare_threshold == 5  # and on again after each list
