"""DocType JSON files are synced to the database at migrate; changes apply, bad files are refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from school_logistics.core import doctype_sync
from school_logistics.core.doctype_sync import (
    DocTypeDefinitionError,
    definition_dirs,
    sync_doctypes,
)
from school_logistics.core.models import DocType
from school_logistics.core.registry import clear_meta_cache, get_meta

PARENT = "Sync Test Request"
CHILD = "Sync Test Row"


@pytest.fixture(autouse=True)
def _fresh_meta(db: None) -> Iterator[None]:
    """Drop cached metadata after each test: its DocType rows are rolled back."""
    yield
    clear_meta_cache()


def parent_def(**extra: Any) -> dict[str, Any]:
    return {
        "name": PARENT,
        "label": "同步测试单",
        "label_en": "Sync Test Request",
        "autoname": "SYNC-.####",
        "fields": [
            {"fieldname": "subject", "fieldtype": "Data", "label": "事由", "reqd": 1},
            {"fieldname": "rows", "fieldtype": "Table", "label": "明细", "options": CHILD},
        ],
        "permissions": [{"role": "teacher", "read": 1, "create": 1}],
        **extra,
    }


CHILD_DEF = {
    "name": CHILD,
    "label": "同步测试明细",
    "istable": 1,
    "fields": [{"fieldname": "item", "fieldtype": "Data", "label": "物品"}],
}


def write(folder: Path, filename: str, content: Any) -> Path:
    path = folder / filename
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An app's `doctypes` folder with a parent DocType and its child table."""
    write(tmp_path, "sync_test_request.json", parent_def())
    write(tmp_path, "sync_test_row.json", CHILD_DEF)
    return tmp_path


def sync(folder: Path) -> int:
    return sync_doctypes([("purchasing", folder)])


def stored() -> list[tuple[str, str, str]]:
    return sorted(DocType.objects.values_list("name", "label", "modified"))


# --- the shipped files ----------------------------------------------------------------------


def test_every_shipped_json_file_is_in_the_database_after_migrate():
    files = [p for _, d in definition_dirs() for p in sorted(d.glob("*.json"))]
    assert len(files) >= 10
    for path in files:
        raw = json.loads(path.read_text(encoding="utf-8"))
        row = DocType.objects.get(name=raw["name"])
        assert row.custom is False
        assert {k: v for k, v in row.definition.items() if k != "module"} == {
            k: v for k, v in raw.items() if k != "module"
        }, path.name


def test_syncing_the_shipped_files_again_changes_nothing():
    before = sorted(DocType.objects.values_list("name", "definition"))
    count = sync_doctypes()
    assert count == len(before) - DocType.objects.filter(custom=True).count()
    assert sorted(DocType.objects.values_list("name", "definition")) == before


def test_sync_runs_after_the_core_apps_migration_only(monkeypatch):
    calls: list[None] = []
    monkeypatch.setattr(doctype_sync, "sync_doctypes", lambda: calls.append(None))

    class Sender:
        def __init__(self, name: str) -> None:
            self.name = name

    doctype_sync.sync_after_migrate(Sender("school_logistics.purchasing"))
    doctype_sync.sync_after_migrate(Sender("school_logistics.core"))
    assert len(calls) == 1


# --- new and changed files ------------------------------------------------------------------


def test_a_new_file_becomes_a_doctype_with_its_child_table(folder):
    assert sync(folder) == 2
    row = DocType.objects.get(name=PARENT)
    assert (row.module, row.label, row.label_en, row.custom) == (
        "purchasing",
        "同步测试单",
        "Sync Test Request",
        False,
    )
    assert DocType.objects.get(name=CHILD).istable is True
    meta = get_meta(PARENT)
    assert [f.fieldname for f in meta.value_fields] == ["subject", "rows"]


def test_a_changed_file_updates_the_doctype_and_the_metadata_in_use(folder):
    sync(folder)
    assert get_meta(PARENT).label == "同步测试单"  # now cached
    changed = parent_def(label="同步测试申请", is_submittable=1)
    changed["fields"].append({"fieldname": "amount", "fieldtype": "Currency", "label": "金额"})
    write(folder, "sync_test_request.json", changed)
    sync(folder)
    meta = get_meta(PARENT)
    assert meta.label == "同步测试申请"
    assert meta.is_submittable
    assert meta.get_field("amount") is not None
    assert DocType.objects.filter(name=PARENT).count() == 1


def test_child_tables_are_synced_before_the_doctypes_that_use_them(folder):
    names = [raw["name"] for raw in doctype_sync.shipped_definitions([("x", folder)])]
    assert names == [CHILD, PARENT]


# --- bad files are refused, and nothing is written -----------------------------------------


def refused(folder: Path, match: str) -> str:
    before = stored()
    with pytest.raises(DocTypeDefinitionError, match=match) as exc:
        sync(folder)
    assert stored() == before
    return str(exc.value)


def test_malformed_json_is_refused_naming_the_file(folder):
    write(folder, "broken.json", '{"name": "Broken", "fields": [')
    message = refused(folder, "不是有效的 JSON")
    assert "broken.json" in message
    assert not DocType.objects.filter(name=PARENT).exists()  # good files wait for the bad one


def test_a_file_without_a_name_is_refused(folder):
    write(folder, "nameless.json", {"label": "无名单据", "fields": []})
    assert "nameless.json" in refused(folder, "缺少 DocType 名称")


def test_a_json_list_is_refused(folder):
    write(folder, "list.json", [parent_def()])
    refused(folder, "缺少 DocType 名称")


def test_an_unknown_field_type_is_refused(folder):
    bad = parent_def()
    bad["fields"].append({"fieldname": "colour", "fieldtype": "Colour"})
    write(folder, "sync_test_request.json", bad)
    assert "sync_test_request.json" in refused(folder, "unknown fieldtype 'Colour'")


def test_a_field_without_a_fieldname_is_refused(folder):
    bad = parent_def()
    bad["fields"].append({"fieldtype": "Data", "label": "无名字段"})
    write(folder, "sync_test_request.json", bad)
    refused(folder, "缺少键 'fieldname'")


def test_a_repeated_fieldname_is_refused(folder):
    bad = parent_def()
    bad["fields"].append({"fieldname": "subject", "fieldtype": "Data"})
    write(folder, "sync_test_request.json", bad)
    refused(folder, "duplicate fieldname 'subject'")


def test_a_table_whose_child_doctype_is_missing_is_refused(folder):
    (folder / "sync_test_row.json").unlink()
    refused(folder, f"子表 “{CHILD}” 不存在")


def test_two_files_with_one_doctype_name_are_refused(folder):
    write(folder, "copy.json", parent_def(label="重复"))
    refused(folder, f"“{PARENT}”已在")


def test_a_bad_shipped_file_stops_the_whole_sync(folder, monkeypatch):
    write(folder, "broken.json", "{not json")
    monkeypatch.setattr(doctype_sync, "definition_dirs", lambda: [("purchasing", folder)])
    before = stored()
    with pytest.raises(DocTypeDefinitionError):
        doctype_sync.sync_after_migrate(type("Sender", (), {"name": "school_logistics.core"}))
    assert stored() == before
