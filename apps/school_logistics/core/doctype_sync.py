"""Load the DocType JSON files shipped inside each app into the DocType table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import transaction

from school_logistics.core.meta import parse_meta
from school_logistics.core.models import DocType
from school_logistics.core.registry import clear_meta_cache


def shipped_definitions() -> list[dict[str, Any]]:
    """Return every `<app>/doctypes/*.json` of the School Logistics apps, child tables first."""
    found: list[dict[str, Any]] = []
    for app in apps.get_app_configs():
        if not app.name.startswith("school_logistics."):
            continue
        for path in sorted(Path(app.path, "doctypes").glob("*.json")):
            raw = json.loads(path.read_text(encoding="utf-8"))
            raw.setdefault("module", app.label)
            parse_meta(raw)  # refuse a broken file before anything is written
            found.append(raw)
    return sorted(found, key=lambda d: not d.get("istable"))


@transaction.atomic
def sync_doctypes() -> int:
    """Create or update built-in DocTypes from their JSON; admin-made ones are left alone."""
    count = 0
    for raw in shipped_definitions():
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


def sync_after_migrate(sender: Any, **kwargs: Any) -> None:
    if getattr(sender, "name", "") == "school_logistics.core":
        sync_doctypes()
