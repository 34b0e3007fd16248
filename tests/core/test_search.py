"""The list search box finds documents by name, title and search fields, kept up to date."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from school_logistics.core import registry, search, services
from school_logistics.core.models import DocType, DocumentSearch
from school_logistics.core.registry import clear_meta_cache
from school_logistics.designer import services as designer
from tests.core.test_views import LIST, items, login, make_requisition

__all__ = ["items"]  # the fixture, used by name


def found(client, q: str, url: str = LIST) -> str:
    return client.get(url, {"q": q}).content.decode()


def test_search_follows_a_draft_edit(client, users, items):
    doc = make_requisition(users["teacher"], "期中考试用纸")
    login(client, users["teacher"])
    services.save_document(
        "Material Requisition", doc.name, {"purpose": "运动会奖品"}, actor=users["teacher"]
    )
    assert doc.name not in found(client, "考试")
    assert doc.name in found(client, "运动会")


def test_search_matches_search_fields_but_not_other_fields(client, users, items):
    doc = services.create_document(
        "Material Requisition",
        {
            "purpose": "期中考试用纸",
            "budget_line": "Office Supplies",  # a search field
            "remarks": "送到三楼",  # not one
            "items": [{"item": "P-A4", "qty": "2", "rate": "120"}],
        },
        actor=users["teacher"],
    )
    login(client, users["teacher"])
    assert doc.name in found(client, "office SUPPLIES")  # case does not matter
    assert doc.name not in found(client, "三楼")
    assert doc.name not in found(client, "%")  # typed wildcards are plain characters


def test_an_amended_document_is_found_and_a_deleted_draft_leaves_no_row(client, users, items):
    doc = make_requisition(users["teacher"], "期中考试用纸")
    services.submit_document("Material Requisition", doc.name, actor=users["teacher"])
    services.cancel_document("Material Requisition", doc.name, actor=users["teacher"])
    amended = services.amend_document("Material Requisition", doc.name, actor=users["teacher"])
    login(client, users["teacher"])
    page = found(client, f"{doc.name}-1")
    assert amended.name in page and f"{doc.name}<" not in page

    services.delete_document("Material Requisition", amended.name, actor=users["teacher"])
    assert not DocumentSearch.objects.filter(document_id=amended.pk).exists()


def test_a_new_search_field_makes_existing_documents_findable(
    client, users, settings, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = ""  # the rebuild job runs inline, as on the embedded default
    admin = users["admin"]
    designer.create_doctype(
        {"name": "Search Probe", "label": "搜索试验", "module": "custom",
         "fields": [{"fieldname": "place", "fieldtype": "Data", "label": "地点"},
                    {"fieldname": "purpose", "fieldtype": "Data", "label": "用途"}],
         "search_fields": ["place"]},
        actor=admin,
    )  # fmt: skip
    doc = services.create_document(
        "Search Probe", {"place": "物理实验室", "purpose": "功能室"}, actor=admin
    )
    url = "/app/search-probe/"
    login(client, admin)
    assert doc.name in found(client, "实验室", url)
    assert doc.name not in found(client, "功能室", url)

    definition = designer.editable_definition("Search Probe")
    definition["search_fields"] = ["place", "purpose"]
    with django_capture_on_commit_callbacks(execute=True):
        designer.save_doctype("Search Probe", definition, actor=admin)
    assert doc.name in found(client, "功能室", url)


@pytest.mark.django_db
def test_rebuilding_restores_missing_and_stale_rows(users, items):
    doc = make_requisition(users["teacher"], "期中考试用纸")
    DocumentSearch.objects.filter(document_id=doc.pk).delete()
    other = make_requisition(users["teacher"], "卫生大扫除")
    DocumentSearch.objects.filter(document_id=other.pk).update(text="stale")
    assert search.rebuild_doctype("Material Requisition") == 2
    assert "期中考试用纸" in DocumentSearch.objects.get(document_id=doc.pk).text
    assert search.rebuild_doctype("Material Requisition") == 0


def test_migrate_writes_the_rows_documents_lack_and_follows_new_shipped_search_fields(
    client, users, items
):
    """An upgraded site: documents from before the table, a definition with new search fields."""
    older = make_requisition(users["teacher"], "期中考试用纸")
    DocumentSearch.objects.filter(document_id=older.pk).delete()
    shipped = DocType.objects.get(name="Material Requisition")
    before_upgrade = {**shipped.definition, "search_fields": ["purpose"]}
    DocType.objects.filter(pk=shipped.pk).update(definition=before_upgrade)
    clear_meta_cache()
    doc = services.create_document(
        "Material Requisition",
        {
            "purpose": "运动会奖品",
            "budget_line": "Office Supplies",
            "items": [{"item": "P-A4", "qty": "2", "rate": "120"}],
        },
        actor=users["teacher"],
    )
    login(client, users["teacher"])
    assert doc.name not in found(client, "office supplies")  # not yet a search field

    call_command("migrate", interactive=False, verbosity=0)

    assert doc.name in found(client, "office supplies") and older.name in found(client, "考试")


def test_a_word_in_many_documents_finds_them_all(client, users, items, monkeypatch):
    monkeypatch.setattr(search, "FEW_MATCHES", 1)  # more matches than that: a subquery
    exams = [make_requisition(users["teacher"], f"期中考试用纸 {n}") for n in range(3)]
    mop = make_requisition(users["teacher"], "卫生大扫除")
    login(client, users["teacher"])
    for word in ("考试", "考试用"):  # shorter than a trigram, and long enough for its index
        page = found(client, word)
        assert all(doc.name in page for doc in exams) and mop.name not in page
        assert "共 3 条" in page


def test_search_sends_as_many_statements_for_one_match_as_for_many(
    client, users, items, monkeypatch
):
    # The registry re-checks DocType edits once a second: on a slow machine one of the two
    # counted searches would carry that statement.
    monkeypatch.setattr(registry, "RECHECK_SECONDS", 3600)
    login(client, users["teacher"])
    make_requisition(users["teacher"], "期中考试用纸")
    found(client, "考试")  # the process's first search loads what every later one reuses
    with CaptureQueriesContext(connection) as one:
        found(client, "考试")
    for n in range(5):
        make_requisition(users["teacher"], f"期末考试用纸 {n}")
    with CaptureQueriesContext(connection) as six:
        assert "共 6 条" in found(client, "考试")
    assert len(six) == len(one)
