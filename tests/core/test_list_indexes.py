"""On PostgreSQL, list filters that compare a field with one value can use the data's index."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import QueryDict

from school_logistics.core.models import Document, User
from school_logistics.core.registry import get_meta
from school_logistics.core.views.list_query import ListQuery
from tests.core.test_views import make_requisition
from tests.stores.factories import make_desk_items

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL index"),
]


def plan(query: str, users: dict[str, User]) -> str:
    lq = ListQuery.parse(get_meta("Material Requisition"), QueryDict(query))
    qs = lq.apply(Document.objects.all())
    with connection.cursor() as cursor:
        # A test database is small enough to read whole, and a walk down another index
        # would do too: leave the planner only the indexes the filters themselves can use.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        return qs.explain()


@pytest.mark.parametrize("query", ["requested_by=teacher", "department=语文组"])
def test_a_picked_link_is_served_by_the_data_paths_index(query, users) -> None:
    make_desk_items(users["storekeeper"])
    make_requisition(users["teacher"])
    shown = plan(query, users)
    assert "core_document_data_paths" in shown, shown


def test_typed_text_is_not_compared_as_a_value(users) -> None:
    make_desk_items(users["storekeeper"])
    make_requisition(users["teacher"])
    assert "core_document_data_paths" not in plan("requested_by=教师", users)
