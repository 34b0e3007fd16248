"""Load the default flows shipped as `<app>/workflows/*.json`; a changed file adds a version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import transaction

from school_logistics.workflow.flows import parse_for
from school_logistics.workflow.models import Workflow, WorkflowVersion


def shipped_flows() -> list[dict[str, Any]]:
    """Return every shipped flow definition, checked against its DocType."""
    found = []
    for app in apps.get_app_configs():
        if not app.name.startswith("school_logistics."):
            continue
        for path in sorted(Path(app.path, "workflows").glob("*.json")):
            raw = json.loads(path.read_text(encoding="utf-8"))
            # Refuse a broken file before anything is written.
            parse_for(raw, raw["doctype"])
            found.append(raw)
    return found


@transaction.atomic
def sync_flows() -> int:
    """Create shipped default flows; add a version when a file changed. Admins' flows are kept."""
    count = 0
    for raw in shipped_flows():
        workflow, _ = Workflow.objects.get_or_create(
            doctype=raw["doctype"],
            school=None,
            defaults={"label": raw.get("label", raw["doctype"]), "shipped": True},
        )
        if not workflow.shipped:
            continue  # an admin replaced the default; their versions win
        latest = workflow.versions.order_by("-number").first()
        if latest is None or latest.definition != raw:
            WorkflowVersion.objects.create(
                workflow=workflow, number=(latest.number + 1) if latest else 1, definition=raw
            )
            count += 1
    return count


def sync_after_migrate(sender: Any, **kwargs: Any) -> None:
    if getattr(sender, "name", "") == "school_logistics.workflow":
        sync_flows()
