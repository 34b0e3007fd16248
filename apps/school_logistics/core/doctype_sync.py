"""Load the DocType JSON files shipped inside each app into the DocType table."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import transaction

from school_logistics.core.meta import parse_meta
from school_logistics.core.models import DocType
from school_logistics.core.registry import clear_meta_cache


class DocTypeDefinitionError(ValueError):
    """A DocType JSON file that cannot be used; the message names the file and the problem."""


def definition_dirs() -> list[tuple[str, Path]]:
    """Return (app label, `doctypes` folder) for every School Logistics app."""
    return [
        (app.label, Path(app.path, "doctypes"))
        for app in apps.get_app_configs()
        if app.name.startswith("school_logistics.")
    ]


def load_definition(path: Path, module: str) -> dict[str, Any]:
    """Read and check one DocType file, raising DocTypeDefinitionError with the file's name."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DocTypeDefinitionError(f"{path}: 不是有效的 JSON（{exc}）") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"]:
        raise DocTypeDefinitionError(f'{path}: 缺少 DocType 名称（"name"）')
    raw.setdefault("module", module)
    try:
        parse_meta(raw)
    except KeyError as exc:
        raise DocTypeDefinitionError(f"{path}: 缺少键 {exc}") from exc
    except (TypeError, ValueError) as exc:
        raise DocTypeDefinitionError(f"{path}: {exc}") from exc
    return raw


def _check_batch(found: list[tuple[Path, dict[str, Any]]]) -> None:
    """Refuse two files with one DocType name, and tables whose child DocType is nowhere."""
    seen: dict[str, Path] = {}
    for path, raw in found:
        if raw["name"] in seen:
            raise DocTypeDefinitionError(
                f"{path}: DocType “{raw['name']}”已在 {seen[raw['name']]} 中定义"
            )
        seen[raw["name"]] = path
    known_tables = {raw["name"] for _, raw in found if raw.get("istable")}
    known_tables |= set(DocType.objects.filter(istable=True).values_list("name", flat=True))
    for path, raw in found:
        for f in raw.get("fields", []):
            if f.get("fieldtype") == "Table" and f.get("options") not in known_tables:
                raise DocTypeDefinitionError(
                    f"{path}: 字段 {f['fieldname']} 的子表 “{f.get('options')}” 不存在"
                )


def shipped_definitions(dirs: Iterable[tuple[str, Path]] | None = None) -> list[dict[str, Any]]:
    """Return every `<app>/doctypes/*.json` of the School Logistics apps, child tables first."""
    found: list[tuple[Path, dict[str, Any]]] = []
    for module, folder in definition_dirs() if dirs is None else dirs:
        for path in sorted(folder.glob("*.json")):
            found.append((path, load_definition(path, module)))
    _check_batch(found)  # refuse a broken batch before anything is written
    return sorted((raw for _, raw in found), key=lambda d: not d.get("istable"))


@transaction.atomic
def sync_doctypes(dirs: Iterable[tuple[str, Path]] | None = None) -> int:
    """Create or update built-in DocTypes from their JSON; admin-made ones are left alone."""
    count = 0
    for raw in shipped_definitions(dirs):
        DocType.objects.update_or_create(
            name=raw["name"],
            defaults={
                "module": raw["module"],
                "label": raw.get("label", raw["name"]),
                "label_en": raw.get("label_en", raw["name"]),
                "is_submittable": bool(raw.get("is_submittable")),
                "istable": bool(raw.get("istable")),
                "custom": False,
                "definition": raw,
            },
        )
        count += 1
    clear_meta_cache()
    return count


def _has_model(state: Any, app_label: str, name: str) -> bool:
    """Whether the migrated state has the model (not after a migration back before it)."""
    try:
        state.get_model(app_label, name)
    except LookupError:
        return False
    return True


def sync_after_migrate(sender: Any, **kwargs: Any) -> None:
    if getattr(sender, "name", "") == "school_logistics.core":
        from school_logistics.core import search

        with_search = _has_model(kwargs.get("apps", apps), "core", "DocumentSearch")
        searched = search.searched_fields() if with_search else {}
        sync_doctypes()
        if with_search:
            search.refresh(searched)
