"""On PostgreSQL, list and API filters on one value can use the index over the data's paths."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.http import QueryDict

from school_logistics.api.query import condition
from school_logistics.core.models import Document
from school_logistics.core.registry import get_meta
from school_logistics.core.views import list_query
from school_logistics.core.views.list_query import ListQuery
from tests.core.test_views import make_requisition
from tests.stores.factories import make_desk_items

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL index"),
]


def index_plan(qs: QuerySet[Document]) -> str:
    with connection.cursor() as cursor:
        # A test database is small enough to read whole, and a walk down another index
        # would do too: leave the planner only the indexes the filters themselves can use.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        return qs.explain()


def plan(query: str) -> str:
    lq = ListQuery.parse(get_meta("Material Requisition"), QueryDict(query))
    return index_plan(lq.apply(Document.objects.all()))


@pytest.mark.parametrize(
    "query",
    [
        "requested_by=teacher",  # picked: the stored username
        "requested_by=teach",  # typed: the usernames and names holding it
        "department=语文组",
        "department=语文",
    ],
)
def test_link_filters_are_served_by_the_data_paths_index(query, users) -> None:
    make_desk_items(users["storekeeper"])
    make_requisition(users["teacher"])
    shown = plan(query)
    assert "core_document_data_paths" in shown, shown


def test_text_naming_too_many_records_reads_the_documents(users, monkeypatch) -> None:
    monkeypatch.setattr(list_query, "NAMED_LIMIT", 0)  # "teach" names one user: too many
    make_desk_items(users["storekeeper"])
    make_requisition(users["teacher"])
    assert "core_document_data_paths" not in plan("requested_by=teach")


@pytest.mark.parametrize(
    "frappe_filter", [["requested_by", "=", "teacher"], ["department", "in", ["语文组", "数学组"]]]
)
def test_api_filters_on_one_value_are_served_by_the_index(frappe_filter, users) -> None:
    make_desk_items(users["storekeeper"])
    make_requisition(users["teacher"])
    meta = get_meta("Material Requisition")
    qs = Document.objects.filter(condition(meta, *frappe_filter))
    assert qs.get().owner == users["teacher"]
    shown = index_plan(qs)
    assert "core_document_data_paths" in shown, shown
