"""Find the flow that governs a document and read a saved version of it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext

from school_logistics.core import row_cells
from school_logistics.core.document import child_metas_for
from school_logistics.core.models import Document
from school_logistics.core.prepared import prepared
from school_logistics.core.registry import get_meta
from school_logistics.workflow.definition import Flow, Step, parse_flow
from school_logistics.workflow.models import ApprovalTask, Workflow, WorkflowVersion


def flow_text(text: str) -> str:
    """Return a flow's word (a step's label or state, an action's verb) in the active language.

    Flows are data and store their words as written; the shipped flows' words are in the
    catalogue (each domain's `flow_texts.py`), an admin's own show as typed. Only what people
    read is translated: stored rows and the API's workflow actions keep the words as written.
    """
    return gettext(text) if text else text


def flow_fields(doctype: str) -> tuple[set[str], set[str]]:
    """Return the DocType's fieldnames conditions may use and the User fields approvers may."""
    meta = get_meta(doctype)
    names = {f.fieldname for f in meta.value_fields if not f.is_table}
    users = {f.fieldname for f in meta.value_fields if f.fieldtype == "User"}
    return names, users


def table_fields(doctype: str) -> frozenset[str]:
    """Return the child tables, and their cells as `table.cell`, a step may let its approver
    fill (a table's cells alone keep its rows as they are)."""
    meta = get_meta(doctype)
    return frozenset(row_cells.grantable(meta, child_metas_for(meta)))


def on_submit_fields(doctype: str) -> frozenset[str]:
    """Return the fields, tables and `table.cell` names that may still change once the
    document is submitted."""
    meta = get_meta(doctype)
    plain = {f.fieldname for f in meta.value_fields if f.allow_on_submit and not f.is_table}
    return frozenset(plain | row_cells.grantable(meta, child_metas_for(meta), on_submit=True))


def parse_for(raw: Mapping[str, Any], doctype: str) -> Flow:
    """Parse a flow against its DocType's fields."""
    names, users = flow_fields(doctype)
    return parse_flow(raw, names, users, table_fields(doctype), on_submit_fields(doctype))


def workflow_for(doctype: str, school_id: int) -> Workflow | None:
    """Return the school's own active flow for the DocType, else the shared default, else None."""
    candidates = Workflow.objects.filter(doctype=doctype, is_active=True).filter(
        Q(school_id=school_id) | Q(school__isnull=True)
    )
    found = {w.school_id: w for w in candidates}
    return found.get(school_id) or found.get(None)


@prepared
def _newest_versions(doctype: str, school_id: int) -> QuerySet[WorkflowVersion]:
    return (
        WorkflowVersion.objects.filter(workflow__doctype=doctype, workflow__is_active=True)
        .filter(Q(workflow__school_id=school_id) | Q(workflow__school__isnull=True))
        .select_related("workflow")
        # The school's own flow wins over the shared default, as in workflow_for.
        .order_by(F("workflow__school_id").asc(nulls_last=True), "-number")[:1]
    )


def latest_version_for(doctype: str, school_id: int) -> WorkflowVersion | None:
    """Return the newest version of the flow `workflow_for` picks, in one query."""
    found = _newest_versions(doctype, school_id)
    return found[0] if found else None


def governs(document: Document) -> bool:
    return workflow_for(document.doctype, document.school_id) is not None


@lru_cache(maxsize=256)
def _parsed(doctype: str, definition: str) -> Flow:
    return parse_for({**json.loads(definition), "doctype": doctype}, doctype)


def task_step(task: ApprovalTask) -> Step:
    """Return the step of the flow version a task's run follows."""
    return flow_of(task.process.version).step(task.step)


def flow_of(version: WorkflowVersion) -> Flow:
    """Return the parsed flow of a saved version, cached by its content (versions never change)."""
    flow: Flow | None = getattr(version, "_flow", None)
    if flow is None:  # kept on the row too: an action asks several times
        flow = _parsed(version.workflow.doctype, json.dumps(version.definition, sort_keys=True))
        version._flow = flow  # type: ignore[attr-defined]
    return flow
